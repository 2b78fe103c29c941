"""Run a loaded playbook: steps in order, hosts of a batch in parallel, one session pool.

Like Ansible: a host that failed or was unreachable is not run in later steps; with
``serial`` the hosts go in batches (every host step on batch 1, then batch 2...);
``max_fail_percentage`` stops the run after a batch that exceeds it; handlers run
once at the end on the hosts that notified them with CHANGED. Run-level steps
(notify, report) run once, on no host, after every batch of the steps before them,
and also after a max-fail stop, so those concerned hear of it.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from ictops.engine.context import HostContext
from ictops.engine.runner import HostAction, Listener, RunSettings, run_action
from ictops.engine.sessions import SessionPool
from ictops.errors import ExitCode
from ictops.inventory.host import Host
from ictops.playbook.actions import ActionSpec, Registry, RunInfo, default_registry, failed_to_load
from ictops.playbook.model import Playbook, PlayStep, SerialItem
from ictops.playbook.when import evaluate
from ictops.results import ActionResult, ErrorKind, Status

OnResult = Callable[[ActionResult, PlayStep], None]


def batch_sizes(total: int, serial: Sequence[SerialItem]) -> list[int]:
    """Sizes of the batches for ``total`` hosts (Ansible's rules: the last size repeats)."""
    if total <= 0:
        return []
    if not serial:
        return [total]
    sizes: list[int] = []
    left = total
    i = 0
    while left > 0:
        item = serial[min(i, len(serial) - 1)]
        if isinstance(item, str) and item.strip().endswith("%"):
            size = max(1, int(total * int(item.strip()[:-1]) / 100))
        else:
            size = int(item)
        size = min(size, left)
        sizes.append(size)
        left -= size
        i += 1
    return sizes


def batches(hosts: Sequence[Host], serial: Sequence[SerialItem]) -> list[list[Host]]:
    out, start = [], 0
    for size in batch_sizes(len(hosts), serial):
        out.append(list(hosts[start:start + size]))
        start += size
    return out


def exceeds(failed: int, size: int, max_fail_percentage: float | None) -> bool:
    """Did a batch of ``size`` with ``failed`` failures go over the limit? (strictly, like Ansible)"""
    if max_fail_percentage is None or size == 0:
        return False
    return failed * 100.0 / size > max_fail_percentage


def selected(step: PlayStep, tags: Iterable[str], skip_tags: Iterable[str]) -> bool:
    """--tags / --skip-tags: a step tagged 'always' runs unless skipped by name."""
    tags, skip_tags = set(tags), set(skip_tags)
    if skip_tags & set(step.tags):
        return False
    return not tags or bool(tags & set(step.tags)) or "always" in step.tags


@dataclass
class StepOutcome:
    step: PlayStep
    results: list[ActionResult]
    batch: int = 0  # 0: not batched (run-level steps, handlers)
    note: str | None = None
    handler: bool = False


@dataclass
class PlaybookRun:
    """Everything one run did, for the recap, JSON and the plan."""

    run_id: str
    playbook: Playbook
    hosts: list[str]
    check: bool
    outcomes: list[StepOutcome] = field(default_factory=list)
    stopped: str | None = None
    dropped: dict[str, str] = field(default_factory=dict)  # host -> why it stopped being run
    seconds: float = 0.0

    @property
    def host_results(self) -> list[ActionResult]:
        return [r for o in self.outcomes if not o.step.run_level for r in o.results]

    def recap(self) -> dict[str, dict[str, int]]:
        """Per host: ok / changed / failed / unreachable / skipped (Ansible's recap)."""
        counts: dict[str, Counter[str]] = {h: Counter() for h in self.hosts}
        for r in self.host_results:
            counts.setdefault(r.host, Counter())[r.status.value] += 1
        return {h: {s.value: c.get(s.value, 0) for s in Status} for h, c in counts.items()}

    @property
    def exit_code(self) -> ExitCode:
        every = [r for o in self.outcomes for r in o.results]
        if self.stopped or any(r.status.is_failure for r in every):
            return ExitCode.FAILED
        return ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "playbook": self.playbook.path,
            "name": self.playbook.name,
            "process": self.playbook.process,
            "check": self.check,
            "stopped": self.stopped,
            "seconds": round(self.seconds, 3),
            "steps": [
                {
                    "name": o.step.name, "step": o.step.step, "action": o.step.action,
                    "batch": o.batch, "handler": o.handler, "note": o.note,
                    "results": [r.to_dict() for r in o.results],
                }
                for o in self.outcomes
            ],
            "recap": self.recap(),
            "dropped": self.dropped,
            "exit_code": int(self.exit_code),
        }


def _guarded(step: PlayStep, action: HostAction, check: bool, check_skip: str | None,
             variables: Any) -> HostAction:
    """The step's action behind its ``when`` and the check-mode rule."""

    def run(ctx: HostContext) -> ActionResult:
        if step.when_fn is not None:
            try:
                if not evaluate(step.when_fn, ctx.host, variables):
                    return ctx.result(Status.SKIPPED, f"when: {step.when} is false")
            except ValueError as exc:
                return ctx.result(Status.FAILED, str(exc), error_kind=ErrorKind.CONFIG_ERROR)
        if check and check_skip:
            return ctx.result(Status.SKIPPED, check_skip)
        return action(ctx)

    return run


class _Prepared:
    """One step's action for the whole segment: begun on first use, ended after the last batch."""

    def __init__(self, step: PlayStep, spec: ActionSpec, project: Any):
        self.step, self.spec = step, spec
        self.error: Exception | None = None
        self.action: HostAction | None = None
        self.begun = False
        self.results: list[ActionResult] = []
        self.last: StepOutcome | None = None
        try:
            self.action = spec.host_factory(step.args, project)  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - an action that cannot be built fails its hosts
            self.error = exc

    def end(self, settings: RunSettings) -> None:
        end = getattr(self.action, "end", None)
        if not self.begun or not callable(end):
            return
        try:
            note = end(settings, self.results)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            note = f"{self.step.action}: end failed: {exc}"
        if self.last is not None and note:
            self.last.note = note


