"""One playbook run as the CLI does it: operator check, hosts, audit trail, run, events.

Kept out of the click module so that ``run``, ``plan`` and tests share it.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Sequence

from ictops import clock
from ictops.actions.base import DEFAULT_WORKERS, RunSettings
from ictops.actions.registry import Registry
from ictops.audit.recorder import Recorder
from ictops.engine.driver import Driver
from ictops.errors import LimitError
from ictops.inventory import Inventory
from ictops.inventory.host import Host
from ictops.playbook.executor import Approved, Executor
from ictops.playbook.loader import load_playbook
from ictops.playbook.model import Playbook
from ictops.playbook.outcome import PlaybookRun, totals_text
from ictops.project import Project
from ictops.schedule.gate import Gate
from ictops.schedule.guard import catch_up, check_gate, project_lock
from ictops.schedule.lock import ProjectLock


def select_hosts(inventory: Inventory, playbook: Playbook, limit: str | None) -> list[Host]:
    """The playbook's hosts, intersected with -l/--limit."""
    hosts = inventory.select(playbook.hosts)
    if limit is not None:  # an empty -l is refused by select(), never "no limit"
        wanted = {h.name for h in inventory.select(limit)}
        hosts = [h for h in hosts if h.name in wanted]
        if not hosts:
            raise LimitError(f"limit '{limit}' selects none of the playbook's hosts "
                             f"({playbook.hosts or 'all'}); see: ictops inventory list")
    return hosts


@dataclass
class Prepared:
    project: Project
    playbook: Playbook
    hosts: list[Host]
    operator: str
    flags: dict[str, Any] = field(default_factory=dict)
    catalogue: Any = None

    def stage_step(self, stage: str, fallback: int) -> int:
        step = self.catalogue.step_for(self.playbook.process, stage)
        return step.number if step else fallback


def prepare(project: Project, inventory: Inventory, path: str, limit: str | None) -> Prepared:
    """Check the operator, load the playbook against the manual, pick the hosts."""
    from ictops.audit.catalogue import load_catalogue
    from ictops.audit.team import resolve_operator

    operator = resolve_operator(project)
    catalogue = load_catalogue(project)
    playbook = load_playbook(path, project, inventory, catalogue=catalogue)
    return Prepared(project, playbook, select_hosts(inventory, playbook, limit), operator.name,
                    dict(operator.flags), catalogue)


def execute(prep: Prepared, *, check: bool, diff: bool = False, forks: int = DEFAULT_WORKERS,
            tags: Sequence[str] = (), skip_tags: Sequence[str] = (), approved: Approved | None = None,
            plan_id: str | None = None, run_id: str | None = None,
            registry: Registry | None = None, unattended: bool = False,
            wait: float | None = 0.0) -> PlaybookRun:
    """Run the playbook through the driver, with ``playbook.start`` and ``playbook.end``
    records around its results (status ``interrupted`` when a signal stopped it).

    A changing run holds the project lock (``wait``: seconds, None for as long as it takes;
    LockBusy, exit 75, otherwise) and starts with the hosts missed last time (catch-up). An
    ``unattended`` run (ictops schedule) does nothing on an excluded date or outside the
    playbook's window, and starts no host after the window closes (docs/schedule.md); a run
    by hand only notes them.
    """
    settings = RunSettings(project=prep.project, check=check, diff=diff, workers=forks,
                           vars=dict(prep.playbook.vars), operator=prep.operator)
    if run_id:
        settings.run_id = run_id
    book = prep.playbook
    event_step = prep.stage_step("plan", 2) if check else prep.stage_step("carry_out", 5)
    extra = {"plan": plan_id} if plan_id else {}
    hosts, notes = list(prep.hosts), []
    if not check:
        verdict = check_gate(prep.project, book.window, clock.now())
        if verdict.stop and unattended:
            return _not_run(prep, settings, verdict, event_step)
        if verdict.stop:
            notes.append(f"{verdict.stop.removesuffix('; nothing was run')}; run anyway: started by hand")
        elif unattended and book.window is not None:
            settings.window, settings.deadline = book.window, verdict.deadline
        hosts = catch_up(prep.project, book.path, hosts)
    with Recorder(prep.project, run_id=settings.run_id, operator=prep.operator, flags=prep.flags,
                  catalogue=prep.catalogue) as recorder, _lock(
            prep, settings, recorder, event_step, wait) as lock:
        if lock is not None and lock.takeover is not None:
            notes.append(lock.takeover.summary())
        with Driver(settings, hosts, recorder=recorder) as driver:
            driver.event("playbook.start", "ok", process=book.process, step=event_step,
                         summary=f"{'check of ' if check else ''}{book.path} ({book.name}) "
                         f"on {len(prep.hosts)} host(s)",
                         data={"playbook": book.path, "hosts": len(prep.hosts), "check": check,
                               "routine": book.routine, **extra})
            run = Executor(book, driver, registry=registry, tags=tags, skip_tags=skip_tags,
                           approved=approved, data=extra).run(hosts)
            run.notes = notes
            totals = run.totals()
            driver.event("playbook.end", _end_status(run), process=book.process, step=event_step,
                         summary=end_summary(run), duration=run.seconds,
                         data={"playbook": book.path, "totals": totals,
                               "not_started": run.not_started, "untouched": run.untouched,
                               **extra})
    recorder.check()
    return run


def _lock(prep: Prepared, settings: RunSettings, recorder: Recorder, step: int,
          wait: float | None) -> AbstractContextManager[ProjectLock | None]:
    """The project lock for a changing run; none for check mode (it changes nothing)."""
    if settings.check:
        return nullcontext()
    return project_lock(prep.project, operator=prep.operator, what=f"run {prep.playbook.path}",
                        run_id=settings.run_id, wait=wait, recorder=recorder,
                        process=prep.playbook.process, step=step, on_wait=_waiting)


def _waiting(holder: Any) -> None:
    who = holder.describe() if holder is not None else "another run"
    sys.stderr.write(f"ictops: waiting for the project lock held by {who}\n")
    sys.stderr.flush()


def _not_run(prep: Prepared, settings: RunSettings, verdict: Gate, step: int) -> PlaybookRun:
    """An unattended run on an excluded date or outside its window: recorded, nothing run."""
    book = prep.playbook
    with Recorder(prep.project, run_id=settings.run_id, operator=prep.operator, flags=prep.flags,
                  catalogue=prep.catalogue) as recorder:
        recorder.event("playbook.not_started", "skipped", process=book.process, step=step,
                       summary=f"{book.path}: {verdict.stop}",
                       data={"playbook": book.path, **verdict.data()})
    recorder.check()
    return PlaybookRun(settings.run_id, book, [h.name for h in prep.hosts], False,
                       not_run=verdict.stop)


def _end_status(run: PlaybookRun) -> str:
    if run.interrupted:
        return "interrupted"
    return "failed" if int(run.exit_code) else "ok"


def end_summary(run: PlaybookRun) -> str:
    """The playbook.end record's text: how it ended, then the totals, in words."""
    totals = totals_text(run.totals())
    if run.interrupted:
        left = ", ".join(f"'{step}' on {len(hosts)} host(s)" for step, hosts in run.not_started.items())
        return f"interrupted by {run.interrupted}: {totals}" + (f"; not started: {left}" if left else "")
    untouched = f"; never touched: {', '.join(run.untouched)}" if run.untouched else ""
    return f"{run.stopped or 'finished'}: {totals}{untouched}"
