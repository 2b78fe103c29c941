"""Each switch rule of th-baseline: a pass sample and fail samples (small inline configs)."""

from __future__ import annotations

import pytest

from ictops.compliance import StaticEvidence, Verdict

from .conftest import GOOD_IOS, run_rule


def ios(replace: dict[str, str] | None = None, add: str = "") -> StaticEvidence:
    text = GOOD_IOS
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return StaticEvidence(text.replace("end\n", add + "end\n"), age_days=1.0, saved=True)


NET_RULES = [
    "NET-TIME-01",
    "NET-TIME-03",
    "NET-LOG-01",
    "NET-LOG-02",
    "NET-LOG-04",
    "NET-AAA-01",
    "NET-AUTH-01",
    "NET-AUTH-02",
    "NET-MGMT-01",
    "NET-MGMT-02",
    "NET-MGMT-03",
    "NET-MGMT-04",
    "NET-MGMT-05",
    "NET-BAK-01",
]


@pytest.mark.parametrize("rule_id", NET_RULES)
def test_compliant_switch_passes(pack, rule_id):
    result = run_rule(pack, rule_id, ios())
    assert result.status == Verdict.PASS, result.message
    assert result.remediation == ()


FAILS = [
    # rule, replacements, added lines, expected verdict, text the evidence must contain
    (
        "NET-TIME-01",
        {"ntp server time1.nimt.or.th\nntp server time.navy.mi.th\n": ""},
        "",
        Verdict.FAIL,
        "",
    ),
    (
        "NET-TIME-01",
        {
            "ntp server time1.nimt.or.th\n": "ntp server 69.89.207.99\n",
            "ntp server time.navy.mi.th\n": "ntp server pool.ntp.org\n",
        },
        "",
        Verdict.FAIL,
        "ntp server 69.89.207.99",
    ),
    (
        "NET-TIME-01",
        {"ntp server time.navy.mi.th\n": ""},
        "",
        Verdict.WARN,
        "ntp server time1.nimt.or.th",
    ),
    # a non-allowed server next to two allowed ones is a violation (docs/rules.md, `where`)
    ("NET-TIME-01", {}, "ntp server 69.89.207.99\n", Verdict.FAIL, "ntp server 69.89.207.99"),
    (
        "NET-TIME-03",
        {"clock timezone ICT 7 0": "clock timezone CET 1 0"},
        "",
        Verdict.FAIL,
        "clock timezone CET 1 0",
    ),
    ("NET-TIME-03", {"clock timezone ICT 7 0\n": ""}, "", Verdict.FAIL, ""),
    (
        "NET-LOG-01",
        {
            "service timestamps log datetime msec localtime show-timezone year": "service timestamps log uptime"
        },
        "",
        Verdict.FAIL,
        "service timestamps log uptime",
    ),
    (
        "NET-LOG-01",
        {
            "service timestamps log datetime msec localtime": "service timestamps log datetime localtime"
        },
        "",
        Verdict.FAIL,
        "datetime localtime",
    ),
    ("NET-LOG-02", {"logging host 10.1.0.5\n": ""}, "", Verdict.FAIL, ""),
    (
        "NET-LOG-02",
        {"logging trap informational": "logging trap warnings"},
        "",
        Verdict.FAIL,
        "logging trap warnings",
    ),
    ("NET-LOG-02", {"logging source-interface Vlan99\n": ""}, "", Verdict.FAIL, ""),
    ("NET-LOG-04", {"login on-success log\n": ""}, "", Verdict.FAIL, ""),
    ("NET-LOG-04", {"  logging enable\n": ""}, "", Verdict.FAIL, "archive"),
    ("NET-AAA-01", {"aaa new-model": "no aaa new-model"}, "", Verdict.FAIL, ""),
    ("NET-AUTH-01", {}, "enable password cisco\n", Verdict.FAIL, "enable password <removed>"),
    (
        "NET-AUTH-01",
        {},
        "username bob password 7 0822455D0A16\n",
        Verdict.FAIL,
        "username bob password 7 <removed>",
    ),
    (
        "NET-AUTH-01",
        {},
        "username old secret 5 $1$abcd$efgh\n",
        Verdict.WARN,
        "username old secret 5 <removed>",
    ),
    (
        "NET-AUTH-02",
        {"service password-encryption\n": "no service password-encryption\n"},
        "",
        Verdict.FAIL,
        "",
    ),
    ("NET-MGMT-01", {"ip ssh version 2\n": ""}, "", Verdict.FAIL, ""),
    (
        "NET-MGMT-03",
        {"no ip http server\n": "ip http server\n"},
        "",
        Verdict.FAIL,
        "ip http server",
    ),
    (
        "NET-MGMT-03",
        {"no ip http secure-server\n": "ip http secure-server\n"},
        "",
        Verdict.WARN,
        "ip http secure-server",
    ),
    ("NET-MGMT-04", {"banner login ^CAuthorised use only^C\n": ""}, "", Verdict.FAIL, ""),
    (
        "NET-MGMT-05",
        {},
        "snmp-server community public RO\n",
        Verdict.FAIL,
        "snmp-server community <removed> RO",
    ),
    (
        "NET-MGMT-05",
        {},
        "snmp-server community s3cr3t RO 10\n",
        Verdict.WARN,
        "snmp-server community <removed>",
    ),
]


