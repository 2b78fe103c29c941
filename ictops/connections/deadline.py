"""A deadline for each phase of a connection, kept by cutting the connection when it passes.

paramiko waits without a limit in places (a channel open waits 3,600 s by default; the pty,
shell, exec and SFTP requests wait for their answer forever) and netmiko reads until its own
limits. Rather than trust every one of those waits, each phase runs under a ``Watchdog``:
when the phase outlives its deadline the socket is shut down, which wakes every blocked
call on that connection with an error, and the phase ends as a TIMEOUT that names it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ictops.connections.base import SessionError
from ictops.results import ErrorKind

# Seconds a phase that has its own, more precise limit in paramiko or in our code gets
# beyond it, so that the precise message wins and the watchdog is only the backstop.
GRACE = 1.0


class Watchdog:
    """Guards one connection (its socket); one phase at a time."""

    def __init__(self, sock: socket.socket, where: str):
        self._sock = sock
        self.where = where
        self._expired: SessionError | None = None
        self._lock = threading.Lock()

    @property
    def cut(self) -> bool:
        """True once a deadline passed: the connection is dead, close it without a goodbye."""
        return self._expired is not None

    @contextmanager
    def phase(
        self, what: str, seconds: float, *, grace: float = 0.0, connecting: bool = False
    ) -> Iterator[None]:
        """Run the block within ``seconds`` (+ ``grace``), or cut the connection and raise
        TIMEOUT.

        ``what`` completes "<host> did not ...", e.g. "open a session channel". ``grace``
        lets a more precise limit inside the block (paramiko's, or our own) fire first.
        ``connecting`` marks the failure as one while opening the session (UNREACHABLE).
        """
        error = SessionError(
            ErrorKind.TIMEOUT,
            f"{self.where} did not {what} within {seconds:g}s",
            during_connect=connecting,
        )
        timer = threading.Timer(seconds + grace, self._expire, args=(error,))
        timer.daemon = True
        timer.start()
        try:
            yield
        except Exception:
            timer.cancel()
            if self._expired is error:
                raise error from None
            raise
        timer.cancel()
        if self._expired is error:  # the call returned after the cut: its answer is worthless
            raise error

    def _expire(self, error: SessionError) -> None:
        with self._lock:
            if self._expired is not None:
                return
            self._expired = error
        shut(self._sock)


def shut(sock: socket.socket) -> None:
    """Shut a socket down both ways: threads blocked on it wake up with EOF or an error."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed or never connected
        pass
