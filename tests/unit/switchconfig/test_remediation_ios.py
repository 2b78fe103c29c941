"""Scoped remediation on Cisco IOS: (running, intended, features) -> the exact commands."""

from __future__ import annotations

import pytest

from ictops.switchconfig import FeatureError, MaskedConfigError, remediation

BASE = """\
Building configuration...

Current configuration : 1234 bytes
!
! Last configuration change at 10:00:00 ICT Mon Jan 6 2025 by admin
version 15.2
no service pad
service timestamps log datetime
no service password-encryption
hostname SW-1
!
enable secret 9 $9$nK3q0bXsOe1aEE$Zr8vJqH3xk2mYp5TnWc7uQd0sLfAeGh1iRbV6oN4tKM
username admin privilege 15 secret 9 $9$Qw2eR4tY6uI8oP$aS1dF3gH5jK7lZ9xC2vB4nM6qW8eR0tY2uI4oP6aS8d
no aaa new-model
clock timezone ICT 7 0
ip domain name school.obec.go.th
no ip domain lookup
!
vlan 10
 name STAFF
!
vlan 20
 name STUDENT
!
vlan 30
 name COMPUTER-LAB
!
interface GigabitEthernet1/0/2
 description DIRECTOR-ROOM
 switchport access vlan 10
 switchport mode access
!
interface Vlan99
 ip address 10.20.99.5 255.255.255.0
!
ip default-gateway 10.20.99.1
ip http server
ip access-list standard MGMT-ACCESS
 permit 10.20.99.0 0.0.0.255
 deny   any log
logging host 10.20.0.10
snmp-server community public RO
banner login ^CAuthorised use only^C
!
line con 0
line vty 0 4
 exec-timeout 30 0
 login local
 transport input telnet ssh
line vty 5 15
 login local
 transport input ssh
!
ntp server 203.0.113.5
ntp server time.navy.mi.th
!
end
"""

