"""What a changing run does around its hosts: the project lock, the calendar and window, the
catch-up order. The playbook session and the CLI verbs call these; the pure parts live in
lock.py, gate.py and catchup.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ictops.audit.recorder import Recorder, trail_path
from ictops.audit.show import read_records
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.schedule.calendar import load_calendar
from ictops.schedule.catchup import catch_up_order
from ictops.schedule.gate import Gate, gate
from ictops.schedule.lock import Holder, ProjectLock
from ictops.schedule.window import Window

TAKEOVER = "run.lock_takeover"


def check_gate(project: Project, window: Window | None, moment: datetime) -> Gate:
    """The school calendar (inventory/calendar.yaml) and the window at ``moment``."""
    return gate(load_calendar(project.inventory_dir), window, moment)


def catch_up(project: Project, playbook: str, hosts: Sequence[Host]) -> list[Host]:
    """``hosts`` with those missed in the playbook's last run first (order otherwise kept)."""
    by_name = {h.name: h for h in hosts}
    order = catch_up_order(read_records(trail_path(project)), playbook, list(by_name))
    return [by_name[name] for name in order]


@contextmanager
def project_lock(project: Project, *, operator: str, what: str, run_id: str, wait: float | None,
                 recorder: Recorder | None, process: int, step: int,
                 on_wait: Callable[[Holder | None], None] | None = None) -> Iterator[ProjectLock]:
    """Hold the project lock for a changing run; a takeover from a killed run is recorded."""
    lock = ProjectLock(project.state_dir, operator=operator, what=what, run_id=run_id)
    lock.acquire(wait=wait, on_wait=on_wait)
    try:
        if lock.takeover is not None and recorder is not None:
            data: dict[str, Any] = lock.takeover.data()
            recorder.event(TAKEOVER, "ok", process=process, step=step, summary=lock.takeover.summary(),
                           data=data)
        yield lock
    finally:
        lock.release()
