"""One session per host per run, opened on first use and closed at the end of the run.

Switches have few VTY lines: every session a run opens is closed when it ends,
whatever happened. A host whose connection failed is not retried in the same run
(like Ansible's unreachable hosts): later steps get the same failure at once.
``interrupt()`` closes every session at once (a signal arrived): the commands running on
the hosts lose their channel, and no new session is opened.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from ictops.connections.base import ServerSession, SessionError, SwitchSession
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ErrorKind

Opener = Callable[[Host, Project], Any]
# a host that is rebooting: nothing listens yet, or it closes the door mid-way
RETRY_KINDS = frozenset({ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT, ErrorKind.CONNECTION_LOST})


class SessionPool:
    """Sessions of one run, by host name. Thread-safe; each host is used by one worker."""

    def __init__(self, project: Project, opener: Opener | None = None):
        self.project = project
        if opener is None:
            # Here, in the thread that starts the run: imported in its worker threads, the
            # transports (paramiko, netmiko) race and deadlock (issue 8, #10).
            from ictops.connections.factory import open_session

            opener = open_session
        self._opener: Opener = opener
        self._sessions: dict[str, Any] = {}
        self._failures: dict[str, SessionError] = {}
        self._lock = threading.Lock()
        self._interrupted: str | None = None

    def get(self, host: Host) -> ServerSession | SwitchSession:
        with self._lock:
            if self._interrupted:
                raise SessionError(ErrorKind.INTERRUPTED, f"not connected: {self._interrupted}")
            if host.name in self._failures:
                raise self._failures[host.name]
            session = self._sessions.get(host.name)
        if session is not None:
            return session
        try:
            session = self._opener(host, self.project)
        except SessionError as exc:
            with self._lock:
                self._failures[host.name] = exc
            raise
        with self._lock:
            if not self._interrupted:
                self._sessions[host.name] = session
                return session
        _close_quietly(session)  # interrupted while it was opening
        raise SessionError(ErrorKind.INTERRUPTED, f"not connected: {self._interrupted}")

    def reopen(self, host: Host, deadline: float | None = None) -> ServerSession | SwitchSession:
        """Close the host's session and open a new one: once (``deadline`` None: to undo a
        change after the connection dropped), or trying again every half second while the
        host does not answer (it is rebooting) until ``deadline`` (time.monotonic()). A
        refused identity or login is not retried. The last failure is raised, and kept."""
        self.discard(host)
        waiter = threading.Event()
        while True:
            with self._lock:
                if self._interrupted:
                    raise SessionError(ErrorKind.INTERRUPTED, f"not connected: {self._interrupted}")
                self._failures.pop(host.name, None)
            try:
                return self.get(host)
            except SessionError as exc:
                if (deadline is None or exc.kind not in RETRY_KINDS
                        or time.monotonic() + 0.5 >= deadline):
                    raise
            waiter.wait(0.5)

    def discard(self, host: Host) -> None:
        """Close and forget a host's session (after it broke mid-way)."""
        with self._lock:
            session = self._sessions.pop(host.name, None)
        if session is not None:
            _close_quietly(session)

    def interrupt(self, reason: str) -> None:
        """Close every session now, without waiting for commands in progress (they fail at
        once), and open no new one (a signal arrived)."""
        with self._lock:
            self._interrupted = reason
        self.close_all(abort=True)

    def close_all(self, abort: bool = False) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        if not sessions:
            return
        close = _abort_quietly if abort else _close_quietly
        with ThreadPoolExecutor(max_workers=min(32, len(sessions))) as pool:
            list(pool.map(close, sessions))


def _close_quietly(session: Any) -> None:
    try:
        session.close()
    except Exception:  # noqa: BLE001 - closing must never fail a run
        pass


def _abort_quietly(session: Any) -> None:
    """A session's ``abort`` (no graceful logout) where it has one, else ``close``; a server
    session first stops its commands still running on the server (closing alone leaves them)."""
    stop = getattr(session, "stop_commands", None)
    if callable(stop):
        try:
            stop()
        except Exception:  # noqa: BLE001 - stopping is best effort; the session is closed next
            pass
    try:
        getattr(session, "abort", session.close)()
    except Exception:  # noqa: BLE001 - closing must never fail a run
        pass
