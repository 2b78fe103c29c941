"""The backup action through the engine: begin (lock, recovery), plan/apply per host, one
commit at the end; a backup is recorded as stored only when its commit exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backup_fakes import FakeSwitch, commits, corpus, switch_host

from ictops.actions.backup import BackupAction
from ictops.actions.base import RunSettings
from ictops.audit.recorder import trail_path
from ictops.backup.store import BackupLockedError, BackupStore
from ictops.connections.base import SessionError
from ictops.project import Project
from ictops.results import ErrorKind, Status
from tests.drive import drive

IOS_RAW = corpus("cisco_ios/oxidized-c9200l-24p.cfg")


def _run(project: Project, sessions: dict, action: BackupAction, check: bool = False,
         record: tuple[int, int] | None = None):
    hosts = [switch_host(name) for name in sorted(sessions)]
    state = drive(project, action, hosts, sessions, check=check, record=record)
    return state.results, state.note


def _trail(project: Project) -> list[dict]:
    path = trail_path(project)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def test_one_commit_per_run_then_none(project: Project) -> None:
    sessions = {"sw-01": FakeSwitch(IOS_RAW), "sw-02": FakeSwitch(IOS_RAW)}
    action = BackupAction()
    results, note = _run(project, sessions, action, record=(4, 5))
    assert [r.status for r in results] == [Status.CHANGED, Status.CHANGED]
    assert action.commit and note == f"backup commit {action.commit[:12]}: 2 changed (sw-01, sw-02)"
    assert [r.payload.commit for r in results] == [action.commit, action.commit]
    store = BackupStore(project.backups_dir)
    assert "by tester" in commits(store)[0]
    stored = [r for r in _trail(project) if r["kind"] == "action"]
    assert [(r["host"], r["status"], r["data"]["commit"]) for r in stored] == [
        ("sw-01", "changed", action.commit), ("sw-02", "changed", action.commit)]
    results, note = _run(project, sessions, BackupAction())
    assert [r.status for r in results] == [Status.OK, Status.OK]
    assert note == "no change, no commit"


def test_check_mode_commits_nothing(project: Project) -> None:
    sessions = {"sw-01": FakeSwitch(IOS_RAW)}
    _run(project, sessions, BackupAction())
    store = BackupStore(project.backups_dir)
    before = commits(store)
    sessions["sw-01"].running = IOS_RAW.replace("\nend", "\nip domain name check.lab\nend", 1)
    results, note = _run(project, sessions, BackupAction(), check=True)
    assert results[0].status is Status.CHANGED
    assert results[0].message == "check: would store running-config: +1 -0 lines; unsaved changes " \
        "(running-config differs from startup-config)"
    assert "+ip domain name check.lab" in results[0].diff
    assert note == "check: 1 would change (sw-01); nothing committed"
    assert commits(store) == before
    assert store.git.text("status", "--porcelain") == ""


def test_unreachable_host_is_a_result_and_noted(project: Project) -> None:
    sessions = {
        "sw-01": FakeSwitch(IOS_RAW),
        "sw-02": SessionError(ErrorKind.UNREACHABLE, "connection refused", during_connect=True),
    }
    results, _ = _run(project, sessions, BackupAction())
    assert [r.status for r in results] == [Status.CHANGED, Status.UNREACHABLE]
    status = BackupStore(project.backups_dir).status()
    assert status["sw-02"]["last_failure"] == "connection refused"


def test_a_second_run_is_refused_while_one_holds_the_store(project: Project) -> None:
    first = BackupAction()
    first.begin(RunSettings(project=project, operator="a"))
    try:
        with pytest.raises(BackupLockedError, match="another backup run"):
            BackupAction().begin(RunSettings(project=project, operator="b"))
        # through the engine, a begin that fails is a result for each host of the step
        results, note = _run(project, {"sw-01": FakeSwitch(IOS_RAW)}, BackupAction())
        assert [(r.status, r.error_kind) for r in results] == [(Status.FAILED, ErrorKind.STEP_FAILED)]
        assert results[0].message.startswith("backup could not start: another backup run holds")
    finally:
        first.abort(RunSettings(project=project))
