"""th-baseline on the switch families Thai schools own besides Cisco and Huawei: HP ProCurve,
Ruijie RGOS and MikroTik RouterOS. For each family a compliant config where every rule with a
check passes; per rule one change of that config and the one verdict it must give; and the
rules the platform has no feature for, N/A with the pack's own reason."""

from __future__ import annotations

import pytest

from ictops.compliance import StaticEvidence, Verdict, evaluate
from ictops.compliance.configtree import parse_config

from .conftest import make_host, run_rule

GOOD = {
    "hp_procurve": """\
hostname "sw-hp"
time timezone 420
timesync ntp
ntp unicast
ntp server time1.nimt.or.th iburst
ntp server time.navy.mi.th iburst
logging 10.1.0.5
console idle-timeout 600
password manager user-name "admin" sha1 "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"
aaa authentication ssh login radius local
aaa accounting exec start-stop radius
ip authorized-managers 10.1.99.0 255.255.255.0 access manager
no telnet-server
no web-management
banner motd "Authorised use only"
vlan 1
   name "DEFAULT_VLAN"
   untagged 1-24
   exit
""",
    "ruijie_os": """\
version RGOS 11.4(1)B12P1
hostname sw-rj
sntp server time1.nimt.or.th
ntp server time.navy.mi.th
service timestamps log datetime msec year
service password-encryption
enable secret 5 $1$Ab2c$wO4vsKk7yMJdKBm2xqzR3/
enable service ssh-server
no enable service telnet-server
no enable service web-server
ip ssh version 2
aaa new-model
aaa authentication login default local
aaa accounting exec default start-stop group radius
clock timezone ICT 7 0
logging server 10.20.0.10
logging trap informational
banner motd ^CAuthorised use only^C
line vty 0 4
 access-class MGMT in
 exec-timeout 10 0
 transport input ssh
end
""",
    "mikrotik_routeros": """\
# 2025-01-06 10:00:00 by RouterOS 7.16.2
# software id = ABCD-1234
#
# model = RB5009UG+S+
/snmp community
set [ find default=yes ] disabled=yes
add addresses=10.20.99.0/24 name=ict-monitor security=private
/ip service
set telnet disabled=yes
set ftp disabled=yes
set www disabled=yes
set ssh address=10.20.99.0/24
/snmp
set enabled=yes
/system clock
set time-zone-autodetect=no time-zone-name=Asia/Bangkok
/system identity
set name=sw-mt
/system logging action
set 3 remote=10.20.0.10
/system logging
add action=remote topics=info
/system note
set note="Authorised use only" show-at-login=yes
/system ntp client
set enabled=yes
/system ntp client servers
add address=time1.nimt.or.th
add address=time.navy.mi.th
/user aaa
set use-radius=yes
""",
}

