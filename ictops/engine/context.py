"""What an action sees of one host during a run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from ictops.connections.base import ServerSession, SessionError, SwitchSession
from ictops.engine.sessions import SessionPool
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ActionResult, ErrorKind, Status


@dataclass
class HostContext:
    """One host in one run: its inventory entry, the run settings and its session."""

    host: Host
    project: Project
    pool: SessionPool
    action: str
    run_id: str = ""
    check: bool = False
    diff: bool = False
    vars: Mapping[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    def server(self) -> ServerSession:
        if not self.host.is_server:
            raise SessionError(ErrorKind.CONFIG_ERROR, f"{self.host.name} is a switch, not a server")
        return self.pool.get(self.host)  # type: ignore[return-value]

    def switch(self) -> SwitchSession:
        if not self.host.is_switch:
            raise SessionError(ErrorKind.CONFIG_ERROR, f"{self.host.name} is a server, not a switch")
        return self.pool.get(self.host)  # type: ignore[return-value]

    def result(
        self,
        status: Status,
        message: str = "",
        *,
        output: str = "",
        diff: str = "",
        error_kind: ErrorKind | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> ActionResult:
        return ActionResult(
            host=self.host.name,
            action=self.action,
            status=status,
            message=message,
            output=output,
            diff=diff,
            error_kind=error_kind,
            started=self.started,
            ended=time.time(),
            data=dict(data or {}),
        )
