"""An import into an inventory people wrote: their comments, order and keys stay."""

from __future__ import annotations

import difflib
from pathlib import Path

from ictops.inventory import load_inventory
from ictops.inventory.importers import plan_import, write_plan
from tests.fixtures import registers as reg

HOSTS = """\
# The district's hosts, written by hand.

# --- area office -------------------------------------------------------------
ao-sw-core:
  hostname: 10.36.0.2
  groups: [cisco]
  data: {model: WS-C3850-24T, rack: A1}   # the rack is written by hand

nongbua-sw-core:
  hostname: 10.36.1.254   # moved to .254 last year; the register is behind
  groups: [cisco, sch_1036010001]
  data:
    note: ห้ามปิดเครื่อง
"""
GROUPS = """\
# Kinds of device first.
cisco:
  platform: cisco_ios
  role: switch
  username: admin
  password: {env: ICTOPS_SW_PASSWORD}

# --- places ------------------------------------------------------------------
sch_1036010001:
  school: {name: โรงเรียนบ้านหนองบัว, code: "1036010001"}
  site: nongbua

# --- the area office ---------------------------------------------------------
area_office:
  site: area-office
"""
DEFAULTS = "port: 22\n"


def project(tmp_path: Path) -> Path:
    inv = tmp_path / "project" / "inventory"
    inv.mkdir(parents=True)
    (inv / "hosts.yaml").write_text(HOSTS, encoding="utf-8")
    (inv / "groups.yaml").write_text(GROUPS, encoding="utf-8")
    (inv / "defaults.yaml").write_text(DEFAULTS, encoding="utf-8")
    return inv.parent


def register(tmp_path: Path) -> Path:
    rows = [r for r in reg.rows()[:8]]  # the first school's eight devices
    return reg.write_csv(tmp_path / "register.csv", reg.sheet(rows))


def removed_lines(old: str, new: str) -> list[str]:
    return [line for line in difflib.ndiff(old.splitlines(), new.splitlines()) if line.startswith("- ")]


def test_merge_keeps_comments_order_and_hand_written_keys(tmp_path):
    root = project(tmp_path)
    plan = plan_import(register(tmp_path), "register.csv", root / "inventory", root)
    write_plan(plan, root / "inventory")
    hosts = (root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    groups = (root / "inventory" / "groups.yaml").read_text(encoding="utf-8")
    assert removed_lines(HOSTS, hosts) == [] and removed_lines(GROUPS, groups) == []
    assert hosts.startswith(HOSTS.rstrip("\n").rsplit("\n", 1)[0])  # the old text, then more
    assert "\n# --- imported from register.csv " in hosts
    assert (root / "inventory" / "defaults.yaml").read_text() == DEFAULTS  # untouched, byte for byte
    # the register's address for nongbua-sw-core differs: the inventory's value is kept and said
    assert plan.kept == ["host 'nongbua-sw-core' hostname: kept '10.36.1.254' (the source says '10.36.1.2')"]
    inv = load_inventory(root / "inventory", root)
    core = inv.host("nongbua-sw-core")
    assert core.hostname == "10.36.1.254"
    assert dict(core.data) == {"note": "ห้ามปิดเครื่อง", "model": "Cisco Catalyst 2960-X 24GigE",
                               "asset_number": "7440-001-0001/2566", "location": "ห้องเซิร์ฟเวอร์"}
    # the existing school group got its district; the hand-written flow mapping stays as it was
    assert ('  school: {name: โรงเรียนบ้านหนองบัว, code: "1036010001"}\n  site: nongbua\n'
            '  groups: [dist_เมืองชัยภูมิ]\n\n# --- the area office ---') in groups
    assert core.district == "เมืองชัยภูมิ"
    # inherited values are not repeated on the host: platform and role come from 'cisco'
    block = hosts.split("nongbua-sw-core:")[1].split("\n\n")[0]
    assert "platform" not in block and "role" not in block
    assert len(inv) == 2 + 5  # 6 managed devices, one of which was there


def test_update_takes_the_sources_values_and_changes_only_those_lines(tmp_path):
    root = project(tmp_path)
    write_plan(plan_import(register(tmp_path), "register.csv", root / "inventory", root), root / "inventory")
    before = (root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    plan = plan_import(register(tmp_path), "register.csv", root / "inventory", root, update=True)
    write_plan(plan, root / "inventory")
    after = (root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    changed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]
    assert changed == [
        "-   hostname: 10.36.1.254   # moved to .254 last year; the register is behind",
        "+   hostname: 10.36.1.2     # moved to .254 last year; the register is behind",  # same column
    ]


def test_a_second_import_changes_nothing(tmp_path):
    root = project(tmp_path)
    write_plan(plan_import(register(tmp_path), "register.csv", root / "inventory", root), root / "inventory")
    plan = plan_import(register(tmp_path), "register.csv", root / "inventory", root)
    assert [c.name for c in plan.changes if c.changed] == []
    assert write_plan(plan, root / "inventory") == []


def test_a_reference_in_place_is_kept_and_not_asked_for_again(tmp_path):
    root = project(tmp_path)
    source = tmp_path / "hosts.ini"
    source.write_text("[cisco]\nao-sw-core ansible_host=10.36.0.2\n[cisco:vars]\n"
                      "ansible_network_os=ios\nansible_password=hunter2\n[extra]\nsw-x ansible_host=10.36.0.9 "
                      "ansible_network_os=ios ansible_password=hunter3\n")
    plan = plan_import(source, "hosts.ini", root / "inventory", root)
    write_plan(plan, root / "inventory")
    groups = (root / "inventory" / "groups.yaml").read_text()
    assert "  password: {env: ICTOPS_SW_PASSWORD}\n" in groups
    assert [s.describe() for s in plan.draft.secrets] == ["file:state/secrets/host-sw-x-password"]
    text = "".join(p.read_text() for p in (root / "inventory").iterdir())
    assert "hunter" not in text
