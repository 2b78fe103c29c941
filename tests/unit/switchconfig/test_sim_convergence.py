"""Commands computed from the simulator's running-config, pushed back, converge; rollback restores.

The sample inventory's golden templates on every sample switch and every lab profile: the
remediation touches nothing outside the template's features (never a VLAN removal), the
simulator takes every line, re-planning after the push is empty, and the rollback list brings
the running-config back to the pre-change config, normalised equal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.compliance.configtree import parse_config
from ictops.compliance.templating import render_intended
from ictops.inventory import load_inventory
from ictops.lab.switchsim.configs import PROFILES
from ictops.switchconfig import normalised_equal, remediation, rollback
from ictops.switchconfig.features import features_named
from ictops.switchconfig.showrun import normal_form

from .sim import SimSwitch

REPO = Path(__file__).resolve().parents[3]
INVENTORY = load_inventory(REPO / "inventory", REPO)
SWITCHES = [h for h in INVENTORY.hosts.values() if h.is_switch]


def _outside(text: str, platform: str, features: tuple[str, ...]) -> list[str]:
    """Top-level lines (with children) of ``text`` in none of ``features``, normalised."""
    chosen = features_named(platform, features)
    everything = normal_form(platform, text)
    return sorted(str(item) for item in everything if not any(f.matches(item[0]) for f in chosen))


def test_every_sample_switch_has_a_template():
    assert {h.platform_name for h in SWITCHES} == {"cisco_ios", "huawei_vrp", "hp_procurve"}
    assert len(SWITCHES) >= 8


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("host", SWITCHES, ids=[h.name for h in SWITCHES])
def test_golden_remediation_stays_in_its_features_and_converges(host, profile):
    switch = SimSwitch(host.platform_name, profile, host.name.upper())
    before = switch.running()
    intended = render_intended(REPO / "templates", host)
    plan = remediation(host.platform_name, before, intended)
    assert not plan.empty
    assert all(feature in plan.features for feature, _ in plan.blocks)
    assert not [c for c in plan.commands if c.startswith(("no vlan", "undo vlan"))]

    assert switch.push(plan.commands) == []
    after = switch.running()
    assert remediation(host.platform_name, after, intended).empty
    assert _outside(after, host.platform_name, plan.features) == _outside(
        before, host.platform_name, plan.features
    )
    vlans = [
        r.text for r in parse_config(before, host.platform_name).roots if r.text.startswith("vlan")
    ]
    assert all(v in after for v in vlans)

    back = rollback(host.platform_name, after, before, plan.features)
    assert switch.push(back.commands) == []
    final = switch.running()
    assert normalised_equal(host.platform_name, before, final)
    assert rollback(host.platform_name, final, before, plan.features).empty


CHANGES = {
    "cisco_ios": (
        (
            "ntp server time1.nimt.or.th\nntp server time.navy.mi.th\nlogging host 10.20.0.11\n"
            "logging trap informational\nvlan 40\n name GUEST\n"
        ),
        ["ntp", "logging", "vlan"],
    ),
    "huawei_vrp": (
        (
            "ntp-service unicast-server time1.nimt.or.th\nntp-service unicast-server time.navy.mi.th\n"
            "info-center loghost 10.20.0.11\nvlan batch 40\nvlan 40\n description GUEST\n"
        ),
        ["ntp", "logging", "vlan"],
    ),
}


@pytest.mark.parametrize("platform", sorted(CHANGES))
def test_ntp_logging_and_a_vlan_then_rollback(platform):
    switch = SimSwitch(platform, "typical")
    before = switch.running()
    intended, features = CHANGES[platform]
    plan = remediation(platform, before, intended, features)
    assert switch.push(plan.commands) == []
    after = switch.running()
    assert remediation(platform, after, intended, features).empty
    assert not normalised_equal(platform, before, after)
    assert normalised_equal(platform, before, after, ["hostname", "interfaces", "snmp", "aaa"])

    back = rollback(platform, after, before, features)
    assert any(c.startswith(("no vlan 40", "undo vlan batch 40")) for c in back.commands)
    assert switch.push(back.commands) == []
    assert normalised_equal(platform, before, switch.running())