CASES = [
    # -- the feature alone changes; hostname, VLANs, interfaces... are never touched ----------
    (
        "ntp: wrong server out, Thai server in",
        "ntp server time1.nimt.or.th\nntp server time.navy.mi.th\n",
        ["ntp"],
        ["no ntp server 203.0.113.5", "ntp server time1.nimt.or.th"],
    ),
    (
        "ntp: a server's options replaced in place",
        "ntp server 203.0.113.5 prefer\nntp server time.navy.mi.th\n",
        ["ntp"],
        ["ntp server 203.0.113.5 prefer"],
    ),
    (
        "ntp: same servers, other order: nothing",
        "ntp server time.navy.mi.th\nntp server 203.0.113.5\n",
        ["ntp"],
        [],
    ),
    (
        "logging: replace the log host, add trap and source",
        "logging host 10.20.0.11\nlogging trap informational\nlogging source-interface Vlan99\n",
        ["logging"],
        [
            "no logging host 10.20.0.10",
            "logging host 10.20.0.11",
            "logging trap informational",
            "logging source-interface Vlan99",
        ],
    ),
    (
        "logging: show-run form of 'logging <ip>' is 'logging host <ip>'",
        "logging 10.20.0.10\n",
        ["logging"],
        [],
    ),
    # -- VLANs: only those named; removal only when asked ------------------------------------
    (
        "vlan: a new VLAN, the others left alone",
        "vlan 40\n name GUEST\n",
        ["vlan"],
        ["vlan 40", " name GUEST", " exit"],
    ),
    (
        "vlan: rename in place",
        "vlan 20\n name STUDENTS\n",
        ["vlan"],
        ["vlan 20", " name STUDENTS", " exit"],
    ),
    ("vlan: explicit removal", "no vlan 30\n", ["vlan"], ["no vlan 30"]),
    ("vlan: removing an absent VLAN is nothing", "no vlan 50\n", ["vlan"], []),
    ("vlan: same VLAN, same name", "vlan 10\n name STAFF\n", ["vlan"], []),
    # -- vty lines: single-valued lines replaced in place; hidden default ---------------------
    (
        "vty: transport replaced in place, exec-timeout back to its default",
        "line vty 0 4\n exec-timeout 10 0\n login local\n transport input ssh\n",
        ["vty"],
        ["line vty 0 4", " no exec-timeout 30 0", " transport input ssh", " exit"],
    ),
    (
        "vty: the default exec-timeout is never shown, so asking for it is nothing",
        "line vty 5 15\n exec-timeout 10 0\n login local\n transport input ssh\n",
        ["vty"],
        [],
    ),
    (
        "vty + aaa: AAA on drops 'login local' by itself; no 'no login local' is sent",
        (
            "aaa new-model\naaa authentication login default local\n"
            "line vty 5 15\n transport input ssh\n"
        ),
        ["aaa", "vty"],
        ["aaa new-model", "aaa authentication login default local"],
    ),
    # -- ACL: ordered entries, rewritten whole, before the lines that use it -----------------
    (
        "acl: a new entry rewrites the list, before the vty lines",
        (
            "ip access-list standard MGMT-ACCESS\n permit 10.20.99.0 0.0.0.255\n permit 10.20.98.0 0.0.0.255\n"
            " deny any log\nline vty 0 4\n access-class MGMT-ACCESS in\n exec-timeout 30 0\n login local\n"
            " transport input telnet ssh\n"
        ),
        ["acl", "vty"],
        [
            "no ip access-list standard MGMT-ACCESS",
            "ip access-list standard MGMT-ACCESS",
            " 10 permit 10.20.99.0 0.0.0.255",
            " 20 permit 10.20.98.0 0.0.0.255",
            " 30 deny any log",
            " exit",
            "line vty 0 4",
            " access-class MGMT-ACCESS in",
            " exit",
        ],
    ),
    (
        "acl: spacing is not a difference",
        "ip access-list standard MGMT-ACCESS\n permit 10.20.99.0 0.0.0.255\n deny any log\n",
        ["acl"],
        [],
    ),
    # -- show-run form, defaults shown only when off --------------------------------------------
    (
        "domain: 'ip domain-name' is 'ip domain name'",
        "ip domain-name school.obec.go.th\n",
        ["domain"],
        [],
    ),
    (
        "domain: replaced in place",
        "ip domain name esao.go.th\n",
        ["domain"],
        ["ip domain name esao.go.th"],
    ),
    ("dns-lookup: already off", "no ip domain lookup\n", ["dns-lookup"], []),
    ("http: off", "no ip http server\nno ip http secure-server\n", ["http"], ["no ip http server"]),
    ("timezone: same", "clock timezone ICT 7 0\n", ["timezone"], []),
    (
        "timezone: replaced in place",
        "clock timezone ICT 7\n",
        ["timezone"],
        ["clock timezone ICT 7"],
    ),
    (
        "timestamps: replaced in place",
        "service timestamps log datetime msec localtime show-timezone year\n",
        ["timestamps"],
        ["service timestamps log datetime msec localtime show-timezone year"],
    ),
    # -- banners: never through hier_config; single-line form, delimiter not in the text -----------
    (
        "banner: single-line banner, same text",
        "banner login ^CAuthorised use only^C\n",
        ["banner"],
        [],
    ),
    (
        "banner: multi-line form of the same text",
        "banner login ^C\nAuthorised use only\n^C\n",
        ["banner"],
        [],
    ),
    (
        "banner: new single-line text",
        "banner login ^CAuthorised use only. Logged.^C\n",
        ["banner"],
        ["banner login #Authorised use only. Logged.#"],
    ),
    (
        "banner: multi-line text holding '#'",
        "banner login ^C\nRoom #1\nLogged\n^C\n",
        ["banner"],
        ["banner login %", "Room #1", "Logged", "%"],
    ),
    (
        "banner: a motd the device lacks, login kept (not named)",
        "banner motd ^CHello^C\nbanner login ^CAuthorised use only^C\n",
        ["banner"],
        ["banner motd #Hello#"],
    ),
    # -- secrets: never compared, never sent -------------------------------------------------
    (
        "aaa: salted secrets differ per device, never a command",
        (
            "username admin privilege 15 secret 9 $9$other$salt\nenable secret 5 $1$abc$def\n"
            "service password-encryption\nno aaa new-model\n"
        ),
        ["aaa"],
        ["service password-encryption"],
    ),
    (
        "aaa: type 7 password in the intended config is not sent",
        "username backup privilege 15 password 7 0822455D0A16\nno aaa new-model\nno service password-encryption\n",
        ["aaa"],
        [],
    ),
    # -- interfaces: only those named, settings replaced in place ------------------------------
    (
        "interfaces: access VLAN replaced in place (no moment in VLAN 1)",
        "interface GigabitEthernet1/0/2\n description DIRECTOR-ROOM\n switchport access vlan 20\n switchport mode access\n",
        ["interfaces"],
        ["interface GigabitEthernet1/0/2", " switchport access vlan 20", " exit"],
    ),
]


