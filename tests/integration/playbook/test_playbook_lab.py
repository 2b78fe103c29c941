"""Playbooks against a real lab: check mode, plan / approve / run and refusals, kill -9.

Own district on 127.0.19.1-2 (servers) and 127.0.19.11-12 (Cisco switches).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.district import (
    ICTOPS,
    TEAM,
    make_project,
    register_routine,
    start_district,
    stop_district,
)
from tests.net import LAB

pytestmark = pytest.mark.lab

CHANGE = """\
name: Write a marker file
process: 2
hosts: srv-1
steps:
  - name: Write the marker
    step: 5
    cmd: {{command: "echo applied >> {marker}", sudo: true}}
"""
ROUTINE = """\
name: Back up (routine)
process: 4
routine: true
steps:
  - include: tasks/backup.yaml
"""
TWO_STEPS = """\
name: Quick then slow
process: 6
routine: true
hosts: servers
steps:
  - name: quick
    step: 5
    cmd: {command: "true", changes: false}
  - name: slow
    step: 5
    cmd: {command: "sleep 60", changes: false}
"""
SLOW = """\
name: Slow
process: 6
routine: true
hosts: servers
steps:
  - name: wait
    step: 5
    cmd: {command: "sleep 20", changes: false}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed")
    root = tmp_path_factory.mktemp("playbook-lab")
    project = make_project(root, servers=[f"{LAB}.19.1", f"{LAB}.19.2"],
                           cisco=[f"{LAB}.19.11", f"{LAB}.19.12"], huawei=[])
    marker = root / "marker.txt"
    marker.write_text("before\n")
    (root / "inventory" / "team.yaml").write_text(TEAM)
    (root / "playbooks").mkdir()
    (root / "tasks").mkdir()
    repo = Path(__file__).resolve().parents[3]
    (root / "tasks" / "backup.yaml").write_text((repo / "tasks" / "backup.yaml").read_text())
    (root / "playbooks" / "change.yaml").write_text(CHANGE.format(marker=marker))
    (root / "playbooks" / "routine.yaml").write_text(ROUTINE)
    (root / "playbooks" / "slow.yaml").write_text(SLOW)
    (root / "playbooks" / "two-steps.yaml").write_text(TWO_STEPS)
    shutil.copytree(repo / "rules", root / "rules")
    (root / "playbooks" / "nightly.yaml").write_text((repo / "playbooks" / "nightly.yaml").read_text())
    register_routine(project)
    old = os.environ.get("ICTOPS_OPERATOR")
    os.environ["ICTOPS_OPERATOR"] = "tester"
    d = start_district(project)
    try:
        yield d, marker
    finally:
        stop_district(d)
        if old is None:
            os.environ.pop("ICTOPS_OPERATOR", None)
        else:
            os.environ["ICTOPS_OPERATOR"] = old


def running_config(d, host: str) -> str:
    code, out = d.ictops_json("cmd", "show running-config", "-l", host)
    assert code == 0, out
    return out["results"][0]["output"]


def trail(d) -> list[dict]:
    path = d.project.state_dir / "audit" / "trail.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_check_mode_changes_nothing(lab):
    d, marker = lab
    before = running_config(d, "sw-cisco-1"), marker.read_text()
    p = d.ictops("run", "playbooks/change.yaml", "--check")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "check mode: this command may change the host" in p.stdout
    p = d.ictops("run", "playbooks/routine.yaml", "--check")
    assert p.returncode == 0, p.stdout + p.stderr
    assert (running_config(d, "sw-cisco-1"), marker.read_text()) == before
    assert not list((d.project.backups_dir).glob("**/running-config*"))  # nothing committed
    checked = [r for r in trail(d) if r["kind"] == "action" and (r["data"] or {}).get("check")]
    assert checked and all(r["step"] == 2 for r in checked)  # would-do goes under the plan step