@pytest.mark.parametrize(
    "rule_id,replace,add,expected,evidence", FAILS, ids=[f"{f[0]}-{i}" for i, f in enumerate(FAILS)]
)
def test_noncompliant_switch(pack, rule_id, replace, add, expected, evidence):
    result = run_rule(pack, rule_id, ios(replace, add))
    assert result.status == expected, result.message
    assert evidence in result.evidence
    assert "cisco" not in result.evidence and "s3cr3t" not in result.evidence  # secrets masked


@pytest.mark.parametrize(
    "vty,message",
    [
        (" transport input ssh\n", "transport input"),
        (" access-class MGMT-ACCESS in\n", "access-class"),
    ],
)
def test_vty_every_split_block_must_comply(pack, vty, message):
    # only the second vty block loses the line: the rule still fails, and names that block
    text = GOOD_IOS.replace(
        "line vty 5 15\n"
        + (" access-class MGMT-ACCESS in\n exec-timeout 5 0\n transport input ssh\n"),
        "line vty 5 15\n"
        + (" access-class MGMT-ACCESS in\n exec-timeout 5 0\n transport input ssh\n").replace(
            vty, ""
        ),
    )
    result = run_rule(pack, "NET-MGMT-02", StaticEvidence(text))
    assert result.status == Verdict.FAIL
    assert "line vty 5 15" in result.message and message in result.message
    assert result.remediation[0] == "line vty 5 15"  # only the failing block is fixed
    assert "line vty 0 4" not in result.remediation


@pytest.mark.parametrize(
    "timeout,expected",
    [
        ("exec-timeout 10 0", Verdict.PASS),
        ("exec-timeout 9 59", Verdict.PASS),
        ("exec-timeout 10 30", Verdict.FAIL),
        ("exec-timeout 0 0", Verdict.FAIL),
        ("exec-timeout 60 0", Verdict.FAIL),
        (
            "transport input ssh",
            Verdict.PASS,
        ),  # no exec-timeout line: the IOS default (10 min) applies
    ],
)
def test_exec_timeout(pack, timeout, expected):
    text = GOOD_IOS.replace("exec-timeout 5 0", timeout if timeout.startswith("exec") else "")
    result = run_rule(pack, "NET-MGMT-02", StaticEvidence(text))
    assert result.status == expected, result.message
    if expected == Verdict.FAIL:
        assert result.evidence == timeout


def test_telnet_on_vty_fails_with_remediation(pack):
    text = GOOD_IOS.replace(
        " transport input ssh\nline vty 5 15", " transport input telnet ssh\nline vty 5 15"
    )
    result = run_rule(pack, "NET-MGMT-02", StaticEvidence(text))
    assert result.status == Verdict.FAIL
    assert result.remediation == (
        "line vty 0 4",
        " transport input ssh",
        " access-class MGMT-ACCESS in",
        " exec-timeout 10 0",
    )


def test_ntp_remediation_and_internal_source_override(pack):
    text = GOOD_IOS.replace(
        "ntp server time1.nimt.or.th\nntp server time.navy.mi.th\n",
        "ntp server 10.1.0.1\nntp server 10.1.0.2\n",
    )
    failed = run_rule(pack, "NET-TIME-01", StaticEvidence(text))
    assert failed.status == Verdict.FAIL
    assert failed.remediation == ("ntp server time1.nimt.or.th", "ntp server time.navy.mi.th")
    # the office adds its internal NTP servers for this host in the inventory
    passed = run_rule(
        pack,
        "NET-TIME-01",
        StaticEvidence(text),
        compliance={"internal_time_sources": ["10.1.0.1", "10.1.0.2"]},
    )
    assert passed.status == Verdict.PASS


def test_backup_age_and_unsaved(pack):
    assert (
        run_rule(pack, "NET-BAK-01", StaticEvidence(GOOD_IOS, age_days=30, saved=True)).status
        == Verdict.FAIL
    )
    unsaved = run_rule(pack, "NET-BAK-01", StaticEvidence(GOOD_IOS, age_days=1, saved=False))
    assert unsaved.status == Verdict.FAIL and "not saved" in unsaved.message
    assert run_rule(pack, "NET-BAK-01", StaticEvidence(GOOD_IOS)).status == Verdict.ERROR