# (platform, rule, old text (or texts), new text, verdict, words of the message)
BROKEN = [
    ("hp_procurve", "NET-TIME-01", "ntp server time1.nimt.or.th iburst\nntp server time.navy.mi.th iburst\n", "ntp server 203.158.118.2 iburst\n", Verdict.FAIL, "not an allowed Thai"),
    ("hp_procurve", "NET-TIME-03", "time timezone 420", "time timezone 480", Verdict.FAIL, "time timezone 420"),
    ("hp_procurve", "NET-LOG-02", "logging 10.1.0.5\n", "", Verdict.FAIL, "logging <server address>"),
    ("hp_procurve", "NET-AAA-01", "aaa authentication ssh login radius local", "aaa authentication ssh login local", Verdict.FAIL, "only against local passwords"),
    ("hp_procurve", "NET-AAA-01", "aaa accounting exec start-stop radius\n", "", Verdict.FAIL, "no AAA accounting"),
    ("hp_procurve", "NET-AUTH-01", 'password manager user-name "admin" sha1 "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"', 'password manager user-name "admin" plaintext "school"', Verdict.FAIL, "plain-text password"),
    # without include-credentials the device shows that a manager password is set, not its hash
    ("hp_procurve", "NET-AUTH-01", 'password manager user-name "admin" sha1 "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"', "password manager", Verdict.PASS, ""),
    ("hp_procurve", "NET-AUTH-01", 'password manager user-name "admin" sha1 "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"\n', "", Verdict.FAIL, "no manager password"),
    ("hp_procurve", "NET-MGMT-01", "no web-management\n", "no web-management\nno ip ssh\n", Verdict.FAIL, "SSH is off"),
    ("hp_procurve", "NET-MGMT-02", "no telnet-server\n", "", Verdict.FAIL, "telnet server is on"),
    ("hp_procurve", "NET-MGMT-02", "console idle-timeout 600", "console idle-timeout 0", Verdict.FAIL, "idle timeout is off"),
    ("hp_procurve", "NET-MGMT-03", "no web-management\n", "", Verdict.FAIL, "web management is on"),
    ("hp_procurve", "NET-MGMT-04", 'banner motd "Authorised use only"\n', "", Verdict.FAIL, "no banner motd"),
    ("hp_procurve", "NET-MGMT-05", "no web-management\n", 'no web-management\nsnmp-server community "public" unrestricted\n', Verdict.FAIL, "default SNMP community"),
    ("hp_procurve", "NET-MGMT-05", "no web-management\n", 'no web-management\nsnmp-server community "n0c-ro" operator\n', Verdict.WARN, "prefer SNMPv3"),
    ("ruijie_os", "NET-TIME-01", "sntp server time1.nimt.or.th\nntp server time.navy.mi.th\n", "sntp server 203.158.118.2\n", Verdict.FAIL, "not an allowed Thai"),
    ("ruijie_os", "NET-TIME-01", "ntp server time.navy.mi.th\n", "", Verdict.WARN, "(at least 2 recommended)"),
    ("ruijie_os", "NET-TIME-03", "clock timezone ICT 7 0", "clock timezone east 8 0", Verdict.FAIL, "not ICT +7"),
    ("ruijie_os", "NET-LOG-01", "service timestamps log datetime msec year", "service timestamps log datetime year", Verdict.FAIL, "not 'datetime msec'"),
    ("ruijie_os", "NET-LOG-02", "logging server 10.20.0.10\n", "", Verdict.FAIL, "no 'logging server'"),
    ("ruijie_os", "NET-LOG-02", "logging trap informational", "logging trap warnings", Verdict.FAIL, "below informational"),
    ("ruijie_os", "NET-AAA-01", "aaa new-model\n", "", Verdict.FAIL, "no 'aaa new-model'"),
    ("ruijie_os", "NET-AUTH-01", "enable service ssh-server\n", "username wyf password heroonly1975\nenable service ssh-server\n", Verdict.FAIL, "plain-text password"),
    ("ruijie_os", "NET-AUTH-01", "enable service ssh-server\n", "webmaster level 0 username admin password admin\nenable service ssh-server\n", Verdict.FAIL, "plain-text password"),
    ("ruijie_os", "NET-AUTH-01", "enable service ssh-server\n", "username ict privilege 15 password 7 0826521a070d1c12\nenable service ssh-server\n", Verdict.WARN, "reversibly (type 7)"),
    ("ruijie_os", "NET-AUTH-01", "enable secret 5 $1$Ab2c$wO4vsKk7yMJdKBm2xqzR3/", "enable password 7 1514", Verdict.FAIL, "no 'enable secret'"),
    ("ruijie_os", "NET-AUTH-02", "service password-encryption", "no service password-encryption", Verdict.FAIL, "no 'service password-encryption'"),
    ("ruijie_os", "NET-MGMT-01", "enable service ssh-server\n", "", Verdict.FAIL, "SSH server is off"),
    # telnet stays off while either the server is off or every vty takes SSH only
    ("ruijie_os", "NET-MGMT-02", "no enable service telnet-server\n", "", Verdict.PASS, "sections comply"),
    ("ruijie_os", "NET-MGMT-02", " transport input ssh\n", "", Verdict.PASS, "telnet-server"),
    ("ruijie_os", "NET-MGMT-02", ("no enable service telnet-server\n", " transport input ssh\n"), "", Verdict.FAIL, "transport input is not 'ssh' only"),
    ("ruijie_os", "NET-MGMT-02", " access-class MGMT in\n", "", Verdict.FAIL, "no 'access-class"),
    ("ruijie_os", "NET-MGMT-02", " exec-timeout 10 0", " exec-timeout 30 0", Verdict.FAIL, "exec-timeout"),
    ("ruijie_os", "NET-MGMT-03", "no enable service web-server", "enable service web-server", Verdict.FAIL, "web server is not turned off"),
    ("ruijie_os", "NET-MGMT-03", "no enable service web-server\n", "", Verdict.WARN, "web server is not turned off"),
    ("ruijie_os", "NET-MGMT-04", "banner motd ^CAuthorised use only^C\n", "", Verdict.FAIL, "no login banner"),
    ("ruijie_os", "NET-MGMT-05", "ip ssh version 2\n", "ip ssh version 2\nsnmp-server community public ro\n", Verdict.FAIL, "default SNMP community"),
    ("ruijie_os", "NET-MGMT-05", "ip ssh version 2\n", "ip ssh version 2\nsnmp-server community sch00l-ro ro\n", Verdict.WARN, "prefer SNMPv3"),
    ("mikrotik_routeros", "NET-TIME-01", "add address=time1.nimt.or.th\nadd address=time.navy.mi.th\n", "add address=pool.ntp.org\n", Verdict.FAIL, "not an allowed Thai"),
    ("mikrotik_routeros", "NET-TIME-01", "add address=time.navy.mi.th\n", "", Verdict.WARN, "(at least 2 recommended)"),
    ("mikrotik_routeros", "NET-TIME-01", "/system ntp client\nset enabled=yes\n", "", Verdict.FAIL, "NTP client is off"),
    ("mikrotik_routeros", "NET-TIME-03", "time-zone-name=Asia/Bangkok", "time-zone-name=Asia/Ho_Chi_Minh", Verdict.FAIL, "not Asia/Bangkok"),
    ("mikrotik_routeros", "NET-TIME-03", "/system clock\nset time-zone-autodetect=no time-zone-name=Asia/Bangkok\n", "", Verdict.FAIL, "not Asia/Bangkok"),
    ("mikrotik_routeros", "NET-LOG-02", "/system logging action\nset 3 remote=10.20.0.10\n", "", Verdict.FAIL, "no remote logging action"),
    ("mikrotik_routeros", "NET-LOG-02", "add action=remote topics=info", "add action=memory topics=info", Verdict.FAIL, "no logging rule sends"),
    ("mikrotik_routeros", "NET-AAA-01", "/user aaa\nset use-radius=yes\n", "", Verdict.FAIL, "checked only locally"),
    ("mikrotik_routeros", "NET-MGMT-01", "set ssh address=10.20.99.0/24", "set ssh address=10.20.99.0/24 disabled=yes", Verdict.FAIL, "SSH is off"),
    ("mikrotik_routeros", "NET-MGMT-02", "set telnet disabled=yes\n", "", Verdict.FAIL, "telnet is on"),
    ("mikrotik_routeros", "NET-MGMT-02", "set ssh address=10.20.99.0/24\n", "", Verdict.FAIL, "from any address"),
    ("mikrotik_routeros", "NET-MGMT-03", "set www disabled=yes\n", "", Verdict.FAIL, "web interface"),
    ("mikrotik_routeros", "NET-MGMT-04", "show-at-login=yes", "show-at-login=no", Verdict.FAIL, "not shown at login"),
    ("mikrotik_routeros", "NET-MGMT-04", '/system note\nset note="Authorised use only" show-at-login=yes\n', "", Verdict.FAIL, "no login note"),
    ("mikrotik_routeros", "NET-MGMT-05", "name=ict-monitor", "name=public", Verdict.FAIL, "default SNMP community"),
    ("mikrotik_routeros", "NET-MGMT-05", "set [ find default=yes ] disabled=yes\n", "", Verdict.FAIL, "keeps the name 'public'"),
]

