"""Unattended runs on a real lab: SIGTERM mid-run through ``ictops schedule run`` (no process
left on the servers, an interrupted record, the trail verifies, the lock is free, the next run
proceeds), lock contention (exit 75 naming the holder), excluded dates, catch-up order after
a real unreachable night."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ictops.audit.show import read_records
from ictops.schedule.lock import current_holder
from tests.integration.district import make_project, register_routine, start_district, stop_district
from tests.integration.schedule.helpers import TEAM, remote, wait_for
from tests.net import LAB

pytestmark = pytest.mark.lab

SLOW = """\
name: Slow nightly
process: 2
routine: true
serial: 1
steps:
  - name: work
    step: 5
    cmd: {command: "sleep 2351", changes: false, timeout: 600}  # stopped by the signal, not the clock
"""
QUICK = """\
name: Quick nightly
process: 2
routine: true
steps:
  - name: uptime
    step: 5
    cmd: {command: "uptime", changes: false}
"""
CALENDAR = """\
excluded:
  - {date: 2569-12-07, kind: exam, reason: สอบกลางภาคเรียนที่ 2/2569}
"""
GONE = f"sw-gone:\n  hostname: {LAB}.72.99\n  groups: [cisco, school_a]\n"


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    root = tmp_path_factory.mktemp("unattended")
    project = make_project(root, servers=[f"{LAB}.72.{i}" for i in (1, 2, 3)], cisco=[], huawei=[])
    (root / "inventory" / "team.yaml").write_text(TEAM, encoding="utf-8")
    (root / "inventory" / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    (root / "playbooks").mkdir()
    (root / "playbooks" / "slow.yaml").write_text(SLOW, encoding="utf-8")
    (root / "playbooks" / "quick.yaml").write_text(QUICK, encoding="utf-8")
    register_routine(project, "director", years=(2570,))  # ICTOPS_NOW of these tests: Dec 2026
    d = start_district(project)
    try:
        yield d
    finally:
        stop_district(d)


def ictops(root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180):
    return subprocess.run([sys.executable, "-m", "ictops", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**os.environ, "ICTOPS_OPERATOR": "svc-nightly", "COLUMNS": "200",
                               **(env or {})})




def records(root: Path) -> list[dict]:
    return list(read_records(root / "state" / "audit" / "trail.jsonl"))


def test_sigterm_mid_run_then_the_next_run_proceeds(district):
    root = district.project.root
    sleeping = "^sleep 2351$"
    run = subprocess.Popen([sys.executable, "-m", "ictops", "--project", str(root), "schedule", "run",
                            "playbooks/slow.yaml"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "ICTOPS_OPERATOR": "svc-nightly"})
    try:
        assert wait_for(lambda: len(remote(sleeping)) == 1), "the first host's command did not start"
        holder = current_holder(root / "state")
        assert holder is not None and holder.operator == "svc-nightly"
        assert holder.what == "run playbooks/slow.yaml"

        # a second run meanwhile: refused at once, naming the holder, exit 75
        second = ictops(root, "run", "playbooks/quick.yaml")
        assert second.returncode == 75, second.stderr
        assert second.stderr.startswith(
            f"ictops: error: another ictops run holds the project lock: pid {holder.pid}, operator "
            "svc-nightly, run playbooks/slow.yaml, since ")

        run.send_signal(signal.SIGTERM)  # as systemd stops the service (KillMode=mixed)
        run.wait(timeout=120)
        left = remote(sleeping)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
        subprocess.run(["pkill", "-f", sleeping], timeout=30)  # only if the test failed
    assert run.returncode == 143
    assert left == []  # nothing left running on the server
    log = (root / "state" / "logs" / "schedule-slow.log").read_text(encoding="utf-8").splitlines()
    assert "end: exit 143 after " in log[-1]
    trail = records(root)
    [end] = [r for r in trail if r["action"] == "playbook.end" and r["data"]["playbook"] == "playbooks/slow.yaml"]
    assert end["status"] == "interrupted"
    assert end["summary"].startswith("interrupted by SIGTERM")
    assert end["data"]["not_started"] == {"work": ["srv-2", "srv-3"]}
    verify = ictops(root, "log", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert current_holder(root / "state") is None
    after = ictops(root, "run", "playbooks/quick.yaml")
    assert after.returncode == 0, after.stdout + after.stderr
    assert not [r for r in records(root) if r["action"] == "run.lock_takeover"]  # released cleanly


def test_excluded_date_does_nothing_and_says_why(district):
    root = district.project.root
    exam = {"ICTOPS_NOW": "2026-12-07T02:00:00+07:00"}
    before = len(records(root))
    done = ictops(root, "run", "playbooks/quick.yaml", "--unattended", env=exam)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "nothing was run: 2026-12-07 is an excluded date of the school calendar: วันสอบ: "
        "สอบกลางภาคเรียนที่ 2/2569 (inventory/calendar.yaml:2); nothing was run")
    [record] = records(root)[before:]
    assert (record["action"], record["status"], record["data"]["reason"]) == (
        "playbook.not_started", "skipped", "excluded_date")
    by_hand = ictops(root, "run", "playbooks/quick.yaml", env=exam)
    assert by_hand.returncode == 0
    assert by_hand.stderr.startswith("note: 2026-12-07 is an excluded date of the school calendar")
    assert "ok: srv-1" in by_hand.stdout


def test_missed_hosts_go_first_the_next_night(district, tmp_path):
    root = district.project.root
    hosts = root / "inventory" / "hosts.yaml"
    saved = hosts.read_text(encoding="utf-8")
    hosts.write_text(saved + GONE, encoding="utf-8")  # nothing listens there: refused, for real
    try:
        first = ictops(root, "run", "playbooks/quick.yaml", "-f", "1", "--json")
        assert first.returncode == 1
        night1 = json.loads(first.stdout)["steps"][0]["results"]
        assert [(r["host"], r["status"]) for r in night1] == [
            ("srv-1", "ok"), ("srv-2", "ok"), ("srv-3", "ok"), ("sw-gone", "unreachable")]
        second = ictops(root, "run", "playbooks/quick.yaml", "-f", "1", "--json")
        night2 = json.loads(second.stdout)["steps"][0]["results"]
        assert [r["host"] for r in night2] == ["sw-gone", "srv-1", "srv-2", "srv-3"]
        started = [r["started"] for r in night2]
        assert started == sorted(started)  # one at a time, in that order
    finally:
        hosts.write_text(saved, encoding="utf-8")


def test_lock_of_a_killed_run_is_taken_over_and_recorded(district):
    root = district.project.root
    sleeping = "^sleep 2351$"
    killed = subprocess.Popen([sys.executable, "-m", "ictops", "--project", str(root), "run",
                               "playbooks/slow.yaml"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "ICTOPS_OPERATOR": "svc-nightly"})
    try:
        assert wait_for(lambda: len(remote(sleeping)) == 1)
        killed.kill()  # SIGKILL: no handler runs, the holder record stays in state/run.lock
        killed.wait(timeout=30)
    finally:
        if killed.poll() is None:
            killed.kill()
            killed.wait(timeout=30)
        subprocess.run(["pkill", "-f", sleeping], timeout=30)  # what a SIGKILL leaves behind
    after = ictops(root, "run", "playbooks/quick.yaml")
    assert after.returncode == 0, after.stdout + after.stderr
    assert after.stderr.startswith("note: project lock taken over from a run that did not release "
                                   f"it: pid {killed.pid}, operator svc-nightly, run playbooks/slow.yaml")
    [takeover] = [r for r in records(root) if r["action"] == "run.lock_takeover"]
    assert takeover["data"]["previous"]["pid"] == killed.pid
    assert takeover["data"]["pid_alive"] is False
    assert current_holder(root / "state") is None
