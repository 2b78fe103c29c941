"""BackupAction as a StepAction: begin, per host through the engine, end (commit or check)."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup_fakes import FakeSwitch, commits, corpus, switch_host

from ictops.actions.backup import BackupAction
from ictops.actions.base import StepAction
from ictops.backup.store import BackupLockedError, BackupStore
from ictops.connections.base import SessionError
from ictops.engine.runner import RunSettings, run_action
from ictops.engine.sessions import SessionPool
from ictops.project import Project
from ictops.results import ErrorKind, Status

IOS_RAW = corpus("cisco_ios/oxidized-c9200l-24p.cfg")


def _run(project: Project, sessions: dict, action: BackupAction, check: bool = False):
    hosts = [switch_host(name) for name in sorted(sessions)]

    def opener(host, _project):
        session = sessions[host.name]
        if isinstance(session, SessionError):
            raise session
        return session

    settings = RunSettings(project=project, check=check, workers=4)
    action.begin(settings)
    try:
        results = run_action(hosts, action, "backup", settings, SessionPool(project, opener))
        note = action.end(settings, results)
    finally:
        action.abort()
    return results, note


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def test_one_commit_per_run_then_none(project: Project) -> None:
    action = BackupAction(operator="tester")
    assert isinstance(action, StepAction)
    sessions = {"sw-01": FakeSwitch(IOS_RAW), "sw-02": FakeSwitch(IOS_RAW)}
    results, note = _run(project, sessions, action)
    assert [r.status for r in results] == [Status.CHANGED, Status.CHANGED]
    assert action.commit and note.startswith(f"backup commit {action.commit[:12]}: 2 changed")
    store = BackupStore(project.backups_dir)
    assert "by tester" in commits(store)[0]
    results, note = _run(project, sessions, BackupAction(operator="tester"))
    assert [r.status for r in results] == [Status.OK, Status.OK]
    assert note == "no change, no commit"


def test_check_mode_commits_nothing(project: Project) -> None:
    sessions = {"sw-01": FakeSwitch(IOS_RAW)}
    _run(project, sessions, BackupAction(operator="tester"))
    store = BackupStore(project.backups_dir)
    before = commits(store)
    sessions["sw-01"].running = IOS_RAW.replace("\nend", "\nip domain name check.lab\nend", 1)
    results, note = _run(project, sessions, BackupAction(operator="tester"), check=True)
    assert results[0].status is Status.CHANGED
    assert results[0].message.startswith("check: would store")
    assert note == "check: 1 would change (sw-01); nothing committed"
    assert commits(store) == before
    assert store.git.text("status", "--porcelain") == ""


def test_unreachable_host_is_a_result_and_noted(project: Project) -> None:
    sessions = {
        "sw-01": FakeSwitch(IOS_RAW),
        "sw-02": SessionError(ErrorKind.UNREACHABLE, "connection refused", during_connect=True),
    }
    results, _ = _run(project, sessions, BackupAction(operator="tester"))
    assert [r.status for r in results] == [Status.CHANGED, Status.UNREACHABLE]
    status = BackupStore(project.backups_dir).status()
    assert status["sw-02"]["last_failure"] == "connection refused"


def test_a_second_run_is_refused_while_one_holds_the_store(project: Project) -> None:
    first = BackupAction(operator="a")
    first.begin(RunSettings(project=project))
    try:
        with pytest.raises(BackupLockedError, match="another backup run"):
            BackupAction(operator="b").begin(RunSettings(project=project))
    finally:
        first.abort()
