"""The common shape of a CLI verb that acts on hosts: select, run with progress, record, close."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

from ictops.audit.catalogue import verb_record
from ictops.audit.mask import summarise
from ictops.audit.recorder import Recorder
from ictops.audit.team import resolve_operator
from ictops.cli.output import progress
from ictops.engine.masks import host_maskers
from ictops.engine.runner import HostAction, Listener, RunSettings, run_action
from ictops.engine.sessions import SessionPool
from ictops.inventory.host import Host
from ictops.results import ActionResult

LIMIT_HELP = (
    "Hosts to act on: names, groups, globs, key=value on host data, "
    "combined with 'and', 'or', 'not' and parentheses (docs/limit.md). Default: all."
)


def run_with_progress(
    hosts: Sequence[Host],
    action: HostAction,
    name: str,
    settings: RunSettings,
    label: str | None = None,
    record: tuple[int, int] | None | Literal[False] = None,
) -> tuple[list[ActionResult], float]:
    """Run ``action`` on ``hosts``; every session is closed at the end, whatever happened.

    ``record``: (process, step) of the work manual to write each result to the audit
    trail under; None: the verb's default from ictops/data/verbs.yaml (not recorded when
    the verb is not listed); False: do not record. The operator is checked against
    inventory/team.yaml first (refused: exit 2, before any host is touched).
    """
    where = verb_record(name) if record is None else (record or None)
    recorder: Recorder | None = None
    listeners: list[Listener] = []
    if where is not None and hosts:
        operator = resolve_operator(settings.project)
        recorder = Recorder(settings.project, run_id=settings.run_id, operator=operator.name,
                            flags=operator.flags)
        data = {"what": summarise(label)} if label and label != name else None
        masker_for = host_maskers(hosts, settings.project.root)
        process, step = where
        listeners.append(lambda r: recorder.result(  # type: ignore[union-attr]
            r, process=process, step=step, check=settings.check, masker=masker_for(r.host),
            data=data))
    pool = SessionPool(settings.project)
    start = time.perf_counter()
    try:
        with progress(len(hosts), label or name) as advance:
            results = run_action(hosts, action, name, settings, pool, [advance, *listeners])
    finally:
        pool.close_all()
        if recorder is not None:
            recorder.close()
    if recorder is not None:
        recorder.check()
    return results, time.perf_counter() - start