@pytest.mark.parametrize("what, intended, features, expected", CASES, ids=[c[0] for c in CASES])
def test_ios_remediation(what, intended, features, expected):
    result = remediation("cisco_ios", BASE, intended, features)
    assert list(result.commands) == expected


def test_applying_the_intended_config_to_itself_is_nothing():
    for _what, intended, features, _expected in CASES:
        assert remediation("cisco_ios", intended, intended, features).empty


def test_secrets_are_noted():
    result = remediation(
        "cisco_ios", BASE, "username admin privilege 15 secret 9 $9$x$y\n", ["aaa"]
    )
    assert result.empty
    assert any("secret" in note for note in result.notes)


def test_end_and_anything_after_it_are_ignored():
    intended = (
        "ntp server 203.0.113.5\nntp server time.navy.mi.th\nend\nntp server 192.0.2.1\nSW-1#\n"
    )
    assert remediation("cisco_ios", BASE, intended, ["ntp"]).empty


def test_a_masked_config_is_refused():
    masked = BASE.replace("snmp-server community public RO", "snmp-server community <removed> RO")
    with pytest.raises(MaskedConfigError, match="masked"):
        remediation("cisco_ios", masked, "ntp server time.navy.mi.th\n", ["ntp"])


def test_an_intended_line_outside_the_features_is_an_error():
    with pytest.raises(
        FeatureError, match="'hostname SW-2' is in none of the features named \\(ntp\\)"
    ):
        remediation("cisco_ios", BASE, "ntp server time.navy.mi.th\nhostname SW-2\n", ["ntp"])


def test_an_unknown_feature_names_the_known_ones():
    with pytest.raises(
        FeatureError, match="unknown feature 'ntpd' for cisco_ios; known: hostname, timezone, ntp"
    ):
        remediation("cisco_ios", BASE, "ntp server time.navy.mi.th\n", ["ntpd"])


def test_features_default_to_those_the_intended_config_has_lines_of():
    result = remediation("cisco_ios", BASE, "ntp server time.navy.mi.th\nno vlan 30\n")
    assert result.features == ("ntp", "vlan")
    assert list(result.commands) == ["no vlan 30", "no ntp server 203.0.113.5"]
    assert result.for_feature("vlan") == ("no vlan 30",)


@pytest.mark.parametrize(
    "running, intended, expected",
    [
        ("no ip domain lookup\n", "ip domain lookup\n", ["ip domain lookup"]),
        ("hostname SW\n", "ip domain lookup\n", []),  # on already: IOS shows nothing for it
        ("hostname SW\n", "no ip domain lookup\n", ["no ip domain lookup"]),
        ("no ip domain lookup\n", "no ip domain lookup\n", []),
    ],
)
def test_features_on_by_default_show_only_when_off(running, intended, expected):
    assert list(remediation("cisco_ios", running, intended, ["dns-lookup"]).commands) == expected


def test_an_off_state_the_intended_config_does_not_mention_is_left_alone():
    running = "no service password-encryption\nno aaa new-model\n"
    assert remediation("cisco_ios", running, "aaa new-model\n", ["aaa"]).commands == (
        "aaa new-model",
    )
