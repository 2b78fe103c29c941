"""Merge: lines added to what a switch has (switch_config merge: true), as data, and the
th-baseline remediation merged into non-compliant simulated switches makes its rules pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.compliance import StaticEvidence, evaluate, load_pack, pack_path
from ictops.inventory import load_inventory
from ictops.switchconfig import remediation
from ictops.switchconfig.features import FeatureError
from ictops.switchconfig.merge import merged

from .sim import SimSwitch

REPO = Path(__file__).resolve().parents[3]


def _commands(platform: str, running: str, lines: str, features=None) -> tuple[str, ...]:
    intended, chosen = merged(platform, running, lines, features)
    return remediation(platform, running, intended, chosen).commands


CASES = [
    # (what, platform, lines, expected commands on the typical lab switch)
    ("a server added, the other kept", "cisco_ios", "ntp server time1.nimt.or.th",
     ("ntp server time1.nimt.or.th",)),
    ("a log host added, the old one stays", "cisco_ios", "logging host 10.20.0.11",
     ("logging host 10.20.0.11",)),
    ("a negation removes", "cisco_ios", "no logging host 10.20.0.10",
     ("no logging host 10.20.0.10",)),
    ("a single value replaced", "cisco_ios", "clock timezone GMT 0 0", ("clock timezone GMT 0 0",)),
    ("X over no X", "cisco_ios", "service password-encryption", ("service password-encryption",)),
    ("a hidden default set", "cisco_ios", "line vty 0 4\n exec-timeout 10 0",
     ("line vty 0 4", " no exec-timeout 30 0", " exit")),
    ("a VLAN added to the batch", "huawei_vrp", "vlan batch 40", ("vlan batch 40",)),
    ("a VRP log host added", "huawei_vrp", "info-center loghost 10.20.0.11",
     ("info-center loghost 10.20.0.11",)),
]


@pytest.mark.parametrize("what, platform, lines, expected", CASES, ids=[c[0] for c in CASES])
def test_merge(what: str, platform: str, lines: str, expected: tuple[str, ...]) -> None:
    switch = SimSwitch(platform)
    running = switch.running()
    commands = _commands(platform, running, lines + "\n")
    assert commands == expected
    assert switch.push(commands) == []
    assert _commands(platform, switch.running(), lines + "\n") == ()  # the no-op


def test_a_line_outside_the_features_named_is_refused() -> None:
    with pytest.raises(FeatureError, match="line 'hostname X' is in none of the features"):
        merged("cisco_ios", SimSwitch("cisco_ios").running(), "hostname X\n", ["ntp"])


@pytest.mark.parametrize("name", ["phukhieo-sw-core", "phukhieo-sw-lab"])
def test_baseline_remediation_merged_makes_its_rules_pass(name: str) -> None:
    """What a switch_config merge of the audit's remediation does: every failing rule whose
    fix has generated commands passes afterwards, except NET-MGMT-05, whose commands name the
    SNMP communities (secrets are never sent: set by hand)."""
    host = load_inventory(REPO / "inventory", REPO).hosts[name]
    pack = load_pack(pack_path(REPO, "th-baseline"))
    switch = SimSwitch(host.platform_name, "noncompliant", name.upper())

    def failing() -> dict[str, tuple[str, ...]]:
        config = switch.running()
        found = evaluate(pack, host, StaticEvidence(config, startup=config, age_days=0, saved=True))
        return {r.rule_id: r.remediation for r in found.results if r.status.value == "fail"}

    before = failing()
    lines = "".join(line + "\n" for commands in before.values() for line in commands)
    assert switch.push(_commands(host.platform_name, switch.running(), lines)) == []
    fixed = {rule for rule, commands in before.items() if commands} - {"NET-MGMT-05"}
    assert len(fixed) >= 5 and not fixed & set(failing())


def test_a_line_of_another_platform_says_so() -> None:
    """An IOS line pushed to a VRP switch belongs to none of its features: said as such, not
    as "none of the features named (none)"."""
    with pytest.raises(FeatureError) as caught:
        merged("huawei_vrp", SimSwitch("huawei_vrp").running(), "ntp server 10.20.0.9\n", None)
    assert str(caught.value) == (
        "the lines given: line 'ntp server 10.20.0.9' is in no feature ictops knows for this "
        "platform: is it written for another platform? (features: "
        "ictops/data/golden_features.yaml)")
