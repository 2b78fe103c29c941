"""The run driver's rules, with in-memory sessions: one result per host, failures typed and
sessions handled, check mode never applies, begin failures become results, approved plans
pin what is applied, facts are re-read after an apply, masking, interruption."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ictops.actions.base import RunSettings, StepNote
from ictops.audit.recorder import Recorder, trail_path
from ictops.connections.base import SessionError
from ictops.engine.driver import Driver, Step
from ictops.engine.sessions import SessionPool
from ictops.errors import ExitCode, IctopsError
from ictops.facts import Fact
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ActionResult, Change, ErrorKind, Outcome, Plan, Status
from ictops.secrets import SecretRef
from tests.drive import drive


class FakeSession:
    def __init__(self, name: str):
        self.name = name
        self.closed = False
        self.value = 0  # the state the Counter fact reads

    def close(self) -> None:
        self.closed = True


class Opener:
    """Opens a FakeSession per host; some hosts cannot be reached."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.sessions: dict[str, list[FakeSession]] = {}
        self.lock = threading.Lock()

    def __call__(self, host: Host, project: Project) -> FakeSession:
        with self.lock:
            self.opened.append(host.name)
        if host.name == "down":
            raise SessionError(ErrorKind.UNREACHABLE, "connection refused")
        if host.name == "badkey":
            raise SessionError(ErrorKind.HOSTKEY_UNKNOWN, "not trusted")
        session = FakeSession(host.name)
        with self.lock:
            self.sessions.setdefault(host.name, []).append(session)
        return session


def hosts(*names: str, password: str | None = None) -> list[Host]:
    secret = SecretRef(env="ICTOPS_TEST_DRIVER_SECRET") if password else None
    return [Host(name=n, hostname="127.0.0.1", platform_name="linux", password=secret) for n in names]


class Probe:
    """A read-only action whose behaviour depends on the host's name."""

    name = "probe"

    def read(self, ctx: Any) -> Outcome:
        ctx.server()
        if ctx.host.name == "bug":
            raise KeyError("boom")
        if ctx.host.name == "lost":
            raise SessionError(ErrorKind.CONNECTION_LOST, "peer closed")
        return Outcome.ok(f"fine on {ctx.host.name}")


class Counter(Fact[int]):
    """A fact: the session's value (so a test sees whether the fact was read again)."""

    reads = 0

    def read(self, session: FakeSession, host: Host) -> int:
        Counter.reads += 1
        return session.value


COUNTER = Counter()


@dataclass
class Bump:
    """A changing action: bring the session's value up to ``target``."""

    target: int = 1
    name: str = "bump"
    changes_hosts: bool = True
    applied: list[str] = field(default_factory=list)

    def plan(self, ctx: Any) -> Plan:
        now = ctx.facts.get(COUNTER)
        if now >= self.target:
            return Plan(reason=f"already {now}")
        return Plan((Change(f"set value {now} -> {self.target}", f"-{now}\n+{self.target}\n"),))

    def apply(self, ctx: Any, plan: Plan) -> Outcome:
        self.applied.append(ctx.host.name)
        ctx.server().value = self.target
        return Outcome.changed(f"value set to {self.target}")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def _driver(project: Project, opener: Opener, **kw: Any) -> Driver:
    return Driver(RunSettings(project=project, workers=4), hosts(), pool=SessionPool(project, opener), **kw)


