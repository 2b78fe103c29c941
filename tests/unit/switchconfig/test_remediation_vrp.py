"""Scoped remediation on Huawei VRP: (running, intended, features) -> the exact commands."""

from __future__ import annotations

import pytest

from ictops.switchconfig import remediation

BASE = """\
!Software Version V200R011C10SPC500
!Last configuration was updated at 2025-01-06 10:00:00+07:00
#
sysname HW-1
#
clock timezone ICT add 07:00:00
#
vlan batch 10 20 30 99
#
vlan 20
 description STUDENT
#
aaa
 local-user admin password irreversible-cipher $1a$Vz3kP8q2mN$wX7yR5tU1iO9pA3sD6fG8hJ0kL2zX4cV6bN8mQ0w$
 local-user admin privilege level 15
#
interface GigabitEthernet0/0/2
 description DIRECTOR-ROOM
 port link-type access
 port default vlan 10
#
interface Vlanif99
 ip address 10.20.99.5 255.255.255.0
#
info-center loghost 10.20.0.10
snmp-agent
snmp-agent community read public
#
stelnet server enable
#
header login information "Authorised use only"
#
user-interface con 0
 authentication-mode aaa
user-interface vty 0 4
 authentication-mode aaa
 idle-timeout 30 0
 protocol inbound all
#
ntp-service unicast-server 203.0.113.5
ntp-service unicast-server time.navy.mi.th
#
return
<HW-1>
"""

CASES = [
    (
        "ntp: wrong server out, Thai server in",
        "ntp-service unicast-server time1.nimt.or.th\nntp-service unicast-server time.navy.mi.th\n",
        ["ntp"],
        [
            "undo ntp-service unicast-server 203.0.113.5",
            "ntp-service unicast-server time1.nimt.or.th",
        ],
    ),
    (
        "ntp: same servers: nothing",
        "ntp-service unicast-server time.navy.mi.th\nntp-service unicast-server 203.0.113.5\n",
        ["ntp"],
        [],
    ),
    (
        "logging: log host and source",
        "info-center loghost 10.20.0.11\ninfo-center loghost source Vlanif99\n",
        ["logging"],
        [
            "undo info-center loghost 10.20.0.10",
            "info-center loghost 10.20.0.11",
            "info-center loghost source Vlanif99",
        ],
    ),
    # -- vlan batch is a set: adding never rewrites (or undoes) the others --------------------
    (
        "vlan: batch adds only the missing VLANs",
        "vlan batch 10 40 41 42\n",
        ["vlan"],
        ["vlan batch 40 to 42"],
    ),
    ("vlan: the VLANs exist: nothing", "vlan batch 99 10\n", ["vlan"], []),
    ("vlan: explicit removal", "undo vlan batch 30\n", ["vlan"], ["undo vlan batch 30"]),
    ("vlan: removing an absent VLAN is nothing", "undo vlan batch 50\n", ["vlan"], []),
    (
        "vlan: a description on an existing VLAN",
        "vlan 10\n description STAFF\n",
        ["vlan"],
        ["vlan 10", " description STAFF", " quit"],
    ),
    (
        "vlan: description replaced in place",
        "vlan 20\n description STUDENTS\n",
        ["vlan"],
        ["vlan 20", " description STUDENTS", " quit"],
    ),
    (
        "vlan: a new VLAN with a description, and one without",
        "vlan batch 41\nvlan 40\n description GUEST\n",
        ["vlan"],
        ["vlan batch 41", "vlan 40", " description GUEST", " quit"],
    ),
    # -- replace-in-place rules: no undo first -----------------------------------------------
    (
        "interfaces: port default vlan replaced in place",
        "interface GigabitEthernet0/0/2\n description DIRECTOR-ROOM\n port link-type access\n port default vlan 20\n",
        ["interfaces"],
        ["interface GigabitEthernet0/0/2", " port default vlan 20", " quit"],
    ),
    (
        "interfaces: description replaced in place",
        "interface GigabitEthernet0/0/2\n description DIRECTOR\n port link-type access\n port default vlan 10\n",
        ["interfaces"],
        ["interface GigabitEthernet0/0/2", " description DIRECTOR", " quit"],
    ),
    (
        "vty: protocol inbound replaced in place, idle-timeout back to its default, an ACL added",
        "user-interface vty 0 4\n acl 2099 inbound\n authentication-mode aaa\n idle-timeout 10 0\n protocol inbound ssh\n",
        ["vty"],
        [
            "user-interface vty 0 4",
            " undo idle-timeout",
            " acl 2099 inbound",
            " protocol inbound ssh",
            " quit",
        ],
    ),
    (
        "vty: the default idle-timeout is never shown",
        "user-interface con 0\n authentication-mode aaa\n idle-timeout 10 0\n",
        ["vty"],
        [],
    ),
    ("hostname: sysname replaced in place", "sysname HW-2\n", ["hostname"], ["sysname HW-2"]),
    ("timezone: same", "clock timezone ICT add 07:00:00\n", ["timezone"], []),
    # -- on by default, shown only when off ---------------------------------------------------
    (
        "http: off (on while the config shows nothing)",
        "undo http server enable\n",
        ["http"],
        ["undo http server enable"],
    ),
    (
        "ssh: telnet off when already off is nothing",
        "stelnet server enable\nundo telnet server enable\n",
        ["ssh"],
        [],
    ),
    # -- banners (headers): apart from hier_config --------------------------------------------
    ("banner: same header", 'header login information "Authorised use only"\n', ["banner"], []),
    (
        "banner: new header text",
        'header login information "Authorised use only. Logged."\n',
        ["banner"],
        ['header login information "Authorised use only. Logged."'],
    ),
    # -- secrets inside a section are never compared or sent ------------------------------------
    (
        "aaa: the salted password is not compared",
        "aaa\n local-user admin password irreversible-cipher $1a$other$salt$\n local-user admin privilege level 15\n",
        ["aaa"],
        [],
    ),
]


@pytest.mark.parametrize("what, intended, features, expected", CASES, ids=[c[0] for c in CASES])
def test_vrp_remediation(what, intended, features, expected):
    assert list(remediation("huawei_vrp", BASE, intended, features).commands) == expected


def test_applying_the_intended_config_to_itself_is_nothing():
    for _what, intended, features, _expected in CASES:
        assert remediation("huawei_vrp", intended, intended, features).empty


def test_return_and_the_prompt_after_it_are_ignored():
    intended = "sysname HW-1\nreturn\nsysname OTHER\n"
    assert remediation("huawei_vrp", BASE, intended, ["hostname"]).empty
