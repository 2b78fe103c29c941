"""Ad-hoc verbs write the audit trail without knowing it (a lab on 127.0.22.1-2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def small_district(tmp_path_factory):
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed (make test installs it)")
    project = make_project(tmp_path_factory.mktemp("reportcli"), servers=[f"{LAB}.22.1"],
                           cisco=[f"{LAB}.22.2"], huawei=[])
    district = start_district(project, trust=False)
    try:
        yield district
    finally:
        stop_district(district)


def records(district) -> list[dict]:
    path = district.project.state_dir / "audit" / "trail.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_hostkeys_trust_then_cmd_are_recorded(small_district) -> None:
    proc = small_district.ictops("hostkeys", "trust")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    trusted = records(small_district)
    assert {(r["host"], r["process"], r["step"], r["action"]) for r in trusted} == {
        ("srv-1", 4, 5, "hostkeys trust"), ("sw-cisco-1", 4, 5, "hostkeys trust")}
    code, out = small_district.ictops_json("cmd", "echo password=hunter22; uptime")
    assert code == 1, out  # the switch refuses echo: a failure is a record too
    new = records(small_district)[len(trusted):]
    assert {(r["host"], r["process"], r["step"], r["run_id"], r["status"]) for r in new} == {
        ("srv-1", 6, 5, out["run_id"], "ok"), ("sw-cisco-1", 6, 5, out["run_id"], "failed")}
    assert all(r["data"]["what"].startswith("echo password=<removed>") for r in new)
    assert "hunter22" not in (small_district.project.state_dir / "audit" / "trail.jsonl").read_text()
    assert small_district.ictops("log", "verify").returncode == 0


def test_a_host_secret_typed_or_echoed_never_reaches_the_trail(small_district) -> None:
    """The switch's own password (a secret value, not a pattern): in the command line typed
    for every host and in what the devices answer; masked by the hosts' maskers."""
    secret = (small_district.project.root / "state/lab/switch-password").read_text().strip()
    code, out = small_district.ictops_json("cmd", f"printf '%s\\n' {secret}")
    assert code == 1, out  # the switch refuses printf; the server prints the secret
    by_host = {r["host"]: r for r in out["results"]}
    assert by_host["srv-1"]["output"] == "<removed>\n"  # the switch's secret, masked for all
    trail = (small_district.project.state_dir / "audit" / "trail.jsonl").read_text()
    assert [line for line in trail.splitlines() if secret in line] == []
    assert secret not in json.dumps(out)
    mine = [json.loads(line) for line in trail.splitlines() if out["run_id"] in line]
    assert {r["data"]["what"] for r in mine} == {"printf '%s\\n' <removed>"}


def test_hostkeys_forget_is_recorded(small_district) -> None:
    before = len(records(small_district))
    proc = small_district.ictops("hostkeys", "forget", "srv-1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (forgot,) = records(small_district)[before:]
    assert (forgot["kind"], forgot["action"], forgot["host"], forgot["status"]) == (
        "event", "hostkeys forget", "srv-1", "changed")
    assert (forgot["process"], forgot["step"]) == (4, 5)
    assert forgot["summary"].startswith("removed 1 key(s) for ")
    assert small_district.ictops("hostkeys", "trust", "-l", "srv-1").returncode == 0
