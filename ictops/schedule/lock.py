"""One changing run at a time per project: ``flock`` on ``state/run.lock``.

The holder writes who it is into the file (pid, operator, what it runs, since when, machine).
A second run is refused at once (LockBusy, exit 75, naming the holder) or waits for the lock.
The kernel drops an flock when its process dies, so a killed run cannot block the next one;
what it leaves is its holder record, which a clean release empties. The next run finds that
record, takes the lock over and reports the takeover (the caller writes it to the trail).

The lock is per process and re-entrant: a run that holds it can call code that asks for it
again. The backup store keeps its own private lock for its git repository underneath.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ictops.clock import now, show, stamp
from ictops.errors import ExitCode, IctopsError

LOCK_NAME = "run.lock"
_POLL = 0.2  # seconds between tries while waiting

_held: dict[str, ProjectLock] = {}
_held_guard = threading.Lock()


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) the lock, as written in the lock file."""

    pid: int
    operator: str
    what: str  # "run playbooks/nightly.yaml", "backup", ...
    since: str  # stored time (UTC)
    machine: str
    run_id: str = ""

    def describe(self) -> str:
        try:
            when = show(self.since)
        except ValueError:
            when = self.since
        where = "" if self.machine == socket.gethostname() else f" on {self.machine}"
        return f"pid {self.pid}{where}, operator {self.operator}, {self.what}, since {when}"

    @classmethod
    def read(cls, text: str) -> Holder | None:
        try:
            raw: dict[str, Any] = json.loads(text)
            return cls(int(raw["pid"]), str(raw["operator"]), str(raw["what"]), str(raw["since"]),
                       str(raw.get("machine", "")), str(raw.get("run_id", "")))
        except (ValueError, KeyError, TypeError):
            return None


class LockBusy(IctopsError):
    """Another run holds the project lock."""

    exit_code = ExitCode.LOCKED

    def __init__(self, path: Path, holder: Holder | None, waited: float | None = None):
        self.holder = holder
        who = holder.describe() if holder else "a process that has not written its name yet"
        after = f" (waited {waited:.0f}s)" if waited else ""
        check = f"ps -p {holder.pid}" if holder else f"fuser -v {path}"
        super().__init__(f"another ictops run holds the project lock{after}: {who}; wait for it "
                         f"(--wait [SECONDS]) or see what it is doing: {check}")


@dataclass(frozen=True)
class Takeover:
    """The lock was left by a run that did not release it (killed): what it said about itself."""

    previous: Holder | None
    alive: bool  # was a process with that pid still there (another one, since the flock was free)
    raw: str = ""

    def summary(self) -> str:
        if self.previous is None:
            return f"project lock taken over; its holder record was unreadable: {self.raw[:120]!r}"
        state = "is gone" if not self.alive else "is now another process (the lock was free)"
        return (f"project lock taken over from a run that did not release it: "
                f"{self.previous.describe()}; that process {state}")

    def data(self) -> dict[str, Any]:
        return {"previous": asdict(self.previous) if self.previous else None,
                "pid_alive": self.alive}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ProjectLock:
    """The project's run lock. ``acquire`` then ``release``, or ``with``."""

    def __init__(self, state_dir: Path, *, operator: str, what: str, run_id: str = ""):
        self.path = Path(state_dir) / LOCK_NAME
        self.operator, self.what, self.run_id = operator, what, run_id
        self.takeover: Takeover | None = None
        self._fd = -1
        self._depth = 0
        self._outer: ProjectLock | None = None

    def acquire(self, wait: float | None = 0.0,
                on_wait: Callable[[Holder | None], None] | None = None) -> ProjectLock:
        """Take the lock. ``wait``: 0 = refuse at once, None = wait as long as it takes, N = seconds."""
        key = str(self.path.resolve())
        with _held_guard:
            outer = _held.get(key)
            if outer is not None:  # this process holds it already
                outer._depth += 1
                self._outer = outer
                return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        start = time.monotonic()
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    holder = Holder.read(_read(fd))
                    waited = time.monotonic() - start
                    if wait is not None and waited >= wait:
                        raise LockBusy(self.path, holder, waited if wait else None) from None
                    if on_wait is not None and not told:
                        on_wait(holder)
                        told = True
                    time.sleep(_POLL if wait is None else min(_POLL, max(0.01, wait - waited)))
        except BaseException:
            os.close(fd)
            raise
        left = _read(fd)
        if left.strip():
            previous = Holder.read(left)
            self.takeover = Takeover(previous, bool(previous and pid_alive(previous.pid)), left)
        me = Holder(os.getpid(), self.operator, self.what, stamp(now()), socket.gethostname(), self.run_id)
        payload = json.dumps(asdict(me), ensure_ascii=False).encode() + b"\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, payload, 0)
        self._fd = fd
        self._depth = 1
        with _held_guard:
            _held[key] = self
        return self

    def release(self) -> None:
        """Let the lock go (a nested acquire only counts down). Empties the holder record first."""
        if self._outer is not None:
            self._outer._depth -= 1
            self._outer = None
            return
        if self._fd < 0:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        with _held_guard:
            _held.pop(str(self.path.resolve()), None)
        try:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> ProjectLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode("utf-8", errors="replace")


def current_holder(state_dir: Path) -> Holder | None:
    """Who holds the lock now (None when it is free), without taking it."""
    path = Path(state_dir) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return Holder.read(_read(fd))
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
