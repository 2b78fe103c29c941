"""One playbook run as the CLI does it: operator check, hosts, audit trail, run, events.

Kept out of the click module so that ``run``, ``plan`` and tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ictops.engine.runner import DEFAULT_WORKERS, RunSettings
from ictops.errors import LimitError
from ictops.inventory import Inventory
from ictops.inventory.host import Host
from ictops.playbook.executor import PlaybookRun, run_playbook
from ictops.playbook.loader import load_playbook
from ictops.playbook.model import Playbook, PlayStep
from ictops.project import Project
from ictops.results import ActionResult


def select_hosts(inventory: Inventory, playbook: Playbook, limit: str | None) -> list[Host]:
    """The playbook's hosts, intersected with -l/--limit."""
    hosts = inventory.select(playbook.hosts)
    if limit:
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
            tags: Sequence[str] = (), skip_tags: Sequence[str] = (), plan_id: str | None = None,
            run_id: str | None = None) -> PlaybookRun:
    """Run the playbook with the audit trail: start and end events around the results."""
    from ictops.audit.recorder import Recorder
    from ictops.engine.masks import host_maskers

    settings = RunSettings(project=prep.project, check=check, diff=diff, workers=forks,
                           vars=dict(prep.playbook.vars))
    if run_id:
        settings.run_id = run_id
    book = prep.playbook
    carry = prep.stage_step("carry_out", 5)
    event_step = prep.stage_step("plan", 2) if check else carry
    extra = {"plan": plan_id} if plan_id else {}
    masker_for = host_maskers(prep.hosts, prep.project.root)
    with Recorder(prep.project, run_id=settings.run_id, operator=prep.operator, flags=prep.flags,
                  catalogue=prep.catalogue) as recorder:
        recorder.event("playbook.start", "ok", process=book.process, step=event_step,
                       summary=f"{'check of ' if check else ''}{book.path} ({book.name}) "
                       f"on {len(prep.hosts)} host(s)",
                       data={"playbook": book.path, "hosts": len(prep.hosts), "check": check,
                             "routine": book.routine, **extra})

        def on_result(result: ActionResult, step: PlayStep) -> None:
            recorder.result(result, process=step.process, step=step.step, check=check,
                            masker=masker_for(result.host),
                            data={"playbook": book.path, "task": step.name, **extra})

        run = run_playbook(book, prep.hosts, settings, on_result=on_result, tags=tags,
                           skip_tags=skip_tags, operator=prep.operator)
        totals = {s: sum(c[s] for c in run.recap().values()) for s in
                  ("ok", "changed", "failed", "unreachable", "skipped")}
        recorder.event("playbook.end", "failed" if int(run.exit_code) else "ok",
                       process=book.process, step=event_step,
                       summary=(run.stopped or "finished") + f": {totals}",
                       duration=run.seconds, data={"playbook": book.path, "totals": totals, **extra})
    recorder.check()
    return run
