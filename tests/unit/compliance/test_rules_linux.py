"""Each server rule of th-baseline: pass and fail samples (files and command outputs)."""

from __future__ import annotations

import pytest

from ictops.facts import AptChange, AptSimulation, RebootNeed
from ictops.facts.patches import PatchListing, combine
from ictops.compliance import StaticEvidence, Verdict
from ictops.compliance.parsers import logrotate_retention, timespan_seconds

from .conftest import GOOD_LINUX_COMMANDS, GOOD_LINUX_FILES, run_rule


def server(
    files: dict[str, str | None] | None = None,
    commands: dict[str, str | None] | None = None,
    live: bool = False,
    patches: PatchListing | None = None,
) -> StaticEvidence:
    merged_files = {**GOOD_LINUX_FILES, **(files or {})}
    merged_commands = {**GOOD_LINUX_COMMANDS, **(commands or {})}
    return StaticEvidence(
        files={k: v for k, v in merged_files.items() if v is not None},
        commands={k: v for k, v in merged_commands.items() if v is not None},
        live=live, patches=patches,
    )


LNX_BACKUP_RULES = [
    "LNX-TIME-01",
    "LNX-TIME-02",
    "LNX-TIME-03",
    "LNX-TIME-04",
    "LNX-LOG-01",
    "LNX-LOG-03",
    "LNX-LOG-04",
    "LNX-SSH-01",
    "LNX-SSH-02",
    "LNX-SSH-03",
    "LNX-SSH-04",
    "LNX-SSH-05",
    "LNX-SSH-06",
]


@pytest.mark.parametrize("rule_id", LNX_BACKUP_RULES)
def test_compliant_server_passes(pack, rule_id):
    result = run_rule(pack, rule_id, server(), "linux")
    assert result.status == Verdict.PASS, result.message


def sshd(change: str, to: str) -> dict[str, str]:
    text = GOOD_LINUX_COMMANDS["sshd_effective"]
    assert change in text
    return {"sshd_effective": text.replace(change, to)}


FAILS = [
    (
        "LNX-TIME-01",
        {},
        {
            "timedatectl": GOOD_LINUX_COMMANDS["timedatectl"].replace(
                "NTPSynchronized=yes", "NTPSynchronized=no"
            )
        },
        Verdict.FAIL,
        "NTPSynchronized=no",
    ),
    (
        "LNX-TIME-01",
        {},
        {"timedatectl": GOOD_LINUX_COMMANDS["timedatectl"].replace("\nNTP=yes", "\nNTP=no")},
        Verdict.FAIL,
        "NTP=no",
    ),
    (
        "LNX-TIME-02",
        {"/etc/chrony/chrony.conf": "pool 2.debian.pool.ntp.org iburst\n"},
        {},
        Verdict.FAIL,
        "pool 2.debian.pool.ntp.org",
    ),
    (
        "LNX-TIME-03",
        {},
        {
            "chrony_tracking": GOOD_LINUX_COMMANDS["chrony_tracking"].replace(
                "0.000812345", "0.025000000"
            )
        },
        Verdict.FAIL,
        "System time",
    ),
    (
        "LNX-TIME-03",
        {},
        {"chrony_tracking": "506 Cannot talk to daemon\n"},
        Verdict.FAIL,
        "506 Cannot talk to daemon",
    ),
    (
        "LNX-TIME-04",
        {},
        {"timedatectl": GOOD_LINUX_COMMANDS["timedatectl"].replace("Asia/Bangkok", "Etc/UTC")},
        Verdict.FAIL,
        "Timezone=Etc/UTC",
    ),
    (
        "LNX-LOG-01",
        {"/etc/systemd/journald.conf": "[Journal]\nStorage=volatile\n"},
        {},
        Verdict.FAIL,
        "Storage=volatile",
    ),
    (
        "LNX-LOG-01",
        {"/etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nMaxRetentionSec=1month\n"},
        {},
        Verdict.FAIL,
        "MaxRetentionSec=1month",
    ),
    (
        "LNX-LOG-01",
        {"/etc/systemd/journald.conf": "[Journal]\n#Storage=auto\n"},
        {},
        Verdict.WARN,
        "Storage=",
    ),
    (
        "LNX-LOG-03",
        {
            "/etc/logrotate.d/rsyslog": "/var/log/syslog\n/var/log/auth.log\n{\n\trotate 4\n\tweekly\n}\n"
        },
        {},
        Verdict.FAIL,
        "weekly x rotate 4 = 28 days",
    ),
    (
        "LNX-LOG-03",
        {"/etc/logrotate.d/rsyslog": "/var/log/syslog {\n daily\n rotate 365\n maxage 30\n}\n"},
        {},
        Verdict.FAIL,
        "maxage 30",
    ),
    (
        "LNX-LOG-04",
        {"/etc/rsyslog.conf": 'module(load="imuxsock")\n#*.* @@10.1.0.5:514\n'},
        {},
        Verdict.FAIL,
        "",
    ),
    (
        "LNX-SSH-01",
        {},
        sshd("permitrootlogin no", "permitrootlogin yes"),
        Verdict.FAIL,
        "permitrootlogin yes",
    ),
    (
        "LNX-SSH-02",
        {},
        sshd("passwordauthentication no", "passwordauthentication yes"),
        Verdict.FAIL,
        "passwordauthentication yes",
    ),
    ("LNX-SSH-03", {}, sshd("loglevel VERBOSE", "loglevel QUIET"), Verdict.FAIL, "loglevel QUIET"),
    ("LNX-SSH-04", {}, sshd("banner /etc/issue.net", "banner none"), Verdict.FAIL, "banner none"),
    ("LNX-SSH-05", {}, sshd("aes128-ctr", "aes128-cbc"), Verdict.FAIL, "ciphers"),
    ("LNX-SSH-05", {}, sshd("hmac-sha2-512-etm@openssh.com", "hmac-sha1"), Verdict.WARN, "macs"),
    (
        "LNX-SSH-06",
        {},
        sshd("clientaliveinterval 300", "clientaliveinterval 0"),
        Verdict.FAIL,
        "clientaliveinterval 0",
    ),
]


