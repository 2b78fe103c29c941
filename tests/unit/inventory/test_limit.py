"""The -l/--limit language: names, globs, groups, key=value, and/or/not, parentheses."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.errors import LimitError
from ictops.inventory import load_inventory

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def inv():
    return load_inventory(REPO / "inventory", REPO)


def names(inv, limit):
    return [h.name for h in inv.select(limit)]


@pytest.mark.parametrize(
    "limit, expected",
    [
        ("ao-srv-web", ["ao-srv-web"]),
        ("phukhieo-*", ["phukhieo-srv", "phukhieo-sw-core", "phukhieo-sw-lab"]),
        ("huawei", ["phukhieo-sw-lab", "khonsan-sw-core", "banthaen-sw-lab"]),
        ("switches and sch_khonsan", ["khonsan-sw-core"]),
        ("sch_khonsan & role=server", ["khonsan-srv"]),
        ("ao-srv-web,ao-srv-log", ["ao-srv-web", "ao-srv-log"]),
        ("ao-srv-web or ao-sw-core", ["ao-srv-web", "ao-sw-core"]),
        ("area_office and not role=server", ["ao-sw-core"]),
        ("area_office and !servers", ["ao-sw-core"]),
        ("area_office and role!=server", ["ao-sw-core"]),
        ("(huawei or cisco) and site=phukhieo", ["phukhieo-sw-core", "phukhieo-sw-lab"]),
        ("school_code=1036300401", ["khonsan-srv", "khonsan-sw-core"]),
        ("district='คอนสาร'", ["khonsan-srv", "khonsan-sw-core"]),
        ("school=*แก้งคร้อ*", ["kaengkhro-srv", "kaengkhro-sw-core", "kaengkhro-sw-lab"]),
        ("procurve", ["kaengkhro-sw-lab", "nongbuadaeng-sw-lab"]),
        ("services=syslog", ["ao-srv-log"]),
        ("lab.profile=noncompliant", ["chatturat-srv", "chatturat-sw-lab"]),
        ("lab.profile=noncompliant and role=switch", ["chatturat-sw-lab"]),
        ("platform=huawei_vrp AND site=khonsan", ["khonsan-sw-core"]),
    ],
)
def test_selects(inv, limit, expected):
    assert names(inv, limit) == expected


def test_and_binds_tighter_than_or(inv):
    assert names(inv, "ao-srv-web or huawei and site=khonsan") == ["ao-srv-web", "khonsan-sw-core"]


def test_no_limit_selects_all(inv):
    assert len(inv.select(None)) == len(inv.hosts)


@pytest.mark.parametrize("limit", ["", "  ", "\t"])
def test_an_empty_limit_is_refused(inv, limit):
    """A script with an empty variable (-l "$SCHOOL") must not act on the whole district."""
    with pytest.raises(LimitError) as info:
        inv.select(limit)
    assert str(info.value) == (
        f"limit '{limit}' is empty; leave -l out, or write -l all, to act on every host"
    )


def test_all_selects_every_host_as_in_ansible(inv):
    assert names(inv, "all") == list(inv.hosts)
    assert names(inv, "all and role=switch") == names(inv, "role=switch")
    assert names(inv, "all and not huawei") == names(inv, "not huawei")


@pytest.mark.parametrize(
    "limit, message",
    [
        ("rol=server", "unknown key 'rol' (did you mean 'role'?)"),
        ("phukhieo-srvv", "'phukhieo-srvv' is no host or group (did you mean 'phukhieo-srv'?)"),
        ("(huawei", "ends too early"),
        ("huawei)", "unexpected ')'"),
        ("huawei and", "ends too early"),
        ("role=", "ends too early"),
        ("site=nowhere", "selects no hosts"),
        ("and huawei", "expected a host, group or key=value"),
    ],
)
def test_errors(inv, limit, message):
    with pytest.raises(LimitError) as info:
        inv.select(limit)
    assert message in str(info.value)
