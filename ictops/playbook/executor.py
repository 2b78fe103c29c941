"""Run a loaded playbook through the engine's driver: steps in order, batches, handlers.

Like Ansible: a host that failed or was unreachable is not run in later steps; with
``serial`` the hosts go in batches (every host step on batch 1, then batch 2...);
``max_fail_percentage`` stops the run after a batch that exceeds it; handlers run once at
the end on the hosts that notified them with CHANGED. Run-level steps (notify, report) run
once, on no host, after every batch of the steps before them, and also after a max-fail
stop, so those concerned hear of it. The lifecycle of each step (begin, per host, end,
check mode, interruption, recording) is the driver's (ictops/engine/driver.py).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ictops.actions.base import RunInfo, RunSettings, run_result
from ictops.actions.registry import Registry, default_registry
from ictops.engine.driver import Driver, Step, StepRun, When
from ictops.errors import IctopsError
from ictops.inventory.host import Host
from ictops.playbook.model import Playbook, PlayStep
from ictops.playbook.outcome import PlaybookRun, StepOutcome, batches, exceeds, selected
from ictops.playbook.when import evaluate
from ictops.results import ErrorKind, HostFailure, Status

log = logging.getLogger("ictops.playbook")

Approved = Mapping[str, Mapping[str, str]]  # step key -> host -> approved plan digest


@dataclass(frozen=True)
class _Unbuilt:
    """A step whose action could not be built: its begin fails, so each host gets the reason."""

    error: Exception
    name: str = "?"

    def begin(self, run: RunSettings) -> None:
        raise IctopsError(f"the action could not be set up: {self.error}")

    def read(self, ctx: Any) -> Any:  # pragma: no cover - never reached: begin failed
        raise AssertionError("unreachable")


class Executor:
    """Runs one playbook on a list of hosts through one driver."""

    def __init__(self, playbook: Playbook, driver: Driver, *, registry: Registry | None = None,
                 tags: Sequence[str] = (), skip_tags: Sequence[str] = (),
                 approved: Approved | None = None, data: Mapping[str, Any] | None = None):
        self.playbook = playbook
        self.driver = driver
        self.run_settings = driver.run
        self.registry = registry or default_registry()
        self.tags, self.skip_tags = tuple(tags), tuple(skip_tags)
        self.approved = approved
        self.data = {"playbook": playbook.path, **(data or {})}
        self.artifacts: dict[str, Any] = {}

    def run(self, hosts: Sequence[Host]) -> PlaybookRun:
        start = time.perf_counter()
        run = PlaybookRun(self.run_settings.run_id, self.playbook, [h.name for h in hosts],
                          self.run_settings.check)
        notified: dict[str, set[str]] = {}
        steps = [s for s in self.playbook.steps if selected(s, self.tags, self.skip_tags)]
        for segment in _segments(steps):
            if self.driver.interrupted:
                break
            if segment[0].run_level:
                self._run_level(segment[0], run)
            elif not run.stopped:
                self._segment(segment, hosts, run, notified)
        if not run.stopped and not self.driver.interrupted:
            for handler in self.playbook.handlers:
                targets = [h for h in hosts if h.name in notified.get(handler.name, set())
                           and h.name not in run.dropped]
                if targets:
                    self._segment([handler], targets, run, notified, is_handler=True)
        run.interrupted = self.driver.interrupted
        run.seconds = time.perf_counter() - start
        return run

    # --- host steps -------------------------------------------------------------------------
    def _step(self, play: PlayStep) -> Step:
        spec = self.registry.get(play.action)
        try:
            action = spec.build(play.args, self.run_settings.project)  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - an action that cannot be built fails its hosts
            action = _Unbuilt(exc, play.action)
        approved = None
        if self.approved is not None:
            approved = self.approved.get(play.key, {})
        return Step(action, play.action, play.process, play.step, when=self._when(play),
                    data={**self.data, "task": play.name}, approved=approved)

    def _when(self, play: PlayStep) -> When | None:
        condition = play.when_fn
        if condition is None:
            return None
        variables = self.playbook.vars

        def when(host: Host) -> str | None:
            try:
                return None if evaluate(condition, host, variables) else f"when: {play.when} is false"
            except ValueError as exc:
                raise HostFailure(str(exc), ErrorKind.CONFIG_ERROR) from None

        return when

    def _segment(self, segment: Sequence[PlayStep], hosts: Sequence[Host], run: PlaybookRun,
                 notified: dict[str, set[str]], is_handler: bool = False) -> None:
        states = [(play, StepRun(self._step(play))) for play in segment]
        serial = () if is_handler else self.playbook.serial
        planned = batches(hosts, serial)
        for number, batch in enumerate(planned, 1):
            if self.driver.interrupted:
                break
            for play, state in states:
                active = [h for h in batch if h.name not in run.dropped]
                if not active or self.driver.interrupted:
                    continue
                results = self.driver.hosts(state, active)
                for r in results:
                    if r.status.is_failure:
                        run.dropped.setdefault(r.host or "", f"{r.status.value} at step "
                                               f"'{play.name}': {r.message}")
                    elif r.status is Status.CHANGED:
                        for handler in play.notify:
                            notified.setdefault(handler, set()).add(r.host or "")
                run.outcomes.append(StepOutcome(play, results, number if serial else 0, None,
                                                is_handler))
            failed = sum(1 for h in batch if h.name in run.dropped)
            if not is_handler and exceeds(failed, len(batch), self.playbook.max_fail_percentage):
                run.stopped = (
                    f"stopped after batch {number}: {failed} of {len(batch)} hosts failed, more than "
                    f"max_fail_percentage {self.playbook.max_fail_percentage:g}%"
                )
                run.untouched = [h.name for later in planned[number:] for h in later]
                break
        for play, state in states:
            self._end(play, state, hosts, run)

    def _end(self, play: PlayStep, state: StepRun, hosts: Sequence[Host], run: PlaybookRun) -> None:
        """End the step; its outcomes take the results as the end left them."""
        self.driver.end(state)
        final = {r.host: r for r in state.results}
        mine = [o for o in run.outcomes if o.step is play]
        for outcome in mine:
            outcome.results = [final.get(r.host, r) for r in outcome.results]
        if mine and state.note:
            mine[-1].note = state.note
        if self.driver.interrupted:
            seen = {r.host for r in state.results}
            left = [h.name for h in hosts if h.name not in seen and h.name not in run.dropped]
            if left:
                run.not_started[play.name] = left

    # --- run-level steps --------------------------------------------------------------------
    def _run_level(self, play: PlayStep, run: PlaybookRun) -> None:
        spec = self.registry.get(play.action)
        info = RunInfo(self.run_settings.project, run.run_id, self.playbook, self.run_settings.check,
                       self.run_settings.operator, run.host_results, run.stopped, self.artifacts)
        try:
            result = spec.run(play.args, info)  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - a run-level failure is a result
            log.error("%s failed:\n%s", play.action, traceback.format_exc())
            result = run_result(play.action, Status.FAILED, f"{play.action} failed: {exc}",
                                error_kind=ErrorKind.INTERNAL)
        self.driver.record(result, Step(None, play.action, play.process, play.step,
                                        data={**self.data, "task": play.name}))
        run.outcomes.append(StepOutcome(play, [result]))


def _segments(steps: Sequence[PlayStep]) -> list[list[PlayStep]]:
    """Consecutive host steps together; each run-level step on its own."""
    out: list[list[PlayStep]] = []
    for step in steps:
        if step.run_level or not out or out[-1][0].run_level:
            out.append([step])
        else:
            out[-1].append(step)
    return out
