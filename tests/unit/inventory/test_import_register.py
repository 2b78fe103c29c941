"""Importing an asset register: a 200-row Thai CSV and an .xlsx, good and broken."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from ictops.errors import InputError
from ictops.inventory import load_inventory
from ictops.inventory.importers import plan_import, write_plan
from ictops.platforms import platforms
from tests.fixtures import registers as reg


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "inventory").mkdir(parents=True, exist_ok=True)
    return root


def run(root: Path, source: Path, **options):
    plan = plan_import(source, source.name, root / "inventory", root, **options)
    write_plan(plan, root / "inventory")
    return plan


def errors_of(root: Path, source: Path, **options) -> list[str]:
    with pytest.raises(InputError) as info:
        plan_import(source, source.name, root / "inventory", root, **options)
    return str(info.value).splitlines()


def test_a_200_row_thai_register_becomes_schools_districts_and_hosts(tmp_path):
    root = project(tmp_path)
    source = reg.write_csv(tmp_path / "ทะเบียนครุภัณฑ์.csv", reg.sheet())
    assert len(reg.rows()) == 200
    plan = run(root, source)
    inv = load_inventory(root / "inventory", root)
    assert len(inv) == 150  # 25 schools x 6 managed devices
    assert Counter(h.platform_name for h in inv.hosts.values()) == {
        "cisco_ios": 25, "huawei_vrp": 25, "hp_procurve": 50, "linux": 50}
    assert len(inv.groups) == 25 + 8
    core = inv.host("nongbua-sw-core")
    assert (core.hostname, core.platform_name, core.role) == ("10.36.1.2", "cisco_ios", "switch")
    assert core.school is not None and (core.school.name, core.school.code) == ("โรงเรียนบ้านหนองบัว", "1036010001")
    assert core.district == "เมืองชัยภูมิ"  # from 'อ.เมืองชัยภูมิ', through the district group
    assert core.all_groups == ("sch_1036010001", "dist_เมืองชัยภูมิ")
    assert dict(core.data) == {"model": "Cisco Catalyst 2960-X 24GigE",
                               "asset_number": "7440-001-0001/2566", "location": "ห้องเซิร์ฟเวอร์"}
    # rows without a name get one made from the row: kind, school code, address
    made = inv.host("sw-1036010001-10-36-1-4")
    assert (made.platform_name, made.hostname) == ("hp_procurve", "10.36.1.4")
    assert inv.host("nonsaat-srv").district == "ภูเขียว"  # written 'อำเภอภูเขียว'
    # TP-Link switches and UniFi access points are left out, each with its row
    assert len(plan.draft.left_out) == 50
    first = plan.draft.left_out[0]
    assert (first.where, first.what) == ("ทะเบียนครุภัณฑ์.csv: row 10", "TP-Link TL-SG1024D (10.36.1.8)")
    assert first.reason == "a switch, router or access point without a CLI ictops drives"
    assert plan.draft.secrets == []


def test_made_names_do_not_depend_on_the_order_of_rows(tmp_path):
    forward = run(project(tmp_path / "a"), reg.write_csv(tmp_path / "a.csv", reg.sheet()))
    backward = run(project(tmp_path / "b"), reg.write_csv(tmp_path / "b.csv", reg.sheet(reg.rows()[::-1])))
    assert sorted(forward.draft.hosts) == sorted(backward.draft.hosts)
    assert all(forward.draft.hosts[n].body == backward.draft.hosts[n].body for n in forward.draft.hosts)


def broken_rows() -> list[list[str]]:
    rows = reg.rows()
    rows[reg.row_number(0, 4) - 4][5] = "10.36.1.300"  # a bad IP (row 8)
    rows[reg.row_number(1, 4) - 4][6] = "Acme NetSwitch 9000"  # an unknown brand (row 16)
    rows[reg.row_number(2, 5) - 4][4] = rows[reg.row_number(2, 4) - 4][4]  # a duplicate name (row 25)
    rows[reg.row_number(3, 0) - 4][2] = "10363ABC"  # a bad school code (row 28)
    rows[reg.row_number(4, 1) - 4][5] = ""  # no address (row 37)
    return rows


def test_broken_rows_are_named_by_file_row_and_column_and_nothing_is_written(tmp_path):
    root = project(tmp_path)
    source = reg.write_csv(tmp_path / "register.csv", reg.sheet(broken_rows()))
    assert errors_of(root, source) == [
        "register.csv: row 8, column F 'หมายเลข IP': host 'nongbua-srv': key 'hostname': "
        "'10.36.1.300' is not an IP address: four numbers 0-255 joined by dots (10.36.1.2)",
        "register.csv: row 16, column G 'ยี่ห้อ/รุ่น': 'Acme NetSwitch 9000' matches no platform rule; "
        "write a rule for it in a mapping file (platforms: - {match: ..., platform: ...}) or mark it unmanaged",
        "register.csv: row 25, column E 'ชื่อเครื่อง': duplicate name 'phakdi-srv' (first on row 24); "
        "give each device its own name",
        "register.csv: row 28, column C 'รหัสโรงเรียน': group 'sch_10363ABC': key 'school.code' must be "
        "the school code, 6 to 10 digits (in quotes in YAML), not text '10363ABC'",
        "register.csv: row 37, column F 'หมายเลข IP': empty; every device needs its address (IP)",
    ]
    assert os.listdir(root / "inventory") == []


def test_a_missing_column_names_the_header_row_and_what_to_write(tmp_path):
    root = project(tmp_path)
    drop = reg.HEADER.index("หมายเลข IP")
    header = [h for i, h in enumerate(reg.HEADER) if i != drop]
    rows = [[c for i, c in enumerate(r) if i != drop] for r in reg.rows()]
    source = reg.write_csv(tmp_path / "register.csv", reg.sheet(rows, header))
    assert errors_of(root, source) == [
        "register.csv: row 3: no column for hostname (every device needs its address); looked for "
        "'หมายเลข IP', 'หมายเลขไอพี', 'ไอพี', 'IP', 'IP address', 'ที่อยู่ IP', 'address'; the header has "
        "'ลำดับ', 'ชื่อโรงเรียน', 'รหัสโรงเรียน', 'อำเภอ', 'ชื่อเครื่อง', 'ยี่ห้อ/รุ่น', 'เลขครุภัณฑ์', "
        "'สถานที่ติดตั้ง'; name the column in a mapping file (columns: hostname: YOUR HEADER)"
    ]


def test_an_xlsx_register_reads_like_the_csv(tmp_path):
    csv_plan = run(project(tmp_path / "c"), reg.write_csv(tmp_path / "r.csv", reg.sheet()))
    root = project(tmp_path / "x")
    plan = run(root, reg.write_xlsx(tmp_path / "r.xlsx", reg.sheet()))
    assert {n: e.body for n, e in plan.draft.hosts.items()} == {n: e.body for n, e in csv_plan.draft.hosts.items()}
    # school codes stored as numbers in the workbook are read back as text
    assert plan.draft.groups["sch_1036010001"].body["school"]["code"] == "1036010001"
    assert load_inventory(root / "inventory", root).host("nongbua-sw-core").school.code == "1036010001"


def test_xlsx_errors_name_the_sheet_row_and_column(tmp_path):
    rows = broken_rows()
    source = reg.write_xlsx(tmp_path / "register.xlsx", reg.sheet(rows))
    errors = errors_of(project(tmp_path), source)
    assert errors[0] == (
        "register.xlsx: sheet 'ครุภัณฑ์' row 8, column F 'หมายเลข IP': host 'nongbua-srv': key 'hostname': "
        "'10.36.1.300' is not an IP address: four numbers 0-255 joined by dots (10.36.1.2)")
    assert errors[2].startswith("register.xlsx: sheet 'ครุภัณฑ์' row 25, column E 'ชื่อเครื่อง': duplicate name")
    assert len(errors) == 5


def test_the_sheet_can_be_chosen_and_a_missing_one_is_named(tmp_path):
    source = reg.write_xlsx(tmp_path / "register.xlsx", reg.sheet())
    assert errors_of(project(tmp_path), source, sheet="Sheet9") == [
        "register.xlsx: no sheet 'Sheet9'; the sheets are: ครุภัณฑ์, หมายเหตุ"]
    assert errors_of(project(tmp_path), source, sheet="หมายเหตุ")[0].startswith(
        "register.xlsx: row 1: no header row")


def test_a_thai_windows_874_csv_is_read_and_said_so(tmp_path):
    source = reg.write_csv(tmp_path / "register.csv", reg.sheet(), encoding="cp874")
    plan = run(project(tmp_path), source)
    assert len(plan.draft.hosts) == 150
    assert plan.draft.groups["sch_1036010001"].body["school"]["name"] == "โรงเรียนบ้านหนองบัว"
    assert plan.draft.notes == ["register.csv: read as Thai Windows-874 (not UTF-8); save it as 'CSV UTF-8' to be sure"]


def test_a_mapping_file_names_other_headers_and_adds_platform_rules(tmp_path):
    (tmp_path / "columns.yaml").write_text(
        "columns:\n"
        "  hostname: ที่อยู่ไอพีของอุปกรณ์\n"
        "  name: null\n"
        "platforms:\n"
        "  - {match: 'Acme', platform: cisco_ios}\n"
        "platform_groups:\n"
        "  cisco_ios: [cisco]\n", encoding="utf-8")
    header = ["รหัสโรงเรียน", "ชื่อโรงเรียน", "ชื่อเครื่อง", "ที่อยู่ไอพีของอุปกรณ์", "ยี่ห้อ/รุ่น"]
    rows = [["1036010001", "โรงเรียนบ้านหนองบัว", "core", "10.36.1.2", "Acme NetSwitch 9000"]]
    root = project(tmp_path)
    (root / "inventory" / "hosts.yaml").write_text("old:\n  hostname: 10.0.0.1\n  platform: linux\n")
    (root / "inventory" / "groups.yaml").write_text("cisco:\n  username: admin\n")
    source = reg.write_csv(tmp_path / "register.csv", [header, *rows])
    run(root, source, mapping_file=tmp_path / "columns.yaml")
    host = load_inventory(root / "inventory", root).host("sw-1036010001-10-36-1-2")  # name: null
    assert (host.platform_name, host.username, host.groups) == ("cisco_ios", "admin", ("sch_1036010001", "cisco"))


def test_a_bad_mapping_file_is_named_with_its_line(tmp_path):
    (tmp_path / "columns.yaml").write_text(
        "platforms:\n  - {match: 'Acme', platform: cisco}\ncolums: {}\n", encoding="utf-8")
    source = reg.write_csv(tmp_path / "register.csv", reg.sheet())
    assert errors_of(project(tmp_path), source, mapping_file=tmp_path / "columns.yaml") == [
        f"{tmp_path / 'columns.yaml'}:3: mapping: unknown key 'colums' (did you mean 'columns'?)"]
    (tmp_path / "columns.yaml").write_text("platforms:\n  - {match: 'Acme', platform: cisco}\n")
    assert errors_of(project(tmp_path), source, mapping_file=tmp_path / "columns.yaml") == [
        f"{tmp_path / 'columns.yaml'}:2: unknown platform 'cisco' (did you mean 'cisco_ios'?); use one "
        f"of: {', '.join(sorted(platforms()))}, unmanaged"]


def test_registers_are_read_within_bounds(tmp_path, monkeypatch):
    from ictops.inventory.importers import table

    fifo = tmp_path / "register.csv"
    os.mkfifo(fifo)
    assert errors_of(project(tmp_path), fifo) == [
        "register.csv: a FIFO, not a regular file; ictops reads only regular files: put the real file here"]
    monkeypatch.setattr(table, "MAX_UNPACKED", 1 << 20)
    book = reg.write_xlsx(tmp_path / "big.xlsx", reg.sheet(reg.rows() * 20))
    error = errors_of(project(tmp_path), book)
    assert len(error) == 1 and error[0].startswith("big.xlsx: the workbook unpacks to ")
    assert error[0].endswith("MiB, more than ictops reads (1 MiB); save the register sheet alone, or as CSV")
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    assert errors_of(project(tmp_path), tmp_path / "old.xlsx") == [
        "old.xlsx: an old Excel .xls file; save it from Excel as .xlsx or as 'CSV UTF-8'"]


def test_rows_that_disagree_about_a_school_or_repeat_an_address_are_named(tmp_path):
    rows = reg.rows()
    rows[reg.row_number(0, 1) - 4][1] = "โรงเรียนบ้านหนองบัวใหม่"  # another name for code 1036010001 (row 5)
    rows[reg.row_number(0, 4) - 4][3] = "อำเภอภูเขียว"  # the same school in another district (row 8)
    rows[reg.row_number(1, 0) - 4][2] = ""  # a school without its code (row 12)
    rows[reg.row_number(1, 1) - 4][5] = "10.36.1.2"  # the address of row 4 again (row 13)
    rows[reg.row_number(1, 2) - 4][5] = "10.36.1.5"  # a row without a name, on row 7's address (row 14)
    source = reg.write_csv(tmp_path / "register.csv", reg.sheet(rows))
    root = project(tmp_path)
    assert errors_of(root, source) == [
        "register.csv: row 5, column B 'ชื่อโรงเรียน': school 1036010001 is 'โรงเรียนบ้านหนองบัว' on row 4; "
        "one code, one name",
        "register.csv: row 8, column D 'อำเภอ': school 1036010001 is in another district on row 4",
        "register.csv: row 12, column C 'รหัสโรงเรียน': empty; the school 'โรงเรียนบ้านโนนสะอาด' needs its "
        "code (รหัสโรงเรียน)",
        "register.csv: row 13, column F 'หมายเลข IP': address 10.36.1.2 is also on row 4; each device is one row",
        "register.csv: row 14, column F 'หมายเลข IP': address 10.36.1.5 is also on row 7; each device is one row",
    ]
    assert os.listdir(root / "inventory") == []


def test_cells_are_text_as_the_sheet_shows_them():
    from datetime import date

    from ictops.inventory.importers.table import cell_text

    # Excel keeps every number as a float: a school code typed as a number has no '.0'
    assert [cell_text(v) for v in (1036010001.0, 22.0, 2.5, None, True, date(2023, 10, 1), " a\u00a0 b\ufeff")] == [
        "1036010001", "22", "2.5", "", "TRUE", "2023-10-01", "a b"]


def test_a_register_too_long_or_too_wide_is_refused(tmp_path, monkeypatch):
    from ictops.inventory.importers import table

    source = reg.write_csv(tmp_path / "register.csv", reg.sheet())
    monkeypatch.setattr(table, "MAX_ROWS", 100)
    assert errors_of(project(tmp_path), source) == ["register.csv: more than 100 rows; split the register"]
    monkeypatch.setattr(table, "MAX_ROWS", 1000)
    monkeypatch.setattr(table, "MAX_COLUMNS", 8)
    assert errors_of(project(tmp_path), source) == ["register.csv: row 3 has more than 8 columns"]


def test_the_offices_rules_come_before_the_built_in_ones(tmp_path):
    (tmp_path / "columns.yaml").write_text(
        "platforms:\n  - {match: 'S5720', platform: unmanaged, reason: run by the province's network team}\n",
        encoding="utf-8")
    source = reg.write_csv(tmp_path / "register.csv", reg.sheet())
    plan = run(project(tmp_path), source, mapping_file=tmp_path / "columns.yaml")
    assert "nongbua-sw-lab1" not in plan.draft.hosts
    assert str(plan.draft.left_out[0]) == (
        "register.csv: row 5: Huawei S5720-28X-LI-AC (10.36.1.3): run by the province's network team")