def test_routine_playbook_runs_without_a_plan(lab):
    d, _ = lab
    code, out = d.ictops_json("run", "playbooks/routine.yaml")
    assert code == 0, out
    assert out["recap"]["sw-cisco-1"]["changed"] == 1
    records = [r for r in trail(d) if r["run_id"] == out["run_id"] and r["kind"] == "action"]
    assert len(records) == 4 and {(r["process"], r["step"]) for r in records} == {(4, 5)}
    assert all(r["operator"] == "tester" for r in records)


def test_plan_approve_run_lifecycle_and_refusals(lab):
    d, marker = lab
    p = d.ictops("run", "playbooks/change.yaml")
    assert p.returncode == 2 and "make a plan first: ictops plan playbooks/change.yaml" in p.stderr
    p = d.ictops("plan", "playbooks/change.yaml")
    assert p.returncode == 0, p.stdout + p.stderr
    plan_id = p.stdout.strip().splitlines()[-1]
    assert plan_id.startswith("plan-") and marker.read_text() == "before\n"
    saved = json.loads((d.project.state_dir / "plans" / f"{plan_id}.json").read_text())
    assert saved["hosts"]["srv-1"][0]["status"] == "skipped" and "playbooks/change.yaml" in saved["files"]

    refused = d.ictops("run", "playbooks/change.yaml", "--plan", plan_id)
    assert refused.returncode == 2 and "is not approved" in refused.stderr
    refused = d.ictops("run", "playbooks/change.yaml", "--plan", "plan-nosuch")
    assert refused.returncode == 2 and "unknown plan 'plan-nosuch'" in refused.stderr
    refused = d.ictops("approve", plan_id, "--by", "mallory")
    assert refused.returncode == 2 and "may not approve" in refused.stderr
    ok = d.ictops("approve", plan_id, "--by", "wichian", "--order", "ที่ 9/2568")
    assert ok.returncode == 0, ok.stderr

    book = d.project.root / "playbooks" / "change.yaml"
    original = book.read_text()
    book.write_text(original + "# edited\n")
    refused = d.ictops("run", "playbooks/change.yaml", "--plan", plan_id)
    assert refused.returncode == 2 and "playbooks/change.yaml changed since the plan" in refused.stderr
    book.write_text(original)
    hosts = d.project.inventory_dir / "hosts.yaml"
    inventory = hosts.read_text()
    hosts.write_text(inventory + "\n# edited\n")
    refused = d.ictops("run", "playbooks/change.yaml", "--plan", plan_id)
    assert refused.returncode == 2 and "the inventory (inventory/hosts.yaml) changed" in refused.stderr
    hosts.write_text(inventory)

    code, out = d.ictops_json("run", "playbooks/change.yaml", "--plan", plan_id)
    assert code == 0, out["steps"][0]["results"][0]["message"]
    assert marker.read_text() == "before\napplied\n"
    again = d.ictops("run", "playbooks/change.yaml", "--plan", plan_id)
    assert again.returncode == 2 and "already carried out" in again.stderr
    listed = d.ictops("plans", "--json")
    assert {p["id"]: p["state"] for p in json.loads(listed.stdout)}[plan_id] == "run"
    events = {(r["action"], r["step"]) for r in trail(d) if r["kind"] == "event" and r["process"] == 2}
    assert {("plan.make", 2), ("plan.approve", 3), ("playbook.start", 5)} <= events


def test_a_routine_claim_that_is_not_registered_is_refused(lab):
    d, _ = lab
    rogue = d.project.root / "playbooks" / "rogue.yaml"
    rogue.write_text(ROUTINE.replace("Back up (routine)", "Rogue"))
    try:
        p = d.ictops("run", "playbooks/rogue.yaml")
    finally:
        rogue.unlink()
    assert p.returncode == 2, p.stdout + p.stderr
    assert p.stderr.startswith("ictops: error: playbooks/rogue.yaml says routine: true but it is "
                               "not in the routine register (routine: in inventory/team.yaml)")


