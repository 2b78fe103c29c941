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
