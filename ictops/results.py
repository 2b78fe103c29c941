"""What every action on every host ends as: one typed, immutable result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping


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
    """Why a host failed, in terms the officer can act on."""

    UNREACHABLE = "unreachable"  # connection refused, no route, TCP connect timed out
    AUTH_FAILED = "auth_failed"  # wrong key, password or enable secret
    HOSTKEY_UNKNOWN = "hostkey_unknown"  # not in the project's known_hosts: trust it first
    HOSTKEY_CHANGED = "hostkey_changed"  # known_hosts has another key: possible attack
    TIMEOUT = "timeout"  # banner, auth, channel or command took too long
    CONNECTION_LOST = "connection_lost"  # the peer closed the connection mid-way
    COMMAND_FAILED = "command_failed"  # non-zero exit, or "% Invalid input" on a switch
    INVALID_OUTPUT = "invalid_output"  # output refused by a guard (empty, truncated...)
    CONFIG_ERROR = "config_error"  # the host's inventory entry cannot be used (secret unset...)
    INTERNAL = "internal"  # a bug in ictops: please report it


@dataclass(frozen=True)
class ActionResult:
    """One action on one host. Never truthy or falsy: look at ``status``."""

    host: str
    action: str
    status: Status
    message: str = ""
    output: str = ""
    diff: str = ""
    error_kind: ErrorKind | None = None
    started: float = 0.0
    ended: float = 0.0
    data: Mapping[str, Any] = field(default_factory=dict)

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
            "data": dict(self.data),
        }

    def __bool__(self) -> bool:  # pragma: no cover - a trap we refuse to set
        raise TypeError("ActionResult has no truth value: test result.status instead")