SHOW_NTP_OK = (
    "Clock is synchronized, stratum 3, reference is 203.158.118.2\n"
    "nominal freq is 250.0000 Hz, actual freq is 249.9990 Hz, precision is 2**10\n"
    "reference time is E4B5F0C1.8B2A3C00 (10:00:01.543 ICT Mon Jan 6 2025)\n"
    "clock offset is -1.2345 msec, root delay is 12.34 msec\n"
)


def test_ntp_status_is_live_only(pack):
    from_backup = run_rule(pack, "NET-TIME-02", StaticEvidence(GOOD_IOS))
    assert from_backup.status == Verdict.ERROR and "--live" in from_backup.message
    ok = StaticEvidence(GOOD_IOS, commands={"show ntp status": SHOW_NTP_OK}, live=True)
    assert run_rule(pack, "NET-TIME-02", ok).status == Verdict.PASS
    drift = StaticEvidence(
        GOOD_IOS, commands={"show ntp status": SHOW_NTP_OK.replace("-1.2345", "-25.5")}, live=True
    )
    result = run_rule(pack, "NET-TIME-02", drift)
    assert result.status == Verdict.FAIL and "offset is -25.5 msec" in result.evidence
    unsync = StaticEvidence(
        GOOD_IOS,
        live=True,
        commands={"show ntp status": "Clock is unsynchronized, stratum 16, no reference clock\n"},
    )
    assert run_rule(pack, "NET-TIME-02", unsync).status == Verdict.FAIL


PROCURVE_GOOD = """\
hostname "sw-hp"
time timezone 420
timesync ntp
ntp unicast
ntp server 203.158.118.2 iburst
ntp server time1.nimt.or.th iburst
logging 10.1.0.5
console idle-timeout 600
password manager user-name "admin" sha1 "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"
ip authorized-managers 10.1.99.0 255.255.255.0 access manager
no telnet-server
no web-management
banner motd "Authorised use only"
"""


def test_procurve_forms(pack):
    evidence = StaticEvidence(PROCURVE_GOOD, age_days=1, saved=True)
    for rule_id in [
        "NET-TIME-03",
        "NET-LOG-02",
        "NET-MGMT-02",
        "NET-MGMT-03",
        "NET-MGMT-04",
        "NET-MGMT-05",
        "NET-AUTH-01",
        "NET-BAK-01",
    ]:
        assert run_rule(pack, rule_id, evidence, "hp_procurve").status == Verdict.PASS, rule_id
    # one source not allowed beside an allowed one: a violation (docs/rules.md, `where`)
    ntp = run_rule(pack, "NET-TIME-01", evidence, "hp_procurve")
    assert ntp.status == Verdict.FAIL
    assert (ntp.message, ntp.evidence) == (
        "NTP server is not an allowed Thai or internal source",
        "ntp server 203.158.118.2 iburst",
    )
    for rule_id in ["NET-LOG-01", "NET-AUTH-02", "NET-LOG-04", "NET-TIME-02"]:
        assert run_rule(pack, rule_id, evidence, "hp_procurve").status == Verdict.NA, rule_id
    bad = StaticEvidence(
        PROCURVE_GOOD.replace("console idle-timeout 600", "console idle-timeout 0")
    )
    assert run_rule(pack, "NET-MGMT-02", bad, "hp_procurve").status == Verdict.FAIL


VRP_GOOD = """\
#
sysname sw-vrp
#
clock timezone ICT add 07:00:00
#
info-center loghost source Vlanif99
info-center loghost 10.1.0.5
#
ntp-service unicast-server time1.nimt.or.th
ntp-service unicast-server time.navy.mi.th
#
aaa
 local-user admin password irreversible-cipher $1a$abc$
#
stelnet server enable
#
user-interface vty 0 4
 acl 2000 inbound
 protocol inbound ssh
 idle-timeout 10 0
#
header login information "Authorised use only"
#
return
"""


def test_vrp_forms(pack):
    evidence = StaticEvidence(VRP_GOOD, age_days=1, saved=True)
    for rule_id in [
        "NET-TIME-01",
        "NET-TIME-03",
        "NET-LOG-02",
        "NET-AUTH-01",
        "NET-MGMT-01",
        "NET-MGMT-02",
        "NET-MGMT-03",
        "NET-MGMT-04",
        "NET-MGMT-05",
        "NET-BAK-01",
    ]:
        assert run_rule(pack, rule_id, evidence, "huawei_vrp").status == Verdict.PASS, rule_id
    telnet = StaticEvidence(VRP_GOOD.replace("protocol inbound ssh", "protocol inbound all"))
    result = run_rule(pack, "NET-MGMT-02", telnet, "huawei_vrp")
    assert result.status == Verdict.FAIL
    assert result.remediation[0] == "user-interface vty 0 4"
