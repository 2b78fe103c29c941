"""Session protocols that actions use, and the failure they raise.

Actions receive an open session; they never open one, build prompts or touch
paramiko/netmiko themselves. Every transport failure is a ``SessionError``
with an ``ErrorKind`` the engine turns into a FAILED/UNREACHABLE result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable

from pydantic import ByteSize

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


def size(n: int) -> str:
    """Bytes as a person reads them: 4.0MiB."""
    return ByteSize(n).human_readable()


class SessionError(IctopsError):
    """A transport failure on one host, with a kind and a message that says what to do."""

    def __init__(self, kind: ErrorKind, message: str, *, during_connect: bool = False):
        self.kind = kind
        self.message = message
        self.during_connect = during_connect or kind in CONNECT_KINDS
        self.sent: tuple[str, ...] = ()  # configure: the lines that reached the device first
        super().__init__(message)


@dataclass(frozen=True)
class CommandResult:
    """What a command returned (on a switch: exit code 0, everything in stdout)."""

    command: str
    exit_code: int
    stdout: str
    stderr: str
    duration: float
    cut: int = 0  # bytes received beyond the host's limits.output and not kept

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
        sink: BinaryIO | None = None,
        keep: int | None = None,
    ) -> CommandResult:
        """Run a command (a shell string, or an argv list that is quoted for you).

        The command is stopped on the server when ``timeout`` passes (SessionError TIMEOUT).
        A non-zero exit is not an exception: look at ``exit_code``. At most ``keep`` bytes
        (default: the host's ``limits.output``) of stdout and of stderr are kept (``cut``
        counts the rest); ``sink`` receives the whole output as it arrives.
        """
        ...

    def get_file(self, path: str, *, sudo: bool = False) -> bytes:
        """Read a remote file of at most the host's ``limits.file`` bytes (bigger:
        SessionError INVALID_OUTPUT). Raises FileNotFoundError when it does not exist."""
        ...

    def put_file(
        self, path: str, data: bytes, *, mode: int | None = None, sudo: bool = False
    ) -> None:
        """Write a remote file atomically (temporary file, then rename)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class SwitchSession(Protocol):
    """A CLI session to a network switch, in enable mode."""

    def run(
        self, command: str, *, timeout: float | None = None, sink: BinaryIO | None = None
    ) -> CommandResult:
        """Run one exec command; its output without echo and prompt, cut at the host's
        ``limits.output`` (``sink`` receives it whole). A command that leaves the exec
        prompt (``configure terminal``) is COMMAND_FAILED and the session is brought back."""
        ...

    def show(self, command: str, *, timeout: float | None = None) -> str:
        """The whole output of a show/display command (over ``limits.output``:
        SessionError INVALID_OUTPUT)."""
        ...

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> str:
        """Apply config lines in config mode, one at a time (``timeout`` for each). Raises
        SessionError COMMAND_FAILED at the first line the device refuses (``% Invalid input``
        and the like; later lines are not sent); any SessionError from it lists in ``sent``
        the lines that reached the device."""
        ...

    def running_config(self) -> str: ...

    def startup_config(self) -> str: ...

    def save(self) -> str:
        """Write the running-config to the startup-config (write memory / save)."""
        ...

    def close(self) -> None: ...
