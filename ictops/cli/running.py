"""The common shape of a CLI verb that acts on hosts: select, run with progress, close."""

from __future__ import annotations

import time
from typing import Sequence

from ictops.cli.output import progress
from ictops.engine.runner import HostAction, RunSettings, run_action
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
) -> tuple[list[ActionResult], float]:
    """Run ``action`` on ``hosts``; every session is closed at the end, whatever happened."""
    pool = SessionPool(settings.project)
    start = time.perf_counter()
    try:
        with progress(len(hosts), label or name) as advance:
            results = run_action(hosts, action, name, settings, pool, listeners=[advance])
    finally:
        pool.close_all()
    return results, time.perf_counter() - start