@pytest.mark.parametrize(
    "rule_id,files,commands,expected,evidence",
    FAILS,
    ids=[f"{f[0]}-{i}" for i, f in enumerate(FAILS)],
)
def test_noncompliant_server(pack, rule_id, files, commands, expected, evidence):
    result = run_rule(pack, rule_id, server(files, commands), "linux")
    assert result.status == expected, result.message
    assert evidence in result.evidence


def test_chrony_sources_include_an_allowed_one(pack):
    # LNX-TIME-02 says "include": Debian's pool may stay beside a Thai source
    conf = "pool 2.debian.pool.ntp.org iburst\nserver time1.nimt.or.th iburst\n"
    files = {"/etc/chrony/chrony.conf": conf}
    assert run_rule(pack, "LNX-TIME-02", server(files), "linux").status == Verdict.PASS


def test_timesyncd_sources_count(pack):
    files = {
        "/etc/chrony/chrony.conf": None,
        "/etc/systemd/timesyncd.conf": "[Time]\nNTP=pool.ntp.org time2.nimt.or.th\n",
    }
    assert run_rule(pack, "LNX-TIME-02", server(files), "linux").status == Verdict.PASS


@pytest.mark.parametrize(
    ("rule_id", "command", "reason"),
    [
        ("LNX-TIME-01", "timedatectl", "timedatectl is not installed"),
        ("LNX-TIME-04", "timedatectl", "systemd is not running"),
        ("LNX-TIME-03", "chrony_tracking", "chronyd is not running"),
    ],
)
def test_a_command_that_cannot_run_is_na_with_its_reason(pack, rule_id, command, reason):
    evidence = StaticEvidence(not_applicable={command: reason})
    result = run_rule(pack, rule_id, evidence, "linux")
    assert result.status == Verdict.NA
    assert result.message == f"{reason} ('{command}' cannot run on this host)"


def test_no_journald_on_the_host_is_na(pack):
    na = {"journald_config": "systemd-analyze is not installed"}
    result = run_rule(pack, "LNX-LOG-01", StaticEvidence(not_applicable=na), "linux")
    assert (result.status, result.message) == (
        Verdict.NA,
        "no journald on this host (systemd-analyze is not installed, no journald.conf)",
    )
    # a journald.conf is still read when there is one
    conf = {"/etc/systemd/journald.conf": "[Journal]\nStorage=volatile\n"}
    files = StaticEvidence(files=conf, not_applicable=na)
    assert run_rule(pack, "LNX-LOG-01", files, "linux").status == Verdict.FAIL


