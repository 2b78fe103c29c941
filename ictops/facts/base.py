"""What a fact is, and the per-host cache every action reads facts through.

A fact is one read of a host's state: one command (parsed into a typed value) or one file,
never more. ``Facts.get(FACT, *args)`` reads it on first use and keeps it for the run; the
engine calls ``invalidate()`` after an action applied a change to that host, so the next
plan reads the host as it is now (pyinfra #387, #805: plans built on stale facts).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from ictops.connections.base import CommandResult, ServerSession, SessionError, SwitchSession
from ictops.inventory.host import Host
from ictops.results import ErrorKind, HostFailure

T = TypeVar("T")


class FactError(HostFailure):
    """A fact could not be read from a working session (a command missing, output garbled).

    The host's result is FAILED with this message; the session stays usable."""


class Fact(Generic[T]):
    """One kind of host state. Subclasses set ``kind`` and implement ``read``."""

    kind: ClassVar[str] = "server"  # "server" or "switch": the session it reads through;
    #                                 "network": none (it reads what any peer shows, a host key)

    @property
    def name(self) -> str:
        return type(self).__name__

    def read(self, session: Any, host: Host, *args: Any) -> T:
        raise NotImplementedError


class CommandFact(Fact[T]):
    """A fact read with one server command: ``command(*args)`` then ``parse(result, *args)``.

    ``parse`` is pure, so each fact's parser is tested as data (output -> expected value).
    """

    sudo: ClassVar[bool] = False  # run with sudo when the host uses sudo

    def command(self, *args: Any) -> str | Sequence[str]:
        raise NotImplementedError

    def parse(self, result: CommandResult, *args: Any) -> T:
        raise NotImplementedError

    def read(self, session: ServerSession, host: Host, *args: Any) -> T:
        result = session.run(self.command(*args), timeout=host.timeouts.command,
                             sudo=self.sudo and host.sudo)
        return self.parse(result, *args)


class Facts:
    """The facts of one host for one run: read on first use, cached, invalidated by an apply."""

    def __init__(self, host: Host, session: Callable[[], ServerSession | SwitchSession],
                 reopen: Callable[[float | None], ServerSession | SwitchSession] | None = None):
        self.host = host
        self._session = session
        self._reopen = reopen
        self._cache: dict[tuple[str, tuple[Any, ...]], Any] = {}
        self._lock = threading.Lock()
        self._done: set[str] = set()
        self.reads = 0  # how many facts were read from the host (not from the cache)

    def get(self, fact: Fact[T], *args: Any) -> T:
        """The fact's value for this host (``args``: a path, a service name...)."""
        key = (fact.name, args)
        with self._lock:
            if key in self._cache:
                return self._cache[key]  # type: ignore[no-any-return]
        session = None if fact.kind == "network" else self.session(fact.kind)
        value = fact.read(session, self.host, *args)
        with self._lock:
            self._cache[key] = value
            self.reads += 1
        return value

    def session(self, kind: str) -> Any:
        """The host's session; SessionError CONFIG_ERROR when the fact is for the other kind."""
        self._check_kind(kind)
        return self._session()

    def _check_kind(self, kind: str) -> None:
        wanted_switch = kind == "switch"
        if wanted_switch != self.host.is_switch:
            what = "a switch" if self.host.is_switch else "a server"
            raise SessionError(ErrorKind.CONFIG_ERROR,
                               f"{self.host.name} is {what}: this reads a {kind}")

    def reopen(self, kind: str, deadline: float | None = None) -> Any:
        """A new session in place of the host's current one; the cached facts are forgotten.
        ``deadline`` None: one try (a change must be rolled back after its connection
        dropped); else trying until ``deadline`` (time.monotonic()) while the host does not
        answer (it is rebooting). SessionError (its last failure) when it fails."""
        self._check_kind(kind)
        if self._reopen is None:
            raise SessionError(ErrorKind.CONFIG_ERROR, f"{self.host.name}: this run cannot reconnect")
        self.invalidate()
        return self._reopen(deadline)

    def invalidate(self) -> None:
        """Forget every cached fact (the host was changed)."""
        with self._lock:
            self._cache.clear()

    def first(self, what: str) -> bool:
        """True the first time ``what`` is asked for this host in this run, then False (an
        ``invalidate`` does not forget it): for work done at most once per run and host,
        like refreshing apt's lists."""
        with self._lock:
            if what in self._done:
                return False
            self._done.add(what)
            return True
