"""Session protocols that actions use, and the failure they raise.

Actions receive an open session; they never open one, build prompts or touch
paramiko/netmiko themselves. Every transport failure is a ``SessionError``
with an ``ErrorKind`` the engine turns into a FAILED/UNREACHABLE result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ictops.errors import IctopsError
from ictops.results import ErrorKind

# Kinds that mean "we never got a usable session": the host is UNREACHABLE.
CONNECT_KINDS = frozenset(
    {
        ErrorKind.UNREACHABLE,
        ErrorKind.AUTH_FAILED,
        ErrorKind.HOSTKEY_UNKNOWN,
        ErrorKind.HOSTKEY_CHANGED,
        ErrorKind.CONFIG_ERROR,
    }
)


class SessionError(IctopsError):
    """A transport failure on one host, with a kind and a message that says what to do."""

    def __init__(self, kind: ErrorKind, message: str, *, during_connect: bool = False):
        self.kind = kind
        self.message = message
        self.during_connect = during_connect or kind in CONNECT_KINDS
        super().__init__(message)


@dataclass(frozen=True)
class CommandResult:
    """What a server command returned."""

    command: str
    exit_code: int
    stdout: str
    stderr: str
    duration: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@runtime_checkable
class ServerSession(Protocol):
    """An SSH session to a Linux server."""

    def run(
        self,
        command: str | Sequence[str],
        *,
        timeout: float | None = None,
        sudo: bool = False,
        stdin: bytes | None = None,
    ) -> CommandResult:
        """Run a command (a shell string, or an argv list that is quoted for you).

        The command is stopped on the server when ``timeout`` passes (SessionError TIMEOUT).
        A non-zero exit is not an exception: look at ``exit_code``.
        """
        ...

    def get_file(self, path: str, *, sudo: bool = False) -> bytes:
        """Read a remote file. Raises FileNotFoundError when it does not exist."""
        ...

    def put_file(self, path: str, data: bytes, *, mode: int | None = None, sudo: bool = False) -> None:
        """Write a remote file atomically (temporary file, then rename)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class SwitchSession(Protocol):
    """A CLI session to a network switch, in enable mode."""

    def show(self, command: str, *, timeout: float | None = None) -> str:
        """Run a show/display command and return its output (no prompt, no echo)."""
        ...

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> str:
        """Apply config lines in config mode. Raises SessionError COMMAND_FAILED when the
        device refuses a line (``% Invalid input`` and the like)."""
        ...

    def running_config(self) -> str: ...

    def startup_config(self) -> str: ...

    def save(self) -> str:
        """Write the running-config to the startup-config (write memory / save)."""
        ...

    def close(self) -> None: ...