def test_missing_evidence_is_error_not_crash(pack):
    empty = StaticEvidence()
    for rule_id in ["LNX-TIME-01", "LNX-SSH-01", "LNX-LOG-03", "LNX-LOG-01"]:
        assert run_rule(pack, rule_id, empty, "linux").status == Verdict.ERROR, rule_id
    assert run_rule(pack, "NET-TIME-01", empty, "cisco_ios").status == Verdict.ERROR


def test_live_rules(pack):
    assert run_rule(pack, "LNX-LOG-07", server(), "linux").status == Verdict.ERROR
    find = pack.rule("LNX-LOG-07").check.command
    ok = run_rule(pack, "LNX-LOG-07", server(commands={find: ""}, live=True), "linux")
    assert ok.status == Verdict.PASS
    bad = run_rule(
        pack, "LNX-LOG-07", server(commands={find: "/var/log/auth.log\n"}, live=True), "linux"
    )
    assert bad.status == Verdict.FAIL and bad.evidence == "/var/log/auth.log"


SECURITY_SIM = AptSimulation((AptChange("kernel", "1.0-1", "1.1-1", ("x-security:s-security",)),
                              AptChange("tools", "1.0-1", "1.0-1+deb12u1", ("x-security:s-security",))))
# tools' security fix hides behind its newer normal update: the listing still counts it
FULL_SIM = AptSimulation((AptChange("kernel", "1.0-1", "1.1-1", ("x-security:s-security",)),
                          AptChange("tools", "1.0-1", "1.1-1", ("x:s",))))


@pytest.mark.parametrize("listing, history_days, verdict, message", [
    (combine(FULL_SIM, SECURITY_SIM, (), RebootNeed(False), 60.0), 1, Verdict.FAIL,
     "2 security update(s) pending: kernel 1.1-1, tools 1.0-1+deb12u1"),
    (combine(AptSimulation((AptChange("hello", "1", "2", ("x:s",)),)), AptSimulation(), (),
             RebootNeed(False), 60.0), 1, Verdict.PASS, "no security update pending (1 other(s))"),
    # what cannot be told is never a pass
    (combine(AptSimulation(), None, (), RebootNeed(False), 60.0), 1, Verdict.WARN,
     "cannot tell whether security updates are pending: no security source"),
    (combine(AptSimulation(), AptSimulation(), (), RebootNeed(False), 30 * 86400.0), 1, Verdict.WARN,
     "cannot tell whether security updates are pending: apt's lists are 30 days old"),
    (combine(AptSimulation(error="Could not open lock"), None, (), RebootNeed(False), 1.0), 1,
     Verdict.ERROR, "cannot tell the pending updates: apt: Could not open lock"),
    (None, 1, Verdict.ERROR, "no patch listing in the evidence"),
    (combine(AptSimulation(), AptSimulation(), (), RebootNeed(False), 60.0), 90, Verdict.WARN,
     "no apt update in the last 30 days"),
])
def test_patch_rule_reads_the_patch_listing(pack, listing, history_days, verdict, message):
    import time

    stamp = f"{time.time() - history_days * 86400:.0f}\n"
    evidence = server(commands={"stat -c %Y /var/log/apt/history.log": stamp}, live=True,
                      patches=listing)
    found = run_rule(pack, "LNX-PATCH-01", evidence, "linux")
    assert found.status == verdict
    assert message in found.message, found.message


def test_switch_rules_not_applicable_to_servers(pack):
    assert run_rule(pack, "NET-MGMT-02", server(), "linux").status == Verdict.NA
    assert (
        run_rule(pack, "LNX-SSH-01", StaticEvidence("hostname x\n"), "cisco_ios").status
        == Verdict.NA
    )


@pytest.mark.parametrize(
    "text,days", [("90d", 90), ("3month", 91.3125), ("1y", 365.25), ("2w 1d", 15), ("0", 0)]
)
def test_timespan(text, days):
    assert timespan_seconds(text) / 86400 == pytest.approx(days)


def test_logrotate_defaults_and_globs():
    sources = [
        ("/etc/logrotate.conf", "monthly\nrotate 4\n"),
        ("/etc/logrotate.d/x", "/var/log/*.log {\n rotate 2\n}\n"),
    ]
    parsed = logrotate_retention(sources, ["/var/log/auth.log", "/var/log/syslog"])
    assert parsed.values["retention_days"] == 60
    assert parsed.values["not_configured"] == "/var/log/syslog"
