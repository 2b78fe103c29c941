"""The window's cut-off in the run driver, on a set clock: a host not started before the close
is SKIPPED with the reason (and recorded as such, for the catch-up); the host in progress at the
close finishes; nothing is started late."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from ictops.actions.base import RunSettings
from ictops.audit.recorder import Recorder
from ictops.audit.show import read_records
from ictops.clock import BANGKOK
from ictops.engine.driver import Driver, Step
from ictops.engine.sessions import SessionPool
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import Outcome, Status
from ictops.schedule.catchup import catch_up_order
from ictops.schedule.window import parse_window

WINDOW = parse_window("22:00-05:00")


class Work:
    """Each host's work takes 40 seconds of the set clock."""

    name = "work"

    def __init__(self) -> None:
        self.started: list[tuple[str, str]] = []

    def read(self, ctx) -> Outcome:
        now = datetime.fromisoformat(os.environ["ICTOPS_NOW"])
        self.started.append((ctx.host.name, now.strftime("%H:%M:%S")))
        os.environ["ICTOPS_NOW"] = (now + timedelta(seconds=40)).isoformat()
        return Outcome.ok("done")


def test_hosts_not_started_before_the_close_are_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv("ICTOPS_NOW", "2026-12-01T04:59:00+07:00")
    project = Project.at(tmp_path)
    hosts = [Host(name=f"srv-{i}", hostname=f"127.0.0.{i}", platform_name="linux") for i in (1, 2, 3)]
    run = RunSettings(project=project, workers=1, operator="svc-nightly", window=WINDOW,
                      deadline=datetime(2026, 12, 1, 5, 0, tzinfo=BANGKOK))
    work = Work()
    with Recorder(project, run_id=run.run_id, operator="svc-nightly") as recorder:
        with Driver(run, hosts, recorder=recorder, pool=SessionPool(project, lambda h, p: None)) as driver:
            state = driver.run_step(Step(work, "work", 2, 5, data={"playbook": "playbooks/nightly.yaml"}),
                                    hosts)
    # srv-1 started at 04:59:00 and ran past the close (04:59:40 -> it finished); srv-2 started
    # at 04:59:40, before the close, and finished at 05:00:20; srv-3 was never started
    assert work.started == [("srv-1", "04:59:00"), ("srv-2", "04:59:40")]
    assert [(r.host, r.status) for r in state.results] == [
        ("srv-1", Status.OK), ("srv-2", Status.OK), ("srv-3", Status.SKIPPED)]
    assert state.results[2].message == (
        "not started: the maintenance window 22:00-05:00 Bangkok time closed at 2026-12-01 05:00")
    trail = list(read_records(tmp_path / "state" / "audit" / "trail.jsonl"))
    skipped = [r for r in trail if r["host"] == "srv-3"]
    assert skipped[0]["data"]["skipped_by"] == "window_closed"
    # the next night starts with it
    assert catch_up_order(trail, "playbooks/nightly.yaml", ["srv-1", "srv-2", "srv-3"]) == [
        "srv-3", "srv-1", "srv-2"]


def test_no_deadline_no_cutoff(tmp_path, monkeypatch):
    monkeypatch.setenv("ICTOPS_NOW", "2026-12-01T04:59:00+07:00")
    project = Project.at(tmp_path)
    hosts = [Host(name=f"srv-{i}", hostname=f"127.0.0.{i}", platform_name="linux") for i in (1, 2, 3)]
    run = RunSettings(project=project, workers=1, operator="tester")  # a run started by hand
    with Driver(run, hosts, pool=SessionPool(project, lambda h, p: None)) as driver:
        state = driver.run_step(Step(Work(), "work"), hosts)
    assert [r.status for r in state.results] == [Status.OK] * 3
