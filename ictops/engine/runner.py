"""Run a function on many hosts in parallel, with Nornir as the glue.

Nornir's threaded runner schedules the hosts; ictops keeps its own typed results. The
function returns one ActionResult per host, or None for a host it did not start (the run
was interrupted); ``on_done`` is called in the worker thread as each host finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from nornir.core import Nornir
from nornir.core.inventory import Defaults, Groups, Hosts
from nornir.core.inventory import Host as NornirHost
from nornir.core.inventory import Inventory as NornirInventory
from nornir.core.task import MultiResult, Result, Task
from nornir.plugins.runners import ThreadedRunner

from ictops.inventory.host import Host
from ictops.results import ActionResult, ErrorKind, Status

log = logging.getLogger("ictops.engine")

HostFunction = Callable[[Host], "ActionResult | None"]
Listener = Callable[[ActionResult], None]


def internal_error(exc: BaseException | None) -> str:
    """A host's message for a bug in ictops (the traceback goes to the log, not the recap)."""
    what = f"{type(exc).__name__}: {exc}" if exc is not None else "no result"
    return f"internal error ({what}); this is an ictops bug, see state/logs"


def _nornir_for(hosts: Sequence[Host], workers: int) -> Nornir:
    """A Nornir object over exactly these hosts; our Host rides along in ``data``."""
    nornir_hosts = Hosts(
        {
            h.name: NornirHost(name=h.name, hostname=h.hostname, port=h.port,
                               platform=h.platform_name, data={"ictops": h})
            for h in hosts
        }
    )
    inventory = NornirInventory(hosts=nornir_hosts, groups=Groups(), defaults=Defaults())
    return Nornir(inventory=inventory, runner=ThreadedRunner(num_workers=max(1, workers)))


class _Done:
    """Nornir processor that hands each finished host's result to ``on_done``."""

    def __init__(self, on_done: Listener):
        self.on_done = on_done

    def task_started(self, task: Task) -> None: ...
    def task_completed(self, task: Task, result: Any) -> None: ...
    def task_instance_started(self, task: Task, host: NornirHost) -> None: ...
    def subtask_instance_started(self, task: Task, host: NornirHost) -> None: ...
    def subtask_instance_completed(self, task: Task, host: NornirHost, result: MultiResult) -> None: ...

    def task_instance_completed(self, task: Task, host: NornirHost, result: MultiResult) -> None:
        outcome = result[0].result if result else None
        if isinstance(outcome, ActionResult):
            self.on_done(outcome)


def run_hosts(hosts: Sequence[Host], function: HostFunction, name: str, workers: int,
              on_done: Listener) -> dict[str, ActionResult]:
    """``function`` on every host in parallel; the results by host name (not-started hosts
    are absent)."""
    if not hosts:
        return {}

    def task(task: Task) -> Result:
        return Result(host=task.host, result=function(task.host.data["ictops"]))

    nornir = _nornir_for(hosts, workers).with_processors([_Done(on_done)])
    aggregated = nornir.run(task=task, name=name, on_failed=True)
    results: dict[str, ActionResult] = {}
    for host in hosts:
        multi = aggregated.get(host.name)
        outcome = multi[0].result if multi else None
        if outcome is None and multi and multi[0].exception is None:
            continue  # not started
        if not isinstance(outcome, ActionResult):  # nornir caught something we did not
            exc = multi[0].exception if multi else None
            log.error("internal error on %s:\n%s", host.name, multi[0].result if multi else exc)
            outcome = ActionResult(host=host.name, action=name, status=Status.FAILED,
                                   message=internal_error(exc), error_kind=ErrorKind.INTERNAL)
            on_done(outcome)
        results[host.name] = outcome
    return results
