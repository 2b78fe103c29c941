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
    # nothing is overwritten silently: each value the source's replaced is listed
    assert plan.replaced == ["host 'nongbua-sw-core' hostname: '10.36.1.254' -> '10.36.1.2'"]
    assert plan.kept == []


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


def test_files_the_import_does_not_change_are_left_byte_for_byte_and_keep_their_mode(tmp_path):
    root = project(tmp_path)
    inv = root / "inventory"
    (inv / "defaults.yaml").write_text("port:   22    # the district's SSH port\n", encoding="utf-8")
    (inv / "groups.yaml").chmod(0o640)
    write_plan(plan_import(register(tmp_path), "register.csv", inv, root), inv)
    assert (inv / "defaults.yaml").read_text(encoding="utf-8") == "port:   22    # the district's SSH port\n"
    assert (inv / "groups.yaml").stat().st_mode & 0o777 == 0o640  # rewritten, its mode kept
    assert "dist_เมืองชัยภูมิ" in (inv / "groups.yaml").read_text(encoding="utf-8")


def test_a_host_whose_group_holds_the_password_gets_no_reference_of_its_own(tmp_path):
    root = project(tmp_path)
    source = tmp_path / "hosts.ini"
    # nongbua-sw-core is in 'cisco', whose password is {env: ICTOPS_SW_PASSWORD}
    source.write_text("[switches]\nnongbua-sw-core ansible_host=10.36.1.254 ansible_network_os=ios "
                      "ansible_password=hunter2 ansible_become_password=hunter3\n")
    plan = plan_import(source, "hosts.ini", root / "inventory", root)
    write_plan(plan, root / "inventory")
    hosts = (root / "inventory" / "hosts.yaml").read_text(encoding="utf-8")
    block = hosts.split("nongbua-sw-core:")[1].split("\n\n")[0]
    assert "password" not in block  # the group's reference stands
    assert "enable_secret: {file: state/secrets/host-nongbua-sw-core-enable_secret}" in block  # none before
    assert [s.describe() for s in plan.draft.secrets] == ["file:state/secrets/host-nongbua-sw-core-enable_secret"]
    core = load_inventory(root / "inventory", root).host("nongbua-sw-core")
    assert core.password is not None and core.password.env == "ICTOPS_SW_PASSWORD"


def test_update_lists_inherited_and_group_values_it_replaces(tmp_path):
    root = project(tmp_path)
    rows = [r for r in reg.rows()[:8]]
    rows[0][6] = "Huawei S5720-28X-LI-AC"  # the register says the core is a Huawei (its group: cisco)
    for row in rows:
        row[1] = "โรงเรียนบ้านหนองบัว (ใหม่)"  # and the school has a new name
    source = reg.write_csv(tmp_path / "register.csv", reg.sheet(rows))
    plan = plan_import(source, "register.csv", root / "inventory", root)
    assert plan.kept == [
        "host 'nongbua-sw-core' hostname: kept '10.36.1.254' (the source says '10.36.1.2')",
        "host 'nongbua-sw-core' platform: kept 'cisco_ios' (the source says 'huawei_vrp')",
        "group 'sch_1036010001' school.name: kept 'โรงเรียนบ้านหนองบัว' (the source says 'โรงเรียนบ้านหนองบัว (ใหม่)')",
    ]
    plan = plan_import(source, "register.csv", root / "inventory", root, update=True)
    assert plan.replaced == [
        "host 'nongbua-sw-core' hostname: '10.36.1.254' -> '10.36.1.2'",
        "host 'nongbua-sw-core' platform: 'cisco_ios' -> 'huawei_vrp'",  # inherited from 'cisco'
        "group 'sch_1036010001' school.name: 'โรงเรียนบ้านหนองบัว' -> 'โรงเรียนบ้านหนองบัว (ใหม่)'",
    ]
    write_plan(plan, root / "inventory")
    inv = load_inventory(root / "inventory", root)
    assert inv.host("nongbua-sw-core").platform_name == "huawei_vrp"
    assert inv.host("nongbua-sw-core").school.name == "โรงเรียนบ้านหนองบัว (ใหม่)"
