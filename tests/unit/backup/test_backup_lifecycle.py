"""The backup's lifecycle through the engine: an interrupted run's trail and git store agree,
a killed run's staged work is discarded and the next run says so, a step that cannot begin
still lets the run report and notify, and a Thai site name goes through backup and audit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from backup_fakes import FakeSwitch, commits, corpus, switch_host

from ictops.actions.audit import NO_BACKUP, AuditAction
from ictops.actions.backup import BackupAction
from ictops.actions.base import RunSettings
from ictops.audit.recorder import Recorder, trail_path
from ictops.backup.store import BackupStore
from ictops.compliance import load_pack
from ictops.connections.base import SessionError
from ictops.engine.driver import Driver, Step
from ictops.engine.sessions import SessionPool
from ictops.project import Project
from ictops.results import ErrorKind, Status
from tests.drive import drive

REPO = Path(__file__).resolve().parents[3]
IOS_RAW = corpus("cisco_ios/oxidized-c9200l-24p.cfg")


def _trail(project: Project) -> list[dict[str, Any]]:
    path = trail_path(project)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class SignalWhileReading(FakeSwitch):
    """A switch whose backup is in progress when SIGTERM arrives: the engine closes the
    session under it (the read fails), as a real signal would."""

    driver: Driver | None = None

    def running_config(self) -> str:
        assert self.driver is not None
        self.driver.interrupt("SIGTERM")
        raise SessionError(ErrorKind.CONNECTION_LOST, "the channel was closed")


def test_an_interrupted_backup_records_exactly_what_its_commit_stores(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    caught = SignalWhileReading(IOS_RAW)
    sessions = {"sw-01": FakeSwitch(IOS_RAW), "sw-02": caught, "sw-03": FakeSwitch(IOS_RAW)}
    hosts = [switch_host(n) for n in ("sw-01", "sw-02", "sw-03")]
    action = BackupAction()
    run = RunSettings(project=project, workers=1, operator="tester")
    with Recorder(project, run_id=run.run_id, operator="tester") as recorder:
        with Driver(run, hosts, recorder=recorder,
                    pool=SessionPool(project, lambda h, p: sessions[h.name])) as driver:
            caught.driver = driver
            state = driver.run_step(Step(action, "backup", 4, 5), hosts)
    store = BackupStore(project.backups_dir)
    head = store.git.head()
    # the store: one commit (after the store's first) holding sw-01 only; nothing left staged
    assert action.commit == head and commits(store)[1:] == ["ictops backup store created"]
    assert store.git.text("show", "--name-only", "--format=", head).split() == [
        "office/sw-01/meta.json", "office/sw-01/running-config.txt", "office/sw-01/startup-config.txt"]
    assert store.git.text("status", "--porcelain") == ""
    # the results and the trail say the same
    assert [(r.host, r.status, r.error_kind) for r in state.results] == [
        ("sw-01", Status.CHANGED, None), ("sw-02", Status.FAILED, ErrorKind.INTERRUPTED)]
    assert state.not_started == ["sw-03"]
    records = [r for r in _trail(project) if r["kind"] == "action"]
    assert [(r["host"], r["status"], (r["data"] or {}).get("commit")) for r in records] == [
        ("sw-01", "changed", head), ("sw-02", "failed", None)]
    assert records[0]["summary"].startswith(f"stored in {head[:12]}: new backup")
    events = [(r["action"], r["data"]["hosts"]) for r in _trail(project) if r["action"] == "backup.commit"]
    assert events == [("backup.commit", ["sw-01"])]


KILLED = textwrap.dedent("""
    import os, sys
    sys.path[:0] = [{repo!r}, {fakes!r}]
    from backup_fakes import FakeSwitch, corpus, switch_host
    from ictops.actions.backup import BackupAction
    from ictops.actions.base import RunSettings
    from ictops.audit.recorder import Recorder
    from ictops.engine.driver import Driver, Step, StepRun
    from ictops.engine.sessions import SessionPool
    from ictops.project import Project

    project = Project.at({root!r})
    hosts = [switch_host("sw-01"), switch_host("sw-02")]
    run = RunSettings(project=project, operator="tester", run_id="RUN-KILLED")
    recorder = Recorder(project, run_id=run.run_id, operator="tester")
    driver = Driver(run, hosts, recorder=recorder,
                    pool=SessionPool(project, lambda h, p: FakeSwitch(corpus("cisco_ios/oxidized-c9200l-24p.cfg"))))
    state = StepRun(Step(BackupAction(), "backup", 4, 5))
    driver.hosts(state, hosts)  # both hosts staged ...
    os._exit(9)  # ... and the process dies before the commit, as with kill -9
