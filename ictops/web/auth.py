"""The dashboard's login, asked for when it listens beyond this machine's loopback address.

Passwords are kept in ``inventory/team.yaml`` as Argon2id hashes (``web_password_hash`` on
a member or an approver; ``ictops web password`` makes one). Argon2id won the Password
Hashing Competition and is OWASP's first choice: memory-hard, so a stolen team file is slow
to crack even on GPUs. argon2-cffi (the reference C implementation, kept by the Python
Cryptographic Authority's hynek) checks it and says when a hash's parameters are outdated.

A signed session cookie (Flask's, a key made at each start) keeps the officer signed in;
wrong passwords from one address are slowed down (``Throttle``).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ictops.audit.team import TEAM_FILE, Team
from ictops.errors import InputError
from ictops.project import Project

# The addresses on which the dashboard needs no login: this machine's own loopback address.
# Any other --bind (the office network, and even another 127.x address) asks for a login.
LOCAL_ONLY = ("127.0.0.1", "::1", "localhost")
MAX_FAILURES = 5  # wrong passwords from one address ...
WINDOW = 300.0  # ... within this many seconds ...
LOCKOUT = 60.0  # ... and it must wait this long

_hasher = PasswordHasher()


def needs_login(bind: str) -> bool:
    """True unless the dashboard listens on this machine's loopback address only."""
    return bind.strip().lower() not in LOCAL_ONLY


def hash_password(password: str) -> str:
    """An Argon2id hash (OWASP parameters of argon2-cffi's defaults) for the team file."""
    return _hasher.hash(password)


def team_users(project: Project) -> dict[str, str]:
    """username -> password hash, for members and approvers that have one."""
    path = project.inventory_dir / TEAM_FILE
    if not path.exists():
        return {}
    team = Team.load(path, project.relative(path))
    users = {m.username: m.web_password_hash for m in team.members if m.web_password_hash}
    for approver in team.approvers:
        if approver.username and approver.web_password_hash:
            users.setdefault(approver.username, approver.web_password_hash)
    return users


def require_users(project: Project, bind: str) -> None:
    """Refuse (exit 2) to listen beyond loopback when nobody could sign in."""
    if not team_users(project):
        raise InputError(
            f"--bind {bind} makes the dashboard reachable from other machines, so it needs a "
            f"login, and no member of inventory/{TEAM_FILE} has a web_password_hash: make one "
            "with `ictops web password` and add it to your entry",
            f"inventory/{TEAM_FILE}",
        )


@dataclass
class Throttle:
    """Wrong passwords per client address: after MAX_FAILURES in WINDOW, wait LOCKOUT."""

    failures: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self.lock:
            recent = [t for t in self.failures.get(address, []) if now - t < WINDOW]
            self.failures[address] = recent
            return len(recent) >= MAX_FAILURES and now - recent[-1] < LOCKOUT

    def failed(self, address: str, now: float | None = None) -> None:
        with self.lock:
            self.failures.setdefault(address, []).append(time.monotonic() if now is None else now)

    def succeeded(self, address: str) -> None:
        with self.lock:
            self.failures.pop(address, None)


class Users:
    """The team file's logins, read again when the file changes (removing a hash revokes it)."""

    def __init__(self, project: Project):
        self.project = project
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, str] = {}
        self._lock = threading.Lock()

    def _current(self) -> dict[str, str]:
        path: Path = self.project.inventory_dir / TEAM_FILE
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (0, 0)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._users = team_users(self.project)
                except InputError:
                    self._users = {}  # a broken team file lets nobody in
                self._stamp = stamp
            return self._users

    def known(self, username: str) -> bool:
        return username in self._current()

    def check(self, username: str, password: str) -> bool:
        """True when ``password`` is ``username``'s. An unknown user costs the same time."""
        stored = self._current().get(username)
        try:
            return _hasher.verify(stored or _dummy(), password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


@functools.cache
def _dummy() -> str:
    return _hasher.hash("an unknown user's password is never this")