class Executor:
    """Runs one playbook on a list of hosts with one session pool."""

    def __init__(self, playbook: Playbook, settings: RunSettings, pool: SessionPool, *,
                 registry: Registry | None = None, tags: Sequence[str] = (),
                 skip_tags: Sequence[str] = (), on_result: OnResult | None = None,
                 listeners: Sequence[Listener] = (), operator: str = ""):
        self.playbook = playbook
        self.settings = settings
        self.pool = pool
        self.registry = registry or default_registry()
        self.tags, self.skip_tags = tuple(tags), tuple(skip_tags)
        self.on_result = on_result
        self.listeners = tuple(listeners)
        self.operator = operator
        self.artifacts: dict[str, Any] = {}

    def run(self, hosts: Sequence[Host]) -> PlaybookRun:
        start = time.perf_counter()
        run = PlaybookRun(self.settings.run_id, self.playbook, [h.name for h in hosts], self.settings.check)
        notified: dict[str, set[str]] = {}
        steps = [s for s in self.playbook.steps if selected(s, self.tags, self.skip_tags)]
        for segment in _segments(steps):
            if segment[0].run_level:
                self._run_level(segment[0], run)
            elif not run.stopped:
                self._segment(segment, hosts, run, notified)
        if not run.stopped:
            for handler in self.playbook.handlers:
                targets = [h for h in hosts if h.name in notified.get(handler.name, set())
                           and h.name not in run.dropped]
                if targets:
                    self._segment([handler], targets, run, notified, is_handler=True)
        run.seconds = time.perf_counter() - start
        return run

    def _segment(self, segment: Sequence[PlayStep], hosts: Sequence[Host], run: PlaybookRun,
                 notified: dict[str, set[str]], is_handler: bool = False) -> None:
        prepared = [_Prepared(s, self.registry.get(s.action), self.settings.project) for s in segment]
        serial = () if is_handler else self.playbook.serial
        try:
            for number, batch in enumerate(batches(hosts, serial), 1):
                for prep in prepared:
                    self._host_step(prep, batch, number if serial else 0, run, notified, is_handler)
                failed = sum(1 for h in batch if h.name in run.dropped)
                if not is_handler and exceeds(failed, len(batch), self.playbook.max_fail_percentage):
                    run.stopped = (
                        f"stopped after batch {number}: {failed} of {len(batch)} hosts failed, more than "
                        f"max_fail_percentage {self.playbook.max_fail_percentage:g}%"
                    )
                    break
        finally:
            for prep in prepared:
                prep.end(self.settings)

    def _host_step(self, prep: _Prepared, batch: Sequence[Host], number: int, run: PlaybookRun,
                   notified: dict[str, set[str]], is_handler: bool) -> None:
        step = prep.step
        active = [h for h in batch if h.name not in run.dropped]
        if not active:
            return
        if prep.action is None:
            results = [_as_host(failed_to_load(step.action, prep.error or RuntimeError("?")), h.name)
                       for h in active]
            for r in results:
                self._emit(r, step)
        else:
            guarded = _guarded(step, prep.action, self.settings.check, prep.spec.check_skip(step.args),
                               self.playbook.vars)
            listeners = [*self.listeners, lambda r, s=step: self._emit(r, s)]
            begin = getattr(prep.action, "begin", None)
            if not prep.begun and callable(begin):
                begin(self.settings)
            prep.begun = True
            results = run_action(active, guarded, step.action, self.settings, self.pool, listeners)
        prep.results.extend(results)
        for r in results:
            if r.status.is_failure:
                run.dropped.setdefault(r.host, f"{r.status.value} at step '{step.name}': {r.message}")
            elif r.status is Status.CHANGED:
                for handler in step.notify:
                    notified.setdefault(handler, set()).add(r.host)
        prep.last = StepOutcome(step, results, number, None, is_handler)
        run.outcomes.append(prep.last)

    def _run_level(self, step: PlayStep, run: PlaybookRun) -> None:
        spec = self.registry.get(step.action)
        info = RunInfo(self.settings.project, run.run_id, self.playbook, self.settings.check,
                       self.operator, run.host_results, run.stopped, self.artifacts)
        try:
            result = spec.run_factory(step.args)(info)  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - a run-level failure is a result
            result = failed_to_load(step.action, exc)
        self._emit(result, step)
        run.outcomes.append(StepOutcome(step, [result]))

    def _emit(self, result: ActionResult, step: PlayStep) -> None:
        if self.on_result is not None:
            self.on_result(result, step)


def _as_host(result: ActionResult, host: str) -> ActionResult:
    from dataclasses import replace

    return replace(result, host=host)


def _segments(steps: Sequence[PlayStep]) -> list[list[PlayStep]]:
    """Consecutive host steps together; each run-level step on its own."""
    out: list[list[PlayStep]] = []
    for step in steps:
        if step.run_level or not out or out[-1][0].run_level:
            out.append([step])
        else:
            out[-1].append(step)
    return out


def run_playbook(playbook: Playbook, hosts: Sequence[Host], settings: RunSettings, *,
                 pool: SessionPool | None = None, **kwargs: Any) -> PlaybookRun:
    """Run with one session pool for the whole run; every session is closed at the end."""
    pool = pool or SessionPool(settings.project)
    try:
        return Executor(playbook, settings, pool, **kwargs).run(hosts)
    finally:
        pool.close_all()
