"""The run driver: the one place where a step's lifecycle rules live.

Every verb (``ictops cmd``, ``backup``, ``audit``, ``hostkeys trust``, ``backup restore``)
and the playbook executor run their steps through ``Driver``, so the rules are the same
everywhere:

- **begin** once before a step's first host; if it raises, each host of the step gets a
  FAILED result (``step_failed``) with the reason, and the run goes on (to report, notify);
- **per host**, in parallel: ``when``, then ``read`` (read-only actions) or ``plan`` and,
  outside check mode and when an approved plan still matches, ``apply``; the host's facts
  are invalidated after an apply. A transport failure (SessionError) becomes UNREACHABLE or
  FAILED with its kind and the broken session is discarded; a HostFailure is FAILED with
  its kind; a bug is FAILED ``internal`` with the traceback in the log;
- **masking** of messages, outputs, diffs and plans, per host, before anything sees them;
- **recording**: each result as it completes (a ``commits_at_end`` action's after ``end``);
- **end** after the last host, also after an interruption (what completed is kept);
  **abort** when ``end`` cannot be reached (an exception escaped);
- **interruption** (SIGINT/SIGTERM): no new host starts, every session is closed, hosts
  caught in the middle are FAILED ``interrupted``, hosts never started get no result.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ictops import clock
from ictops.actions.base import Context, RunSettings, StepNote
from ictops.audit.recorder import Recorder
from ictops.connections.base import SessionError
from ictops.engine.masks import HostMasks
from ictops.engine.runner import Listener, internal_error, run_hosts
from ictops.engine.sessions import SessionPool
from ictops.engine.signals import Interruption, exit_code_for
from ictops.errors import ExitCode, IctopsError, SecretError
from ictops.facts import Facts
from ictops.inventory.host import Host
from ictops.results import ActionResult, ErrorKind, HostFailure, Outcome, Plan, Status
from ictops.schedule.gate import WindowClosed, closed_message

log = logging.getLogger("ictops.engine")

When = Callable[[Host], "str | None"]  # the reason to skip the host, or None to run it


@dataclass(frozen=True)
class Step:
    """A step as the driver runs it: the action, its name in results, where it is recorded."""

    action: Any  # a ReadAction or ChangeAction, maybe with StepHooks
    name: str  # the action's key: "backup", "cmd"...
    process: int | None = None  # manual process and step of its records; None: not recorded
    step: int | None = None
    when: When | None = None
    data: Mapping[str, Any] = field(default_factory=dict)  # on every record of the step
    approved: Mapping[str, str] | None = None  # host -> approved plan digest (run --plan)


@dataclass
class StepRun:
    """One step's progress in a run (across batches)."""

    step: Step
    opened: bool = False  # begin ran and succeeded: end (or abort) is owed
    begin_error: str | None = None
    ended: bool = False
    results: list[ActionResult] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _tried_begin: bool = False

    @property
    def note(self) -> str | None:
        return "; ".join(self.notes) or None