""")


def test_a_killed_backup_leaves_no_stored_record_and_the_next_run_says_recovered(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    script = KILLED.format(repo=str(REPO), fakes=str(Path(__file__).parent), root=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    store = BackupStore(project.backups_dir)
    assert commits(store) == ["ictops backup store created"]  # nothing was stored ...
    assert [r for r in _trail(project) if r["kind"] == "action"] == []  # ... and none claimed
    assert store.git.text("status", "--porcelain", "--untracked-files=all") != ""  # staged work left

    state = drive(project, BackupAction(), [switch_host("sw-01")], {"sw-01": FakeSwitch(IOS_RAW)},
                  record=(4, 5))
    recovered = ("recovered: run RUN-KILLED was stopped before its commit: the staged backups "
                 "of sw-01, sw-02 were discarded (never stored)")
    assert state.note.startswith(recovered)
    events = [r for r in _trail(project) if r["action"] == "backup.recover"]
    assert [e["summary"] for e in events] == [recovered.replace("recovered:", "backup store recovered:")]
    assert [(r["host"], r["status"]) for r in _trail(project) if r["kind"] == "action"] == [
        ("sw-01", "changed")]
    assert store.status()["sw-01"]["run_id"] != "RUN-KILLED"
    assert "sw-02" not in store.status()


NOTIFY = "channels:\n  outbox: {type: file, directory: state/outbox, format: txt}\n"
BOOK = """\
name: Nightly (test)
process: 2
routine: true
steps:
  - name: back up
    step: 5
    backup: {}
  - name: report
    step: 6
    report: {format: html}
  - name: tell
    step: 4
    notify: {}
"""


def test_a_step_that_cannot_begin_still_reports_and_notifies(tmp_path: Path) -> None:
    from ictops.inventory import load_inventory
    from ictops.playbook.session import execute, prepare

    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(
        "sw-01: {hostname: 127.0.0.1, platform: cisco_ios, site: office}\n")
    (tmp_path / "inventory" / "notify.yaml").write_text(NOTIFY)
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "nightly.yaml").write_text(BOOK)
    project = Project.at(tmp_path)
    holder = BackupStore(project.backups_dir).begin_run("OTHER-RUN", "someone")  # holds the lock
    try:
        prep = prepare(project, load_inventory(project.inventory_dir, project.root),
                       "playbooks/nightly.yaml", None)
        run = execute(prep, check=False, forks=2)
    finally:
        holder.abort()
    backup, report, notify = run.outcomes
    assert [(r.host, r.status, r.error_kind) for r in backup.results] == [
        ("sw-01", Status.FAILED, ErrorKind.STEP_FAILED)]
    assert "another backup run holds" in backup.results[0].message and "OTHER-RUN" in backup.results[0].message
    assert (report.results[0].host, report.results[0].status) == (None, Status.CHANGED)
    assert (notify.results[0].status, notify.results[0].message) == (Status.OK, "sent via outbox")
    sent = list((tmp_path / "state" / "outbox").iterdir())
    assert len(sent) == 1 and "sw-01" in sent[0].read_text()
    ends = [r for r in _trail(project) if r["action"] == "playbook.end"]
    assert [(e["status"], e["summary"]) for e in ends] == [
        ("failed", "finished: 0 ok, 0 changed, 1 failed, 0 unreachable, 0 skipped")]


def test_a_thai_site_goes_through_backup_and_audit(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    host = switch_host("sw-thai", site="ภูเขียว")
    done = drive(project, BackupAction(), [host], {host.name: FakeSwitch(IOS_RAW)})
    assert done.results[0].status is Status.CHANGED
    assert (project.backups_dir / "ภูเขียว" / "sw-thai" / "running-config.txt").is_file()
    pack = load_pack(REPO / "rules" / "th-baseline.yaml")
    audited = drive(project, AuditAction(pack=pack, save=False), [host], {}).results[0]
    assert audited.status is Status.OK, audited.message
    assert audited.message.startswith("score ") and NO_BACKUP not in audited.message


def test_a_host_without_a_backup_is_skipped_not_ok(tmp_path: Path) -> None:
    pack = load_pack(REPO / "rules" / "th-baseline.yaml")
    result = drive(Project.at(tmp_path), AuditAction(pack=pack, save=False),
                   [switch_host("sw-new")], {}).results[0]
    assert (result.status, result.message) == (Status.SKIPPED, NO_BACKUP)
    assert {r.status.value for r in result.payload.compliance.results} == {"error", "n/a"}


@pytest.fixture(autouse=True)
def _operator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICTOPS_OPERATOR", "tester")
    monkeypatch.delenv("ICTOPS_AUDIT_KEY_FILE", raising=False)
    os.environ.pop("ICTOPS_NOW", None)