def test_every_host_gets_one_result_and_sessions_are_closed(project: Project) -> None:
    opener = Opener()
    names = ["a", "down", "badkey", "bug", "lost", "b"]
    with _driver(project, opener) as driver:
        state = driver.run_step(Step(Probe(), "probe"), hosts(*names))
        # a broken session is closed at once, not at the end of the run ...
        assert opener.sessions["lost"][0].closed and not opener.sessions["a"][0].closed
        # ... and not reused: the next step opens a new one
        again = driver.run_step(Step(Probe(), "probe"), hosts("lost"))
        assert len(opener.sessions["lost"]) == 2
        assert again.results[0].error_kind is ErrorKind.CONNECTION_LOST
    by = {r.host: r for r in state.results}
    assert [r.host for r in state.results] == names
    assert (by["a"].status, by["a"].message) == (Status.OK, "fine on a")
    assert (by["down"].status, by["down"].error_kind) == (Status.UNREACHABLE, ErrorKind.UNREACHABLE)
    assert (by["badkey"].status, by["badkey"].error_kind) == (Status.UNREACHABLE, ErrorKind.HOSTKEY_UNKNOWN)
    assert (by["bug"].status, by["bug"].error_kind) == (Status.FAILED, ErrorKind.INTERNAL)
    assert "ictops bug" in by["bug"].message
    assert (by["lost"].status, by["lost"].error_kind) == (Status.FAILED, ErrorKind.CONNECTION_LOST)
    assert all(s.closed for sessions in opener.sessions.values() for s in sessions)


def test_a_failed_connection_is_not_retried_in_the_same_run(project: Project) -> None:
    opener = Opener()
    with _driver(project, opener) as driver:
        for _ in range(2):
            state = driver.run_step(Step(Probe(), "probe"), hosts("down"))
            assert state.results[0].status is Status.UNREACHABLE
    assert opener.opened == ["down"]


def test_check_mode_plans_and_never_applies(project: Project) -> None:
    action = Bump(target=2)
    opener = Opener()
    state = drive(project, action, hosts("a"), {"a": FakeSession("a")}, check=True)
    result = state.results[0]
    assert (result.status, result.message) == (Status.CHANGED, "check: would set value 0 -> 2")
    assert result.diff == "-0\n+2\n" and result.plan.changes[0].description == "set value 0 -> 2"
    assert action.applied == [] and opener.opened == []


def test_apply_then_noop_and_facts_read_again_after_an_apply(project: Project) -> None:
    action = Bump(target=3)
    session = FakeSession("a")
    with Driver(RunSettings(project=project), hosts("a"),
                pool=SessionPool(project, lambda h, p: session)) as driver:
        Counter.reads = 0
        first = driver.run_step(Step(action, "bump"), hosts("a")).results[0]
        second = driver.run_step(Step(action, "bump"), hosts("a")).results[0]
    assert (first.status, first.message) == (Status.CHANGED, "value set to 3")
    assert (second.status, second.message) == (Status.OK, "already 3")  # the no-op, with its reason
    assert Counter.reads == 2  # the apply invalidated the cached fact
    assert action.applied == ["a"]


class Uncertain(Bump):
    def plan(self, ctx: Any) -> Plan:
        return Plan((Change("run: reboot-if-you-like"),), reason="it may change the host",
                    certain=False)


def test_an_action_that_cannot_know_says_so_in_check_mode(project: Project) -> None:
    state = drive(project, Uncertain(), hosts("a"), {"a": FakeSession("a")}, check=True)
    result = state.results[0]
    assert (result.status, result.message) == (
        Status.SKIPPED, "check mode: it may change the host, so it is not run")


@dataclass
class Hooked(Bump):
    """Bump with step hooks; begin fails when asked to."""

    fail_begin: bool = False
    calls: list[str] = field(default_factory=list)
    commits_at_end: bool = False
    fail_end: bool = False

    def begin(self, run: RunSettings) -> StepNote:
        self.calls.append("begin")
        if self.fail_begin:
            raise IctopsError("the store is locked by run R0")
        return StepNote("begun")

    def end(self, run: RunSettings, results: Any) -> StepNote:
        self.calls.append(f"end {len(results)}")
        if self.fail_end:
            raise OSError("disk full")
        return StepNote("ended")

    def abort(self, run: RunSettings) -> None:
        self.calls.append("abort")