# Rules a platform has no check for: N/A, and the message is the pack's reason.
NOT_APPLICABLE = {
    "hp_procurve": ["NET-TIME-02", "NET-LOG-01", "NET-LOG-04", "NET-AUTH-02"],
    "ruijie_os": ["NET-TIME-02", "NET-LOG-04"],
    "mikrotik_routeros": ["NET-TIME-02", "NET-LOG-01", "NET-LOG-04", "NET-AUTH-01", "NET-AUTH-02"],
}


def _evidence(config: str, **kwargs) -> StaticEvidence:
    return StaticEvidence(config, age_days=1, saved=True, **kwargs)


@pytest.mark.parametrize("platform", sorted(GOOD))
def test_compliant_config_passes_every_rule_with_a_check(pack, platform):
    result = evaluate(pack, make_host(platform), _evidence(GOOD[platform]))
    net = [r for r in result.results if r.rule_id.startswith("NET-")]
    verdicts = {r.rule_id: r.status for r in net}
    expected = {
        r.rule_id: Verdict.NA if r.rule_id in NOT_APPLICABLE[platform] else Verdict.PASS
        for r in net
    }
    assert verdicts == expected, [(r.rule_id, r.message) for r in net if r.status != expected[r.rule_id]]
    assert result.score == 100.0


@pytest.mark.parametrize(
    "platform,rule_id,old,new,verdict,words",
    [pytest.param(*case, id=f"{case[0]}-{case[1]}-{i}") for i, case in enumerate(BROKEN)],
)
def test_one_change_gives_the_one_verdict(pack, platform, rule_id, old, new, verdict, words):
    config = GOOD[platform]
    for text in old if isinstance(old, tuple) else (old,):
        assert text in config, text  # the case still changes something
        config = config.replace(text, new)
    result = run_rule(pack, rule_id, _evidence(config), platform)
    assert result.status == verdict, (result.message, result.evidence)
    assert words in result.message
    if verdict in (Verdict.FAIL, Verdict.WARN):
        rule = pack.rule(rule_id)
        if platform in rule.remediation.commands:
            assert result.remediation, "a FAIL with remediation commands shows them"


