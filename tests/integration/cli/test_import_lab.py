"""An imported register is a working inventory: the simulated district answers over SSH."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ictops.project import Project
from tests.fixtures import registers as reg
from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab

HEADER = ["ชื่อโรงเรียน", "รหัสโรงเรียน", "อำเภอ", "ชื่อเครื่อง", "หมายเลข IP", "ยี่ห้อ/รุ่น"]
SCHOOL = ["โรงเรียนบ้านหนองบัว", "1036010001", "อำเภอภูเขียว"]
# the project's groups (tests/integration/district.py) hold the lab's usernames, keys, passwords
MAPPING = "platform_groups:\n  linux: [servers]\n  cisco_ios: [cisco]\n  huawei_vrp: [huawei]\n"


def test_a_register_imported_into_a_project_reaches_its_devices(tmp_path):
    root = make_project(tmp_path / "p", servers=[], cisco=[], huawei=[]).root
    (root / "inventory" / "hosts.yaml").write_text("# filled by ictops inventory import\n")
    reg.write_csv(root / "register.csv", [
        ["ทะเบียนครุภัณฑ์ (ทดสอบ)"], HEADER,
        [*SCHOOL, "nongbua-srv", f"{LAB}.43.1", "Dell PowerEdge R740"],
        [*SCHOOL, "", f"{LAB}.43.2", "Cisco Catalyst 2960-X"],
        [*SCHOOL, "nongbua-sw-lab", f"{LAB}.43.3", "Huawei S5720-28X-LI"],
        [*SCHOOL, "nongbua-sw-office", f"{LAB}.43.4", "TP-Link TL-SG1024D"],
    ])
    (root / "columns.yaml").write_text(MAPPING)
    proc = subprocess.run(
        [sys.executable, "-m", "ictops", "--project", str(root), "inventory", "import", "register.csv",
         "--mapping", "columns.yaml"],
        capture_output=True, text=True, cwd=root, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    made = "sw-1036010001-" + LAB.replace(".", "-") + "-43-2"  # the row had no name
    district = start_district(Project.at(root))
    try:
        assert sorted(district.inventory.hosts) == sorted(["nongbua-srv", "nongbua-sw-lab", made])
        code, out = district.ictops_json("cmd", "uptime", "-l", "role=server and district=ภูเขียว")
        assert code == 0 and "load average" in out["results"][0]["output"], out
        code, out = district.ictops_json("cmd", "show version", "-l", "sch_1036010001 and cisco")
        assert code == 0 and [r["host"] for r in out["results"]] == [made], out
        assert "Cisco IOS" in out["results"][0]["output"]
        code, out = district.ictops_json("cmd", "display version", "-l", "nongbua-sw-lab")
        assert code == 0 and "Huawei" in out["results"][0]["output"], out
    finally:
        stop_district(district)
