"""What actions produce: plans of changes, outcomes, and one typed, immutable result per host.

- ``Change`` / ``Plan``: what an action would do to a host (each change in words with its
  masked diff); an empty plan says why nothing is to be done.
- ``Outcome``: what an action's ``apply`` (or ``read``) returns; the engine turns it into
- ``ActionResult``: one action on one host (or, with ``host=None``, on the run itself), with a
  typed ``payload`` (a ``Payload`` subclass) instead of a grab bag of data.
- ``HostFailure``: raised by an action or a fact for a failure on one host that is not a
  transport failure (a refused capture, garbled output); the engine makes it FAILED.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, ClassVar, TypeVar

from ictops.errors import IctopsError


class Status(str, Enum):
    """Outcome of one action on one host (as in Ansible's recap)."""

    OK = "ok"
    CHANGED = "changed"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"

    @property
    def is_failure(self) -> bool:
        return self in (Status.FAILED, Status.UNREACHABLE)


class ErrorKind(str, Enum):
    """Why a host failed, in terms the officer can act on (docs/exit-codes.md)."""

    UNREACHABLE = "unreachable"  # connection refused, no route, TCP connect timed out
    AUTH_FAILED = "auth_failed"  # wrong key, password or enable secret
    HOSTKEY_UNKNOWN = "hostkey_unknown"  # not in the project's known_hosts: trust it first
    HOSTKEY_CHANGED = "hostkey_changed"  # known_hosts has another key: possible attack
    TIMEOUT = "timeout"  # banner, auth, channel or command took too long
    CONNECTION_LOST = "connection_lost"  # the peer closed the connection mid-way
    COMMAND_FAILED = "command_failed"  # non-zero exit, or "% Invalid input" on a switch
    INVALID_OUTPUT = "invalid_output"  # output refused by a guard (empty, truncated...)
    CONFIG_ERROR = "config_error"  # the host's inventory entry cannot be used (secret unset...)
    STEP_FAILED = "step_failed"  # the step could not start for any host (store locked...)
    PLAN_MOVED = "plan_moved"  # the host changed since its plan was approved: not changed
    ROLLBACK_FAILED = "rollback_failed"  # a change failed and could not be undone: look now
    INTERRUPTED = "interrupted"  # SIGINT/SIGTERM arrived while this host was being worked on
    INTERNAL = "internal"  # a bug in ictops: please report it


class HostFailure(IctopsError):
    """A failure on one host that is not a transport failure; the engine makes it FAILED
    (with ``payload`` on the result, when given)."""

    def __init__(self, message: str, kind: ErrorKind = ErrorKind.COMMAND_FAILED,
                 payload: Payload | None = None):
        self.kind = kind
        self.message = message
        self.payload = payload
        super().__init__(message)


E = TypeVar("E", bound=BaseException)


def attach(exc: E, payload: Payload) -> E:
    """``exc`` carrying ``payload``: the engine puts it on the host's result (an action that
    fails still reports what it found, like an audit of an unreachable host)."""
    exc.payload = payload  # type: ignore[attr-defined]
    return exc


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    """One thing a plan would do: in words ("install nginx 1.22-1"), with its masked diff."""

    description: str
    diff: str = ""

    @property
    def digest(self) -> str:
        return _sha256(self.description + "\0" + self.diff)

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "digest": self.digest}


@dataclass(frozen=True)
class Plan:
    """What an action would do to one host. Empty: nothing to do, and ``reason`` says why.

    ``certain`` is False for an action that cannot know what applying would change (a
    shell command): check mode does not pretend, it says so. ``state`` carries what
    ``apply`` needs (a captured config...); it is never saved or shown.
    """

    changes: tuple[Change, ...] = ()
    reason: str = ""
    certain: bool = True
    state: Any = field(default=None, compare=False, repr=False)
    payload: Payload | None = field(default=None, compare=False)  # for the result of a no-op

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def diff(self) -> str:
        return "".join(c.diff if c.diff.endswith("\n") or not c.diff else c.diff + "\n"
                       for c in self.changes)

    @property
    def digest(self) -> str:
        """One digest of every change: what an approval pins, and a re-plan must match."""
        return _sha256(json.dumps([c.digest for c in self.changes] + [self.certain]))

    def summary(self) -> str:
        """One line: the reason of an empty plan, else the changes."""
        if self.empty:
            return self.reason or "nothing to do"
        return "; ".join(c.description for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"changes": [c.to_dict() for c in self.changes], "reason": self.reason,
                "certain": self.certain, "digest": self.digest}


class Payload:
    """Typed data a result carries. Subclasses are frozen dataclasses with a ``kind``."""

    kind: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        """For --json: the subclass's fields (override to leave bulky ones out)."""
        return asdict(self)  # type: ignore[call-overload]

    def record(self) -> dict[str, Any]:
        """What the audit record keeps (short, no secrets); nothing by default."""
        return {}


@dataclass(frozen=True)
class FileWritten(Payload):
    """A file ictops wrote (the director's report...), relative to the project."""

    kind: ClassVar[str] = "file"
    file: str

    def record(self) -> dict[str, Any]:
        return {"file": self.file}


@dataclass(frozen=True)
class Outcome:
    """What ``apply`` or ``read`` returns for one host; the engine adds host, times, masking."""

    status: Status
    message: str = ""
    diff: str = ""
    output: str = ""
    error_kind: ErrorKind | None = None
    payload: Payload | None = None

    @classmethod
    def ok(cls, message: str = "", **kw: Any) -> Outcome:
        return cls(Status.OK, message, **kw)

    @classmethod
    def changed(cls, message: str, **kw: Any) -> Outcome:
        return cls(Status.CHANGED, message, **kw)

    @classmethod
    def skipped(cls, message: str, **kw: Any) -> Outcome:
        return cls(Status.SKIPPED, message, **kw)

    @classmethod
    def failed(cls, message: str, kind: ErrorKind = ErrorKind.COMMAND_FAILED, **kw: Any) -> Outcome:
        return cls(Status.FAILED, message, error_kind=kind, **kw)


@dataclass(frozen=True)
class ActionResult:
    """One action on one host (``host`` None: on the run itself, like notify and report).
    Never truthy or falsy: look at ``status``."""

    host: str | None
    action: str
    status: Status
    message: str = ""
    output: str = ""
    diff: str = ""
    error_kind: ErrorKind | None = None
    started: float = 0.0
    ended: float = 0.0
    payload: Payload | None = None
    plan: Plan | None = None  # the plan this result came from (changing actions)

    @property
    def duration(self) -> float:
        return max(0.0, self.ended - self.started)

    @property
    def failed(self) -> bool:
        return self.status.is_failure

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "action": self.action,
            "status": self.status.value,
            "message": self.message,
            "output": self.output,
            "diff": self.diff,
            "error_kind": self.error_kind.value if self.error_kind else None,
            "started": self.started,
            "ended": self.ended,
            "duration": round(self.duration, 3),
            "data": self.payload.to_dict() if self.payload is not None else {},
            "plan": self.plan.to_dict() if self.plan is not None else None,
        }

    def __bool__(self) -> bool:  # pragma: no cover - a trap we refuse to set
        raise TypeError("ActionResult has no truth value: test result.status instead")