def test_a_begin_that_fails_is_a_result_for_each_host_and_the_run_goes_on(project: Project) -> None:
    action = Hooked(fail_begin=True)
    opener = Opener()
    with _driver(project, opener) as driver:
        failed = driver.run_step(Step(action, "bump"), hosts("a", "b"))
        after = driver.run_step(Step(Probe(), "probe"), hosts("a"))
    assert [(r.status, r.error_kind) for r in failed.results] == [
        (Status.FAILED, ErrorKind.STEP_FAILED)] * 2
    assert failed.results[0].message == "bump could not start: the store is locked by run R0"
    assert action.calls == ["begin"] and action.applied == []  # never ended, never applied
    assert after.results[0].status is Status.OK


def test_end_failure_of_a_commit_at_end_step_keeps_nothing(project: Project) -> None:
    action = Hooked(commits_at_end=True, fail_end=True)
    with Recorder(project, run_id="R1", operator="t") as recorder:
        with Driver(RunSettings(project=project), hosts("a"), recorder=recorder,
                    pool=SessionPool(project, lambda h, p: FakeSession("a"))) as driver:
            state = driver.run_step(Step(action, "bump", 2, 5), hosts("a"))
    result = state.results[0]
    assert (result.status, result.error_kind) == (Status.FAILED, ErrorKind.STEP_FAILED)
    assert result.message == "not kept: disk full (was: value set to 1)"
    assert action.calls == ["begin", "end 1", "abort"]
    records = [json.loads(line) for line in trail_path(project).read_text().splitlines()]
    assert [(r["host"], r["status"]) for r in records] == [("a", "failed")]  # recorded after end


def test_an_approved_plan_pins_what_is_applied(project: Project) -> None:
    sessions = {"a": FakeSession("a"), "b": FakeSession("b")}
    planned = drive(project, Bump(target=1), hosts("a", "b"), sessions, check=True)
    approved = {r.host: r.plan.digest for r in planned.results}
    sessions["b"].value = 5  # changed by hand since the approval: its plan is now empty
    sessions["a"].value = -1  # its plan moved: -1 -> 1, not 0 -> 1
    action = Bump(target=1)
    with Driver(RunSettings(project=project), hosts("a", "b"),
                pool=SessionPool(project, lambda h, p: sessions[h.name])) as driver:
        state = driver.run_step(Step(action, "bump", approved=approved), hosts("a", "b"))
    a, b = state.results
    assert (a.status, a.error_kind) == (Status.FAILED, ErrorKind.PLAN_MOVED)
    assert a.message.startswith("not changed: the host's plan moved since it was approved "
                                "(now: set value -1 -> 1)")
    assert (b.status, b.message) == (Status.OK, "already 5")
    assert action.applied == [] and sessions["a"].value == -1
    sessions["a"].value = 0  # as approved again
    state = drive(project, action, hosts("a"), sessions)  # no approval pinned: applies
    assert state.results[0].status is Status.CHANGED


class Echo:
    name = "echo"

    def read(self, ctx: Any) -> Outcome:
        return Outcome.ok(f"said {ctx.host.name}: hunter2-the-password", output="hunter2-the-password\n",
                          diff="+key hunter2-the-password\n")


def test_host_secrets_are_masked_in_results_and_in_the_trail(project: Project, monkeypatch) -> None:
    monkeypatch.setenv("ICTOPS_TEST_DRIVER_SECRET", "hunter2-the-password")
    targets = hosts("a", password="yes")
    with Recorder(project, run_id="R2", operator="t") as recorder:
        with Driver(RunSettings(project=project), targets, recorder=recorder,
                    pool=SessionPool(project, lambda h, p: FakeSession("a"))) as driver:
            state = driver.run_step(Step(Echo(), "cmd", 6, 5), targets)
    result = state.results[0]
    assert result.message == "said a: <removed>"
    assert result.output == "<removed>\n" and result.diff == "+key <removed>\n"
    assert "hunter2" not in trail_path(project).read_text()


