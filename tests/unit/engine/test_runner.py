"""The engine: one result per host whatever happens, sessions closed at the end."""

from __future__ import annotations

import threading
from pathlib import Path

from ictops.connections.base import SessionError
from ictops.engine.runner import RunSettings, run_action
from ictops.engine.sessions import SessionPool
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ErrorKind, Status


class FakeSession:
    closed = 0
    lock = threading.Lock()

    def run(self, command, **kwargs):
        return command

    def close(self):
        with FakeSession.lock:
            FakeSession.closed += 1


def opener(host, project):
    if host.name == "down":
        raise SessionError(ErrorKind.UNREACHABLE, "connection refused")
    if host.name == "badkey":
        raise SessionError(ErrorKind.HOSTKEY_UNKNOWN, "not trusted")
    return FakeSession()


def hosts(*names):
    return [Host(name=n, hostname="127.0.0.1", platform_name="linux") for n in names]


def action(ctx):
    ctx.server()
    if ctx.host.name == "bug":
        raise KeyError("boom")
    if ctx.host.name == "lost":
        raise SessionError(ErrorKind.CONNECTION_LOST, "peer closed")
    return ctx.result(Status.OK, "fine")


def test_every_host_gets_one_result_and_sessions_are_closed(tmp_path: Path):
    FakeSession.closed = 0
    project = Project.at(tmp_path)
    pool = SessionPool(project, opener=opener)
    names = ["a", "down", "badkey", "bug", "lost", "b"]
    try:
        results = run_action(hosts(*names), action, "test", RunSettings(project=project, workers=4), pool)
    finally:
        pool.close_all()
    by = {r.host: r for r in results}
    assert [r.host for r in results] == names
    assert by["a"].status is Status.OK and by["b"].status is Status.OK
    assert (by["down"].status, by["down"].error_kind) == (Status.UNREACHABLE, ErrorKind.UNREACHABLE)
    assert by["badkey"].error_kind is ErrorKind.HOSTKEY_UNKNOWN and by["badkey"].status is Status.UNREACHABLE
    assert (by["bug"].status, by["bug"].error_kind) == (Status.FAILED, ErrorKind.INTERNAL)
    assert "ictops bug" in by["bug"].message
    assert (by["lost"].status, by["lost"].error_kind) == (Status.FAILED, ErrorKind.CONNECTION_LOST)
    # a, bug, b kept their sessions until the end; lost's session was discarded (closed) at once
    assert FakeSession.closed == 4


def test_a_failed_connection_is_not_retried_in_the_same_run(tmp_path: Path):
    calls = []

    def counting_opener(host, project):
        calls.append(host.name)
        return opener(host, project)

    project = Project.at(tmp_path)
    pool = SessionPool(project, opener=counting_opener)
    settings = RunSettings(project=project)
    for _ in range(2):
        results = run_action(hosts("down"), action, "test", settings, pool)
        assert results[0].status is Status.UNREACHABLE
    assert calls == ["down"]


def test_results_are_not_truthy(tmp_path: Path):
    result = hosts("a")[0]
    import pytest

    from ictops.results import ActionResult

    r = ActionResult(host=result.name, action="x", status=Status.FAILED)
    with pytest.raises(TypeError):
        bool(r)
