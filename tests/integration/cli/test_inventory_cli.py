"""`ictops inventory check | list | show` as a user runs them (no lab needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.district import make_project
from tests.net import LAB


def ictops(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ictops", "--project", str(project), *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env=dict(os.environ, **(env or {})),
    )


def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", servers=[f"{LAB}.30.1"], cisco=[f"{LAB}.30.2"], huawei=[],
                        extra_hosts=f"sw-env:\n  hostname: {LAB}.30.3\n  groups: [cisco]\n"
                        "  password: {env: ICTOPS_TEST_SW_PASS}\n").root


def test_check_summarises_and_warns_about_missing_secrets(tmp_path):
    root = project(tmp_path)
    proc = ictops(root, "inventory", "check")
    assert proc.returncode == 0, proc.stderr
    assert "inventory OK: 3 hosts (2 cisco_ios, 1 linux)" in proc.stdout
    assert "secret env:ICTOPS_TEST_SW_PASS is not available yet" in proc.stdout


def test_bad_inventory_is_one_line_and_exit_2(tmp_path):
    root = project(tmp_path)
    hosts = root / "inventory" / "hosts.yaml"
    hosts.write_text(hosts.read_text() + f"sw-typo:\n  hostname: {LAB}.30.4\n  plaform: cisco_ios\n")
    proc = ictops(root, "inventory", "list")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "inventory/hosts.yaml:" in lines[0] and "did you mean 'platform'" in lines[0]


def test_list_json_follows_the_limit(tmp_path):
    root = project(tmp_path)
    proc = ictops(root, "inventory", "list", "-l", "role=switch", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [h["name"] for h in json.loads(proc.stdout)] == ["sw-cisco-1", "sw-env"]


def test_show_resolves_values_and_masks_secrets(tmp_path):
    root = project(tmp_path)
    env = {"ICTOPS_TEST_SW_PASS": "hunter2-very-secret"}
    proc = ictops(root, "inventory", "show", "sw-env", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    view = json.loads(proc.stdout)
    assert view["platform"] == "cisco_ios" and view["port"] == 2222  # from groups and defaults
    assert view["password"].endswith("(env:ICTOPS_TEST_SW_PASS, set)")
    assert "hunter2" not in proc.stdout + proc.stderr
    proc = ictops(root, "inventory", "show", "sw-envv")
    assert proc.returncode == 2 and "did you mean 'sw-env'" in proc.stderr


def test_check_refuses_a_secret_file_others_can_read(tmp_path):
    """Issue 8 item 12: it passed, and the host failed later, at connect."""
    root = project(tmp_path)
    secret = root / "state" / "lab" / "switch-password"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("sw-pass\n")
    secret.chmod(0o644)
    proc = ictops(root, "inventory", "check")
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("ictops: error: inventory/groups.yaml:"), lines[0]
    assert "group 'switches': secret file state/lab/switch-password can be read by others (mode 0644)" in lines[0]
    assert f"run: chmod 600 {secret}" in lines[0]
    secret.chmod(0o600)
    assert ictops(root, "inventory", "check").returncode == 0


def test_secret_under_data_is_a_reference_shown_masked(tmp_path):
    root = project(tmp_path)
    hosts = root / "inventory" / "hosts.yaml"
    hosts.write_text(hosts.read_text() + "  data: {snmp_community: {env: ICTOPS_TEST_COMMUNITY}}\n")
    env = {"ICTOPS_TEST_COMMUNITY": "c0mm-secret-ro"}
    show = ictops(root, "inventory", "show", "sw-env", "--json", env=env)
    assert show.returncode == 0, show.stderr
    assert json.loads(show.stdout)["data"]["snmp_community"] == "******** (env:ICTOPS_TEST_COMMUNITY, set)"
    listed = ictops(root, "inventory", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    for proc in (show, listed, ictops(root, "inventory", "show", "sw-env", env=env)):
        assert "c0mm-secret" not in proc.stdout + proc.stderr


def test_plaintext_secret_under_data_is_refused(tmp_path):
    root = project(tmp_path)
    hosts = root / "inventory" / "hosts.yaml"
    hosts.write_text(hosts.read_text() + "  data:\n    snmp_password: X-plain-1\n")
    proc = ictops(root, "inventory", "list", "--json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "ictops: error: inventory/hosts.yaml:12: host 'sw-env': data key 'snmp_password' looks like a "
        "secret: write {env: NAME} or {file: PATH} (a file only you can read) instead of the value"
    ]