def test_a_run_level_result_is_recorded_without_any_host_secret(project: Project, monkeypatch) -> None:
    monkeypatch.setenv("ICTOPS_TEST_DRIVER_SECRET", "hunter2-the-password")
    targets = hosts("a", password="yes")
    said = ActionResult(host=None, action="notify", status=Status.FAILED,
                        message="mail server said: 535 bad login hunter2-the-password")
    with Recorder(project, run_id="R3", operator="t") as recorder:
        with Driver(RunSettings(project=project), targets, recorder=recorder,
                    pool=SessionPool(project, lambda h, p: FakeSession("a"))) as driver:
            driver.record(said, Step(None, "notify", 2, 7))
    (record,) = [json.loads(line) for line in trail_path(project).read_text().splitlines()]
    assert (record["host"], record["summary"]) == (None, "mail server said: 535 bad login <removed>")


@dataclass
class Slow:
    """Host 'first' interrupts the run (as a signal handler would) and then finishes; host
    'caught' is in the middle when its session is closed."""

    driver: Driver | None = None
    name: str = "slow"
    started: list[str] = field(default_factory=list)

    def read(self, ctx: Any) -> Outcome:
        self.started.append(ctx.host.name)
        if ctx.host.name == "first":
            self.driver.interrupt("SIGTERM")
            return Outcome.ok("done before the signal was handled")
        raise SessionError(ErrorKind.CONNECTION_LOST, "channel closed")


def test_interruption_starts_no_new_host_and_keeps_what_completed(project: Project) -> None:
    action = Slow()
    with Recorder(project, run_id="R3", operator="t") as recorder:
        with Driver(RunSettings(project=project, workers=1), hosts("first", "x", "y"),
                    recorder=recorder, pool=SessionPool(project, lambda h, p: FakeSession(h.name))) as driver:
            action.driver = driver
            state = driver.run_step(Step(action, "slow", 6, 5), hosts("first", "x", "y"))
            assert driver.exit_code is ExitCode.TERMINATED
            later = driver.run_step(Step(Probe(), "probe", 6, 5), hosts("first"))
    assert action.started == ["first"]  # one worker: x and y were never started
    assert [(r.host, r.status) for r in state.results] == [("first", Status.OK)]
    assert state.not_started == ["x", "y"]
    assert later.results == [] and later.not_started == ["first"]
    records = [json.loads(line) for line in trail_path(project).read_text().splitlines()]
    assert [(r["host"], r["status"]) for r in records] == [("first", "ok")]


class CaughtInTheMiddle:
    """The signal arrives while the host is being worked on; its session is closed under it."""

    name = "caught"
    driver: Driver | None = None

    def read(self, ctx: Any) -> Outcome:
        self.driver.interrupt("SIGINT")  # what the signal handler does
        raise SessionError(ErrorKind.CONNECTION_LOST, "channel closed")


def test_a_host_caught_in_the_middle_is_failed_interrupted(project: Project) -> None:
    action = CaughtInTheMiddle()
    with Recorder(project, run_id="R4", operator="t") as recorder:
        with Driver(RunSettings(project=project), hosts("h"), recorder=recorder,
                    pool=SessionPool(project, lambda h, p: FakeSession(h.name))) as driver:
            action.driver = driver
            state = driver.run_step(Step(action, "caught", 6, 5), hosts("h"))
            assert driver.exit_code is ExitCode.INTERRUPTED
    result = state.results[0]
    assert (result.status, result.error_kind) == (Status.FAILED, ErrorKind.INTERRUPTED)
    assert result.message == ("interrupted by SIGINT while in progress (a change may be "
                              "incomplete): channel closed")
    records = [json.loads(line) for line in trail_path(project).read_text().splitlines()]
    assert [(r["host"], r["status"], r["error_kind"]) for r in records] == [("h", "failed", "interrupted")]


def test_results_are_not_truthy() -> None:
    with pytest.raises(TypeError):
        bool(ActionResult(host="a", action="x", status=Status.FAILED))