@pytest.mark.parametrize("platform", sorted(NOT_APPLICABLE))
def test_missing_features_are_na_with_the_reason(pack, platform):
    for rule_id in NOT_APPLICABLE[platform]:
        rule = pack.rule(rule_id)
        result = run_rule(pack, rule_id, _evidence(GOOD[platform], live=True), platform)
        assert result.status == Verdict.NA, rule_id
        assert result.message == rule.not_applicable[platform]
        assert not result.message.startswith("not applicable to"), rule_id


def test_routeros_backup_rule_needs_no_saved_config(pack):
    """RouterOS writes every change at once: 'unsaved' cannot happen, the age still counts."""
    config = GOOD["mikrotik_routeros"]
    unknown = StaticEvidence(config, age_days=1, saved=None)
    assert run_rule(pack, "NET-BAK-01", unknown, "mikrotik_routeros").status == Verdict.PASS
    old = StaticEvidence(config, age_days=30, saved=None)
    assert run_rule(pack, "NET-BAK-01", old, "mikrotik_routeros").status == Verdict.FAIL
    unsaved = StaticEvidence(GOOD["ruijie_os"], age_days=1, saved=False)
    assert run_rule(pack, "NET-BAK-01", unsaved, "ruijie_os").status == Verdict.FAIL


def _terse(export: str) -> str:
    """The same export as `/export terse` prints it: the menu path on every item."""
    out, path = [], ""
    for line in export.splitlines():
        if line.startswith("/"):
            path = line
        elif line.startswith("#"):
            out.append(line)
        else:
            out.append(f"{path} {line}")
    return "\n".join(out) + "\n"


def test_routeros_terse_export_reads_as_the_plain_one(pack):
    plain = evaluate(pack, make_host("mikrotik_routeros"), _evidence(GOOD["mikrotik_routeros"]))
    terse_text = _terse(GOOD["mikrotik_routeros"])
    assert "/ip service set telnet disabled=yes" in terse_text
    terse = evaluate(pack, make_host("mikrotik_routeros"), _evidence(terse_text))
    assert [(r.rule_id, r.status) for r in terse.results] == [
        (r.rule_id, r.status) for r in plain.results
    ]
    broken = terse_text.replace("/ip service set telnet disabled=yes\n", "")
    result = run_rule(pack, "NET-MGMT-02", _evidence(broken), "mikrotik_routeros")
    assert result.status == Verdict.FAIL and "telnet is on" in result.message


def test_routeros_6_ntp_client_form(pack):
    v6 = GOOD["mikrotik_routeros"].replace(
        "/system ntp client\nset enabled=yes\n/system ntp client servers\n"
        "add address=time1.nimt.or.th\nadd address=time.navy.mi.th\n",
        "/system ntp client\nset enabled=yes server-dns-names=time1.nimt.or.th,time.navy.mi.th\n",
    )
    assert "servers" not in v6
    assert run_rule(pack, "NET-TIME-01", _evidence(v6), "mikrotik_routeros").status == Verdict.PASS
    foreign = v6.replace("server-dns-names=time1.nimt.or.th,time.navy.mi.th", "primary-ntp=17.253.52.253")
    result = run_rule(pack, "NET-TIME-01", _evidence(foreign), "mikrotik_routeros")
    assert result.status == Verdict.FAIL and "not an allowed Thai" in result.message


def test_routeros_wrapped_lines_are_one_item(pack):
    """/export wraps long items with a backslash, the rest indented on the next line."""
    wrapped = GOOD["mikrotik_routeros"].replace(
        "add address=time1.nimt.or.th", "add address=\\\n    time1.nimt.or.th"
    ).replace("set ssh address=10.20.99.0/24", "set ssh \\\n    address=10.20.99.0/24")
    assert "address=\\\n    time1" in wrapped
    for rule_id in ("NET-TIME-01", "NET-MGMT-02"):
        result = run_rule(pack, rule_id, _evidence(wrapped), "mikrotik_routeros")
        assert result.status == Verdict.PASS, (rule_id, result.message)
    tree = parse_config(wrapped, "mikrotik_routeros")
    servers = tree.find("/system ntp client servers")
    assert servers is not None and servers.children[0].text == "add address=time1.nimt.or.th"
    assert tree.find("/ip service").children[-1].text == "set ssh address=10.20.99.0/24"


def test_evidence_of_the_new_families_is_masked(pack):
    ruijie = GOOD["ruijie_os"].replace(
        "ip ssh version 2\n", "ip ssh version 2\nsnmp-server community sch00l-ro ro\n"
    )
    result = run_rule(pack, "NET-MGMT-05", _evidence(ruijie), "ruijie_os")
    assert result.evidence == "snmp-server community <removed> ro"
    mikrotik = GOOD["mikrotik_routeros"].replace("name=ict-monitor", "name=public")
    result = run_rule(pack, "NET-MGMT-05", _evidence(mikrotik), "mikrotik_routeros")
    assert "public" not in result.evidence and "name=<removed>" in result.evidence
