"""Run one action on many hosts in parallel, with Nornir as the glue.

Nornir's threaded runner schedules the hosts; ictops keeps its own typed
results. Whatever an action does, each host ends with exactly one ActionResult:
a transport failure becomes UNREACHABLE/FAILED with its kind, a bug becomes
FAILED/INTERNAL with the traceback in the run log, and the other hosts finish.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from nornir.core import Nornir
from nornir.core.inventory import Defaults, Groups, Hosts
from nornir.core.inventory import Host as NornirHost
from nornir.core.inventory import Inventory as NornirInventory
from nornir.core.task import MultiResult, Result, Task
from nornir.plugins.runners import ThreadedRunner

from ictops.audit.recorder import new_run_id
from ictops.connections.base import SessionError
from ictops.engine.context import HostContext
from ictops.engine.sessions import SessionPool
from ictops.errors import SecretError
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ActionResult, ErrorKind, Status

log = logging.getLogger("ictops.engine")

HostAction = Callable[[HostContext], ActionResult]
Listener = Callable[[ActionResult], None]

DEFAULT_WORKERS = 50


@dataclass
class RunSettings:
    """What is the same for every host of a run."""

    project: Project
    run_id: str = field(default_factory=new_run_id)
    check: bool = False
    diff: bool = False
    workers: int = DEFAULT_WORKERS
    vars: Mapping[str, Any] = field(default_factory=dict)


def _nornir_for(hosts: Sequence[Host], workers: int) -> Nornir:
    """A Nornir object over exactly these hosts; our Host rides along in ``data``."""
    nornir_hosts = Hosts(
        {
            h.name: NornirHost(
                name=h.name,
                hostname=h.hostname,
                port=h.port,
                platform=h.platform_name,
                data={"ictops": h},
            )
            for h in hosts
        }
    )
    inventory = NornirInventory(hosts=nornir_hosts, groups=Groups(), defaults=Defaults())
    return Nornir(inventory=inventory, runner=ThreadedRunner(num_workers=max(1, workers)))


class _Progress:
    """Nornir processor that forwards each finished host to the listeners."""

    def __init__(self, listeners: Sequence[Listener]):
        self.listeners = listeners

    def task_started(self, task: Task) -> None: ...
    def task_completed(self, task: Task, result: Any) -> None: ...
    def task_instance_started(self, task: Task, host: NornirHost) -> None: ...
    def subtask_instance_started(self, task: Task, host: NornirHost) -> None: ...
    def subtask_instance_completed(self, task: Task, host: NornirHost, result: MultiResult) -> None: ...

    def task_instance_completed(self, task: Task, host: NornirHost, result: MultiResult) -> None:
        outcome = result[0].result if result else None
        if isinstance(outcome, ActionResult):
            for listener in self.listeners:
                listener(outcome)


def run_on_host(ctx: HostContext, action: HostAction) -> ActionResult:
    """Call ``action`` for one host and turn every failure into a result."""
    try:
        return action(ctx)
    except SessionError as exc:
        if not exc.during_connect:
            ctx.pool.discard(ctx.host)  # a broken session is not reused
        status = Status.UNREACHABLE if exc.during_connect else Status.FAILED
        return ctx.result(status, exc.message, error_kind=exc.kind)
    except SecretError as exc:
        return ctx.result(Status.FAILED, str(exc), error_kind=ErrorKind.CONFIG_ERROR)
    except Exception as exc:  # noqa: BLE001 - a bug on one host must not stop the others
        log.error("internal error on %s:\n%s", ctx.host.name, traceback.format_exc())
        return ctx.result(
            Status.FAILED,
            f"internal error ({type(exc).__name__}: {exc}); this is an ictops bug, see state/logs",
            error_kind=ErrorKind.INTERNAL,
        )


def run_action(
    hosts: Sequence[Host],
    action: HostAction,
    name: str,
    settings: RunSettings,
    pool: SessionPool,
    listeners: Sequence[Listener] = (),
) -> list[ActionResult]:
    """Run ``action`` on every host in parallel; one result per host, in host order."""
    if not hosts:
        return []

    def task(task: Task) -> Result:
        host: Host = task.host.data["ictops"]
        ctx = HostContext(
            host=host,
            project=settings.project,
            pool=pool,
            action=name,
            run_id=settings.run_id,
            check=settings.check,
            diff=settings.diff,
            vars=settings.vars,
            started=time.time(),
        )
        return Result(host=task.host, result=run_on_host(ctx, action))

    nornir = _nornir_for(hosts, settings.workers).with_processors([_Progress(listeners)])
    aggregated = nornir.run(task=task, name=name, on_failed=True)
    results: list[ActionResult] = []
    for host in hosts:
        multi = aggregated.get(host.name)
        outcome = multi[0].result if multi else None
        if not isinstance(outcome, ActionResult):  # nornir caught something we did not
            exc = multi[0].exception if multi else None
            outcome = ActionResult(
                host=host.name,
                action=name,
                status=Status.FAILED,
                message=f"internal error: {exc!r}",
                error_kind=ErrorKind.INTERNAL,
            )
        results.append(outcome)
    return results
