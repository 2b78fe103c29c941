"""Run an action through the engine's driver with in-memory sessions (for unit tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ictops.actions.base import RunSettings
from ictops.audit.recorder import Recorder
from ictops.connections.base import SessionError
from ictops.engine.driver import Driver, Step, StepRun
from ictops.engine.sessions import SessionPool
from ictops.inventory.host import Host
from ictops.project import Project


def drive(
    project: Project,
    action: Any,
    hosts: Sequence[Host],
    sessions: Mapping[str, Any] | None = None,
    *,
    check: bool = False,
    name: str | None = None,
    record: tuple[int, int] | None = None,
    operator: str = "tester",
    run_id: str | None = None,
) -> StepRun:
    """One step of ``action`` on ``hosts``; ``sessions``: host name -> session, a
    SessionError its connection raises, or a function called at each connection (a
    reconnection too) that returns one (None: real SSH connections, as in the lab tests).
    ``record``: (process, step) to write the trail."""

    def opener(host: Host, _project: Project) -> Any:
        assert sessions is not None
        session = sessions[host.name]
        if callable(session):
            session = session()
        if isinstance(session, SessionError):
            raise session
        return session

    run = RunSettings(project=project, check=check, workers=4, operator=operator)
    if run_id:
        run.run_id = run_id
    recorder = Recorder(project, run_id=run.run_id, operator=operator) if record else None
    step = Step(action, name or getattr(action, "name", "test"), *(record or (None, None)))
    try:
        with Driver(run, hosts, recorder=recorder, pool=SessionPool(project, opener if sessions is not None else None)) as driver:
            return driver.run_step(step, hosts)
    finally:
        if recorder is not None:
            recorder.close()