def test_unknown_operator_is_refused(lab):
    d, _ = lab
    env = dict(os.environ, ICTOPS_PROJECT=str(d.project.root), ICTOPS_OPERATOR="stranger")
    p = subprocess.run([*ICTOPS, "run", "playbooks/routine.yaml"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2 and "operator 'stranger' is not on the working team" in p.stderr


def test_kill_minus_nine_then_verify_and_carry_on(lab):
    d, _ = lab
    path = d.project.state_dir / "audit" / "trail.jsonl"
    before = len(path.read_bytes().splitlines()) if path.exists() else 0
    env = dict(os.environ, ICTOPS_PROJECT=str(d.project.root))
    proc = subprocess.Popen([*ICTOPS, "run", "playbooks/slow.yaml"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lines = path.read_bytes().splitlines()[before:] if path.exists() else []
            if any(b'"playbook.start"' in line for line in lines):
                break
            assert proc.poll() is None, "ictops run ended before it could be killed"
            time.sleep(0.05)  # polling the trail for the start event, with a deadline
        else:
            pytest.fail("no playbook.start record within 60s")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    code, out = d.ictops_json("log", "verify")
    assert code == 0 and out["ok"], out
    assert len(out["torn"]) <= 1
    code, out = d.ictops_json("run", "playbooks/routine.yaml")
    assert code == 0, out
    code, out = d.ictops_json("log", "verify")
    assert code == 0 and out["ok"] and not out["problems"], out


@pytest.mark.parametrize("signame, code", [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_keeps_what_finished_and_writes_an_interrupted_end(lab, signame, code):
    d, _ = lab
    path = d.project.state_dir / "audit" / "trail.jsonl"
    before = len(path.read_bytes().splitlines()) if path.exists() else 0
    env = dict(os.environ, ICTOPS_PROJECT=str(d.project.root))
    proc = subprocess.Popen([*ICTOPS, "run", "playbooks/two-steps.yaml", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)

    def quick_done() -> bool:
        new = [json.loads(x) for x in path.read_bytes().splitlines()[before:] if x.startswith(b"{")]
        return len([r for r in new if r["kind"] == "action"]) == 2

    try:
        deadline = time.monotonic() + 60
        while not quick_done():
            assert time.monotonic() < deadline, "the quick step did not finish within 60s"
            assert proc.poll() is None, "ictops run ended before the signal"
            time.sleep(0.05)  # polling the trail, with a deadline
        time.sleep(0.5)  # the slow step has started on both servers
        proc.send_signal(getattr(signal, signame))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == code, out + err
    run = json.loads(out)
    assert run["interrupted"] == signame
    quick, slow = run["steps"]
    assert [(r["host"], r["status"]) for r in quick["results"]] == [("srv-1", "ok"), ("srv-2", "ok")]
    assert {(r["host"], r["status"], r["error_kind"]) for r in slow["results"]} == {
        ("srv-1", "failed", "interrupted"), ("srv-2", "failed", "interrupted")}
    records = trail(d)
    mine = [r for r in records if r["run_id"] == run["run_id"]]
    assert [(r["action"], r["status"]) for r in mine if r["kind"] == "event"] == [
        ("playbook.start", "ok"), ("playbook.end", "interrupted")]
    assert mine[-1]["summary"].startswith(f"interrupted by {signame}: 2 ok, 0 changed, 2 failed")
    assert len([r for r in mine if r["kind"] == "action"]) == 4
    code, out = d.ictops_json("log", "verify")
    assert code == 0 and out["ok"], out


def test_shipped_nightly_runs_in_the_lab(lab):
    d, _ = lab
    code, out = d.ictops_json("run", "playbooks/nightly.yaml", timeout=300)
    by_step = {s["name"]: s for s in out["steps"]}
    report = by_step["Write the director's report"]["results"][0]
    assert report["status"] == "changed", report
    assert (d.project.root / report["data"]["file"]).is_file()
    told = by_step["Tell those concerned"]["results"][0]
    assert (told["host"], told["status"], told["message"]) == (
        None, "skipped", "no inventory/notify.yaml: nothing sent")
    audit = by_step["Audit against th-baseline"]
    assert audit["note"] and "audit saved" in audit["note"], audit
    assert code == 0, [r["message"] for s in out["steps"] for r in s["results"] if r["status"] == "failed"]