class Driver:
    """Runs steps on hosts for one run. Use as a context manager (signals, sessions)."""

    def __init__(self, run: RunSettings, hosts: Sequence[Host], *,
                 recorder: Recorder | None = None, pool: SessionPool | None = None,
                 listeners: Sequence[Listener] = ()):
        self.run = run
        self.recorder = recorder
        self.pool = pool or SessionPool(run.project)
        self.listeners = list(listeners)
        self.masks = HostMasks(hosts, run.project.root)
        self._facts: dict[str, Facts] = {}
        self._facts_lock = threading.Lock()
        self._open: list[StepRun] = []
        self._signals = Interruption(self.interrupt)

    # --- the run ----------------------------------------------------------------------------
    def __enter__(self) -> Driver:
        self._signals.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            for state in list(self._open):
                self._abort(state)
            self.pool.close_all()
        finally:
            self._signals.__exit__()

    @property
    def interrupted(self) -> str | None:
        """"SIGINT"/"SIGTERM" once a signal arrived, else None."""
        return self.run.interrupted

    @property
    def exit_code(self) -> ExitCode | None:
        """130/143 when interrupted, else None (the caller decides from the results)."""
        return exit_code_for(self.run.interrupted) if self.run.interrupted else None

    def interrupt(self, reason: str) -> None:
        """Stop the run: start no new host, close every session (in the background)."""
        if self.run.interrupted:
            return
        self.run.interrupted = reason
        threading.Thread(target=self.pool.interrupt, args=(reason,), daemon=True).start()

    def facts(self, host: Host) -> Facts:
        """The host's facts for this run (one cache per host per run)."""
        with self._facts_lock:
            facts = self._facts.get(host.name)
            if facts is None:
                facts = self._facts[host.name] = Facts(
                    host, lambda: self.pool.get(host), lambda until: self.pool.reopen(host, until))
            return facts

    # --- steps ------------------------------------------------------------------------------
    def run_step(self, step: Step, hosts: Sequence[Host]) -> StepRun:
        """begin, every host, end: how a verb runs its one step."""
        state = StepRun(step)
        self.hosts(state, hosts)
        self.end(state)
        return state

    def hosts(self, state: StepRun, hosts: Sequence[Host]) -> list[ActionResult]:
        """Run the step on ``hosts`` (one batch); results in host order, not-started left out."""
        if not state._tried_begin:
            self._begin(state)
        if self.run.interrupted:
            state.not_started.extend(h.name for h in hosts)
            return []

        def one(host: Host) -> ActionResult | None:
            if self.run.interrupted:
                return None
            if self.run.deadline is not None and clock.now() >= self.run.deadline:
                return self._window_closed(state, host)
            return self._one(state, host)

        done = run_hosts(hosts, one, state.step.name, self.run.workers,
                         lambda r: self._done(state, r))
        results = [done[h.name] for h in hosts if h.name in done]
        state.not_started.extend(h.name for h in hosts if h.name not in done)
        state.results.extend(results)
        return results

    def end(self, state: StepRun) -> None:
        """End the step (commit, save...); a ``commits_at_end`` step's results are recorded
        now, as ``end`` left them."""
        if state.ended:
            return
        state.ended = True
        action = state.step.action
        if state.opened:
            self._open.remove(state)
            hook = getattr(action, "end", None)
            if callable(hook):
                try:
                    self._note(state, hook(self.run, list(state.results)))
                except Exception as exc:  # noqa: BLE001 - reported, and the step is aborted
                    log.error("%s: end failed:\n%s", state.step.name, traceback.format_exc())
                    state.notes.append(f"{state.step.name}: end failed: {exc}")
                    state.results = [_not_kept(r, exc) for r in state.results]
                    self._call_abort(state)
        if getattr(action, "commits_at_end", False):
            for result in state.results:
                self._record(state, result)

    def record(self, result: ActionResult, step: Step) -> None:
        """Record a result made outside the per-host machinery (run-level notify, report); a
        run-level one (no host) is masked with every host's secrets, like run-level text."""
        masker = self.masks.masker(result.host) if result.host else self.masks.run_masker()
        masked = dataclasses.replace(result, message=masker(result.message) if result.message else "")
        self._record(StepRun(step), masked)

    def event(self, action: str, status: str, *, process: int, step: int, summary: str,
              data: Mapping[str, Any] | None = None, duration: float | None = None) -> None:
        """A run-level event (playbook started/ended, interrupted...)."""
        if self.recorder is not None:
            self.recorder.event(action, status, process=process, step=step, summary=summary,
                                data=dict(data or {}), duration=duration)

    # --- inside ---------------------------------------------------------------------------
    def _begin(self, state: StepRun) -> None:
        state._tried_begin = True
        hook = getattr(state.step.action, "begin", None)
        if not callable(hook) or self.run.interrupted:
            state.opened = not self.run.interrupted
            if state.opened:
                self._open.append(state)
            return
        try:
            note = hook(self.run)
        except IctopsError as exc:
            state.begin_error = str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - a bug in begin fails the step's hosts
            log.error("%s: begin failed:\n%s", state.step.name, traceback.format_exc())
            state.begin_error = f"internal error ({type(exc).__name__}: {exc}); see state/logs"
            return
        state.opened = True
        self._open.append(state)
        self._note(state, note)

    def _note(self, state: StepRun, note: StepNote | None) -> None:
        if note is None:
            return
        if note.note:
            state.notes.append(note.note)
        step = state.step
        if step.process is not None and step.step is not None:
            for event in note.events:
                self.event(event.action, event.status, process=step.process, step=step.step,
                           summary=event.summary, data={**step.data, **(event.data or {})})
        if note.results is not None:
            state.results = list(note.results)

    def _abort(self, state: StepRun) -> None:
        if state in self._open:
            self._open.remove(state)
        self._call_abort(state)

    def _call_abort(self, state: StepRun) -> None:
        hook = getattr(state.step.action, "abort", None)
        if callable(hook):
            try:
                hook(self.run)
            except Exception:  # noqa: BLE001 - aborting must not hide the first error
                log.error("%s: abort failed:\n%s", state.step.name, traceback.format_exc())

    def _window_closed(self, state: StepRun, host: Host) -> ActionResult:
        """SKIPPED: the unattended run's window closed before this host started (never late)."""
        assert self.run.window is not None and self.run.deadline is not None
        now = time.time()
        return ActionResult(
            host=host.name, action=state.step.name, status=Status.SKIPPED,
            message=closed_message(self.run.window, self.run.deadline), started=now, ended=now,
            payload=WindowClosed(self.run.window.describe(), clock.stamp(self.run.deadline)))

    def _one(self, state: StepRun, host: Host) -> ActionResult:
        step = state.step
        started = time.time()
        plan: Plan | None = None
        if state.begin_error is not None:
            outcome = Outcome.failed(f"{step.name} could not start: {state.begin_error}",
                                     ErrorKind.STEP_FAILED)
        else:
            try:
                reason = step.when(host) if step.when else None
                if reason:
                    outcome = Outcome.skipped(reason)
                else:
                    ctx = Context(host, self.run, self.facts(host), step.name,
                                  self.masks.masker(host.name))
                    outcome, plan = self._act(step, ctx)
            except SessionError as exc:
                if not exc.during_connect:
                    self.pool.discard(host)  # a broken session is not reused
                status = Status.UNREACHABLE if exc.during_connect else Status.FAILED
                outcome = Outcome(status, exc.message, error_kind=exc.kind,
                                  payload=getattr(exc, "payload", None))
            except HostFailure as exc:
                outcome = Outcome.failed(exc.message, exc.kind, payload=exc.payload)
            except SecretError as exc:
                outcome = Outcome.failed(str(exc), ErrorKind.CONFIG_ERROR)
            except Exception as exc:  # noqa: BLE001 - a bug on one host must not stop the others
                log.error("internal error on %s:\n%s", host.name, traceback.format_exc())
                outcome = Outcome.failed(internal_error(exc), ErrorKind.INTERNAL)
        if (self.run.interrupted and outcome.status.is_failure
                and outcome.error_kind is not ErrorKind.ROLLBACK_FAILED):  # that one stays loud
            outcome = dataclasses.replace(
                outcome, status=Status.FAILED, error_kind=ErrorKind.INTERRUPTED,
                message=f"interrupted by {self.run.interrupted} while in progress "
                f"(a change may be incomplete): {outcome.message}")
        outcome = self.masks.outcome(host.name, outcome)
        return ActionResult(
            host=host.name, action=step.name, status=outcome.status, message=outcome.message,
            output=outcome.output, diff=outcome.diff, error_kind=outcome.error_kind,
            started=started, ended=time.time(), payload=outcome.payload, plan=plan,
        )

    def _act(self, step: Step, ctx: Context) -> tuple[Outcome, Plan | None]:
        action = step.action
        if not hasattr(action, "plan"):
            return action.read(ctx), None
        raw = action.plan(ctx)
        plan = self.masks.plan(ctx.host.name, raw)
        if plan.empty:
            return Outcome.ok(plan.reason or "nothing to do", payload=raw.payload), plan
        if self.run.check:
            if not plan.certain:
                return Outcome.skipped(f"check mode: {plan.reason}, so it is not run"), plan
            return Outcome.changed(f"check: would {plan.summary()}", diff=plan.diff,
                                   payload=raw.payload), plan
        if step.approved is not None and getattr(action, "changes_hosts", True):
            approved = step.approved.get(ctx.host.name)
            if approved != plan.digest:
                return Outcome.failed(
                    "not changed: the host's plan moved since it was approved (now: "
                    f"{plan.summary()}); make a new plan and have it approved",
                    ErrorKind.PLAN_MOVED), plan
        try:
            return action.apply(ctx, raw), plan
        finally:
            ctx.facts.invalidate()

    def _done(self, state: StepRun, result: ActionResult) -> None:
        for listener in self.listeners:
            try:
                listener(result)
            except Exception:  # noqa: BLE001 - a display problem must not lose a result
                log.error("listener failed:\n%s", traceback.format_exc())
        if not getattr(state.step.action, "commits_at_end", False):
            self._record(state, result)

    def _record(self, state: StepRun, result: ActionResult) -> None:
        step = state.step
        if self.recorder is None or step.process is None or step.step is None:
            return
        # the result was masked with the host's masker when it was made (_one, record)
        self.recorder.result(result, process=step.process, step=step.step, check=self.run.check,
                             data=dict(step.data))


def _not_kept(result: ActionResult, exc: Exception) -> ActionResult:
    """A commits_at_end result whose end failed: what it did is not kept."""
    if result.status is not Status.CHANGED:
        return result
    return dataclasses.replace(result, status=Status.FAILED, error_kind=ErrorKind.STEP_FAILED,
                               message=f"not kept: {exc} (was: {result.message})")
