"""The common shape of a CLI verb that acts on hosts: one step through the engine's driver,
with a progress bar on a terminal and the audit trail; the verb prints and picks the exit code."""

from __future__ import annotations

import time
from contextlib import nullcontext
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import click

from ictops.actions.base import DEFAULT_WORKERS, RunSettings
from ictops.audit.catalogue import verb_record
from ictops.audit.mask import summarise
from ictops.audit.recorder import Recorder
from ictops.audit.team import current_operator, resolve_operator
from ictops.cli.output import progress
from ictops.engine.driver import Driver, Step, StepRun
from ictops.errors import ExitCode
from ictops.inventory.host import Host
from ictops.playbook.outcome import totals_text
from ictops.project import Project
from ictops.schedule.guard import project_lock
from ictops.results import ActionResult, Status

class _Seconds(click.ParamType):
    """--wait's value: seconds (0 or more); anything else was most likely the next argument."""

    name = "seconds"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number of seconds; put --wait after the other "
                      "arguments (it then waits as long as it takes) or give SECONDS "
                      "(--wait 600)", param, ctx)
        if seconds < 0:
            self.fail(f"{value} is negative; give 0 or more seconds", param, ctx)
        return seconds


# --wait [SECONDS]: for the project lock; alone, as long as it takes
WAIT = click.option(
    "--wait", "wait", type=_Seconds(), is_flag=False, flag_value=float("inf"),
    default=0.0, metavar="[SECONDS]",
    help="If another run holds the project lock, wait for it (at most SECONDS) instead of "
    "exiting with 75. Put it after the arguments or give SECONDS.")

LIMIT_HELP = (
    "Hosts to act on: names, groups, globs, key=value on host data, "
    "combined with 'and', 'or', 'not' and parentheses (docs/limit.md). Default: all."
)


@dataclass
class VerbRun:
    """What a verb's run did."""

    run: RunSettings
    state: StepRun
    seconds: float
    label: str  # the label (a command line...) masked with every host's secrets

    @property
    def results(self) -> list[ActionResult]:
        return self.state.results

    @property
    def note(self) -> str | None:
        return self.state.note

    @property
    def exit_code(self) -> ExitCode:
        """130/143 when a signal stopped it; 1 when a host failed; else 0."""
        if self.run.interrupted:
            from ictops.engine.signals import exit_code_for

            return exit_code_for(self.run.interrupted)
        return ExitCode.FAILED if any(r.status.is_failure for r in self.results) else ExitCode.OK

    def interrupted_line(self) -> str | None:
        """For the terminal: what a signal left undone."""
        if not self.run.interrupted:
            return None
        left = self.state.not_started
        return (f"interrupted by {self.run.interrupted}: {len(self.results)} host(s) done"
                + (f", not started: {', '.join(left)}" if left else ""))


def run_verb(
    project: Project,
    hosts: Sequence[Host],
    action: Any,
    name: str,
    *,
    check: bool = False,
    workers: int = DEFAULT_WORKERS,
    label: str | None = None,
    record: tuple[int, int] | None | Literal[False] = None,
    lock: bool = True,
    wait: float | None = 0.0,
) -> VerbRun:
    """Run ``action`` on ``hosts`` as one step; every session is closed at the end.

    ``record``: (process, step) of the work manual its records go under; None: the verb's
    default from ictops/data/verbs.yaml (not recorded when it is not listed); False: not
    recorded. The operator is checked against inventory/team.yaml first (refused: exit 2,
    before any host is touched). A SIGINT/SIGTERM ends the run cleanly (docs/exit-codes.md).
    Outside check mode the verb holds the project lock when ``lock`` (docs/schedule.md).
    """
    where = verb_record(name) if record is None else (record or None)
    run = RunSettings(project=project, check=check, workers=workers)
    recorder: Recorder | None = None
    if where is not None and hosts:
        operator = resolve_operator(project)
        run.operator = operator.name
        recorder = Recorder(project, run_id=run.run_id, operator=operator.name, flags=operator.flags)
    else:
        run.operator = current_operator()
    start = time.perf_counter()
    holding = (project_lock(project, operator=run.operator, what=name, run_id=run.run_id, wait=wait,
                            recorder=recorder, process=where[0] if where else 0,
                            step=where[1] if where else 0)
               if lock and not check and hosts else nullcontext())
    try:
        with holding, progress(len(hosts), label or name) as advance:
            with Driver(run, hosts, recorder=recorder, listeners=[advance]) as driver:
                shown = driver.masks.run_masker()(label or name)
                data = {"what": summarise(shown)} if label and label != name else {}
                step = Step(action, name, *(where or (None, None)), data=data)
                state = driver.run_step(step, hosts)
                if driver.interrupted and where is not None:
                    counts = {s.value: sum(r.status is s for r in state.results) for s in Status}
                    left = state.not_started
                    driver.event(
                        f"{name}.interrupted", "interrupted", process=where[0], step=where[1],
                        summary=f"{name} interrupted by {driver.interrupted}: "
                        f"{totals_text(counts)}" + (f"; not started: {len(left)} host(s)" if left else ""),
                        data={**data, "not_started": left},
                    )
    finally:
        if recorder is not None:
            recorder.close()
    if recorder is not None:
        recorder.check()
    return VerbRun(run, state, time.perf_counter() - start, shown)
