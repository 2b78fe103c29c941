"""`ictops inventory import` as a user runs it: --check, the write, then `inventory check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures import FIXTURES, fixture
from tests.fixtures import registers as reg


def ictops(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ictops", "--project", str(project), *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=project, timeout=120,
    )


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


def test_check_shows_the_diff_and_writes_nothing_then_the_import_writes(tmp_path):
    root = tmp_path / "project"
    (root / "inventory").mkdir(parents=True)
    (root / "inventory" / "groups.yaml").write_text("# hand-written\ncisco: {platform: cisco_ios}\n")
    (root / "inventory" / "hosts.yaml").write_text("old-sw:\n  hostname: 10.0.0.1\n  groups: [cisco]\n")
    reg.write_csv(root / "register.csv", reg.sheet())
    before = snapshot(root / "inventory")
    proc = ictops(root, "inventory", "import", "register.csv", "--check")
    assert proc.returncode == 0, proc.stderr
    assert snapshot(root / "inventory") == before
    lines = proc.stdout.splitlines()
    assert lines[0] == "register.csv: 150 hosts (25 cisco_ios, 50 hp_procurve, 25 huawei_vrp, 50 linux), 33 groups"
    assert "--- a/inventory/hosts.yaml" in lines and "+++ b/inventory/hosts.yaml" in lines
    assert "+nongbua-sw-core:" in lines and "+  hostname: 10.36.1.2" in lines
    assert lines[-1] == "--check: nothing written; the diff above is what would change"

    proc = ictops(root, "inventory", "import", "register.csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == (
        "written: inventory/hosts.yaml, inventory/groups.yaml; next: ictops inventory check")
    proc = ictops(root, "inventory", "check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == (
        "inventory OK: 151 hosts (26 cisco_ios, 50 hp_procurve, 25 huawei_vrp, 50 linux), 34 groups")
    assert (root / "inventory" / "groups.yaml").read_text().startswith("# hand-written\ncisco: {platform: cisco_ios}\n")


def test_errors_are_one_line_each_and_exit_2(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    rows = reg.rows()
    rows[4][5] = "10.36.1.300"
    reg.write_csv(root / "register.csv", reg.sheet(rows))
    proc = ictops(root, "inventory", "import", "register.csv")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        "ictops: error: register.csv: row 8, column F 'หมายเลข IP': host 'nongbua-srv': key 'hostname': "
        "'10.36.1.300' is not an IP address: four numbers 0-255 joined by dots (10.36.1.2)"]
    assert not (root / "inventory").exists()


def test_nornirs_inventory_imported_then_check_passes_and_json_lists_what_to_fill(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    proc = ictops(root, "inventory", "import", str(FIXTURES / "nornir_inventory"), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert (summary["kind"], summary["hosts"], summary["platforms"]) == ("nornir", 3, {"linux": 3})
    assert [s["reference"] for s in summary["secrets_to_fill"]] == [
        "file:state/secrets/defaults-password", "file:state/secrets/group-parent_group-password",
        "file:state/secrets/group-group_1-password", "file:state/secrets/host-dev4.group_2-paramiko-password"]
    assert len(summary["left_out"]) == 7 and summary["diff"] is None
    proc = ictops(root, "inventory", "check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "inventory OK: 3 hosts (3 linux), 4 groups",
        "warning: secret file:state/secrets/defaults-password is not available yet (needed to connect)",
        "warning: secret file:state/secrets/host-dev4.group_2-paramiko-password is not available yet (needed to connect)",
    ]


def test_ansible_ini_import_reads_like_the_officer_expects(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    proc = ictops(root, "inventory", "import", str(fixture("ansible/district.ini")))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "secrets to fill (3; the import wrote references, never values):" in out
    assert ("  file:state/secrets/group-switches-password  group 'switches' password: put it in "
            "state/secrets/group-switches-password, mode 0600") in out.splitlines()
    assert "Sup3r" not in out + "".join(p.read_text() for p in (root / "inventory").iterdir())
    assert ictops(root, "inventory", "check").returncode == 0
    assert os.listdir(root / "inventory") and sorted(os.listdir(root / "inventory")) == [
        "defaults.yaml", "groups.yaml", "hosts.yaml"]


def test_reimport_after_hand_edits_keeps_them_and_says_so_and_update_says_what_it_replaces(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    reg.write_csv(root / "register.csv", reg.sheet())
    proc = ictops(root, "inventory", "import", "register.csv")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # the TP-Link switches and access points: the reason, five rows, how many more
    start = lines.index("left out (50; ictops does not manage or use them):")
    assert lines[start + 1:start + 4] == [
        "  a switch, router or access point without a CLI ictops drives (50):",
        "    register.csv: row 10: TP-Link TL-SG1024D (10.36.1.8)",
        "    register.csv: row 11: Ubiquiti UniFi AP AC Pro (10.36.1.9)",
    ]
    assert lines[start + 7] == "    ... and 45 more (--json lists every one)"
    # the same register again: nothing to do
    proc = ictops(root, "inventory", "import", "register.csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "nothing to change: the inventory already holds all of it"
    # the officer moves a switch by hand; the register is behind; it also gains a switch
    hosts = root / "inventory" / "hosts.yaml"
    hosts.write_text(hosts.read_text(encoding="utf-8").replace(
        "nongbua-sw-core:\n  hostname: 10.36.1.2\n", "nongbua-sw-core:\n  hostname: 10.36.1.254  # moved\n", 1),
        encoding="utf-8")
    rows = reg.rows()
    rows.append(["201", "โรงเรียนบ้านหนองบัว", "1036010001", "อ.เมืองชัยภูมิ", "nongbua-sw-lib", "10.36.1.20",
                 "Cisco Catalyst 9200L", "7440-001-0201/2567", "ห้องสมุด"])
    reg.write_csv(root / "register.csv", reg.sheet(rows))
    before = hosts.read_text(encoding="utf-8")
    proc = ictops(root, "inventory", "import", "register.csv")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1] == "  inventory/hosts.yaml: 1 added"
    assert lines[lines.index("kept the inventory's value (--update takes the source's):") + 1] == (
        "  host 'nongbua-sw-core' hostname: kept '10.36.1.254' (the source says '10.36.1.2')")
    after = hosts.read_text(encoding="utf-8")
    assert after.startswith(before) and "\nnongbua-sw-lib:\n  hostname: 10.36.1.20\n" in after
    # --update takes the register's value, and says which it replaced
    proc = ictops(root, "inventory", "import", "register.csv", "--update", "--check")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[lines.index("would replace the inventory's value (--update):") + 1] == (
        "  host 'nongbua-sw-core' hostname: '10.36.1.254' -> '10.36.1.2'")
    assert "-  hostname: 10.36.1.254  # moved" in lines and "+  hostname: 10.36.1.2    # moved" in lines
    assert hosts.read_text(encoding="utf-8") == after
    proc = ictops(root, "inventory", "import", "register.csv", "--update", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["replaced"] == ["host 'nongbua-sw-core' hostname: '10.36.1.254' -> '10.36.1.2'"]
    assert "\nnongbua-sw-core:\n  hostname: 10.36.1.2    # moved\n" in hosts.read_text(encoding="utf-8")


def test_what_cannot_be_imported_is_refused_with_exit_2_and_nothing_written(tmp_path):
    root = tmp_path / "project"
    (root / "inventory").mkdir(parents=True)
    reg.write_csv(root / "register.csv", reg.sheet())
    (root / "register.ods").write_bytes(b"PK\x03\x04")
    proc = ictops(root, "inventory", "import", "register.ods")
    assert (proc.returncode, proc.stderr) == (
        2, "ictops: error: register.ods: ictops reads .xlsx and .csv; save this .ods file as .xlsx or 'CSV UTF-8'\n")
    (root / "inventory" / "hosts.yaml").write_text("sw-1:\n  hostname: 10.36.1.2\n  plaform: cisco_ios\n")
    before = snapshot(root / "inventory")
    proc = ictops(root, "inventory", "import", "register.csv")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        "ictops: error: the inventory has errors already; fix them first (ictops inventory check):",
        "ictops: error: inventory/hosts.yaml:3: host 'sw-1': unknown key 'plaform' (did you mean 'platform'?)",
    ]
    assert snapshot(root / "inventory") == before
