"""Scoped remediation on HP ProCurve (ProVision): (running, intended, features) -> the exact
commands, each as the device takes it (ictops/data/switch_rules.yaml, hp_procurve)."""

from __future__ import annotations

import pytest

from ictops.switchconfig import remediation

NTP = "ntp server 203.0.113.5 iburst\nntp server time.navy.mi.th iburst\n"
BASE = f"""\
; J9773A Configuration Editor; Created on release #YA.16.10.0009
; Ver #14:01.4c.59.f4.7b.ff.ff.fc.ff.ff.3f.ef:05
hostname "SW-HP"
no telnet-server
timesync ntp
ntp unicast
{NTP}ntp enable
time timezone 480
console idle-timeout 600
ip authorized-managers 10.9.99.0 255.255.255.0 access manager
logging 10.20.0.10
vlan 1
   name "DEFAULT_VLAN"
   untagged 1-24
   exit
"""
INTENDED_NTP = (
    "timesync ntp\nntp unicast\nntp server time1.nimt.or.th iburst\n"
    "ntp server time.navy.mi.th iburst\nntp enable\n"
)

CASES = [
    # `no ntp server ADDRESS` takes no options
    ("ntp: a wrong server out, a Thai one in", BASE, INTENDED_NTP, ["ntp"],
     ["no ntp server 203.0.113.5", "ntp server time1.nimt.or.th iburst"]),
    # NTP is chosen before its servers are set and turned on after them
    ("ntp: from nothing", BASE.replace(f"timesync ntp\nntp unicast\n{NTP}ntp enable\n", ""),
     INTENDED_NTP, ["ntp"],
     ["timesync ntp", "ntp unicast", "ntp server time1.nimt.or.th iburst",
      "ntp server time.navy.mi.th iburst", "ntp enable"]),
    # a single value is replaced where it stands, no `no time timezone 480` first
    ("timezone: replaced in place", BASE, "time timezone 420\n", ["timezone"],
     ["time timezone 420"]),
    ("management: another manager network", BASE,
     "console idle-timeout 600\nip authorized-managers 10.20.99.0 255.255.255.0 access manager\n",
     ["management"],
     ["no ip authorized-managers 10.9.99.0 255.255.255.0",
      "ip authorized-managers 10.20.99.0 255.255.255.0 access manager"]),
    # no idle timeout is a timeout of 0 (`no console idle-timeout` is not taken)
    ("management: the idle timeout removed", BASE,
     "ip authorized-managers 10.9.99.0 255.255.255.0 access manager\n", ["management"],
     ["console idle-timeout 0"]),
    # telnet, web management and ssh show only as `no X` when off
    ("management: web off, shown by nothing while on", BASE,
     "console idle-timeout 600\nip authorized-managers 10.9.99.0 255.255.255.0 access manager\n"
     "no web-management\n", ["management"], ["no web-management"]),
    ("management: web on already", BASE,
     "console idle-timeout 600\nip authorized-managers 10.9.99.0 255.255.255.0 access manager\n"
     "web-management\n", ["management"], []),
    ("management: telnet on over its `no`", BASE,
     "console idle-timeout 600\nip authorized-managers 10.9.99.0 255.255.255.0 access manager\n"
     "telnet-server\n", ["management"], ["telnet-server"]),
]


@pytest.mark.parametrize("what, running, intended, features, expected", CASES,
                         ids=[c[0] for c in CASES])
def test_procurve_remediation(what, running, intended, features, expected):
    assert list(remediation("hp_procurve", running, intended, features).commands) == expected


def test_applying_the_intended_config_to_itself_is_nothing():
    """(An intended `web-management` is left out: the device never shows a feature on.)"""
    for _what, _running, intended, features, _expected in CASES:
        if "\nweb-management" in intended or "\ntelnet-server" in intended:
            continue
        assert remediation("hp_procurve", intended, intended, features).empty
