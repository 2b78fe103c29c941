"""What a fact is, and the per-host cache every action reads facts through.

A fact is one read of a host's state: one command (parsed into a typed value) or one file,
never more. ``Facts.get(FACT, *args)`` reads it on first use and keeps it for the run; the
engine calls ``invalidate()`` after an action applied a change to that host, so the next
plan reads the host as it is now (pyinfra #387, #805: plans built on stale facts).
"""

from __future__ import annotations

import base64
import binascii
import shlex
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

    def prefetch(self, *wanted: Fact[Any] | tuple[Any, ...]) -> None:
        """Read several command facts in one round trip (one command on the host) instead
        of one each: ``prefetch(OS_RELEASE, (FILE, "/etc/hosts"))``. Only plain command
        facts of the same sudo need are batched; what is cached already, or fails to
        parse, is left to ``get`` (which then reads it alone, and raises as usual)."""
        todo: list[tuple[CommandFact[Any], tuple[Any, ...]]] = []
        for item in wanted:
            fact, *args = item if isinstance(item, tuple) else (item,)
            with self._lock:
                cached = (fact.name, tuple(args)) in self._cache
            if not cached and batchable(fact):
                todo.append((fact, tuple(args)))
        for sudo in (False, True):
            group = [(f, a) for f, a in todo if (f.sudo and self.host.sudo) == sudo]
            if len(group) < 2:
                continue
            commands = [f.command(*a) for f, a in group]
            session = self.session("server")
            result = session.run(batch_script(commands), timeout=self.host.timeouts.command,
                                 sudo=sudo)
            for (fact, args), part in zip(group, split_batch(result, len(group))):
                if part is None:
                    continue
                try:
                    value = fact.parse(part, *args)
                except HostFailure:
                    continue  # get() reads it again alone and reports the failure
                with self._lock:
                    self._cache[(fact.name, args)] = value
                    self.reads += 1

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


def batchable(fact: Fact[Any]) -> bool:
    """A fact read by its command and parser alone (no read() of its own)."""
    return isinstance(fact, CommandFact) and fact.kind == "server" and \
        type(fact).read is CommandFact.read


_MARK = "#ictops-fact"


def batch_script(commands: Sequence[str | Sequence[str]]) -> str:
    """One shell script running ``commands`` one after the other, each with its own stdout,
    stderr (base64) and exit code after a marker line."""
    lines = ['d=$(mktemp -d) || exit 1', "trap 'rm -rf \"$d\"' EXIT"]
    for i, command in enumerate(commands):
        text = command if isinstance(command, str) else shlex.join(command)
        lines.append(f'( {text}\n) >"$d/o" 2>"$d/e" </dev/null; c=$?; '
                     f"printf '\\n{_MARK} {i} %s\\n' \"$c\"; base64 -w0 \"$d/o\"; echo; "
                     'base64 -w0 "$d/e"; echo')
    return "\n".join(lines) + "\n"


def split_batch(result: CommandResult, count: int) -> list[CommandResult | None]:
    """Each command's result from a batch's output (None where it is missing or garbled)."""
    found: list[CommandResult | None] = [None] * count
    lines = result.stdout.split("\n")
    for i, line in enumerate(lines):
        words = line.split(" ")
        if len(words) != 3 or words[0] != _MARK or not words[1].isdigit() or i + 2 >= len(lines):
            continue
        index = int(words[1])
        try:
            code = int(words[2])
            out = base64.b64decode(lines[i + 1], validate=True).decode("utf-8", errors="replace")
            err = base64.b64decode(lines[i + 2], validate=True).decode("utf-8", errors="replace")
        except (ValueError, binascii.Error):
            continue
        if 0 <= index < count:
            found[index] = CommandResult(result.command, code, out, err, result.duration)
    return found
