"""Exceptions and exit codes.

Exceptions are for input and programming errors. A failing host is never an
exception that escapes a run: it becomes a FAILED or UNREACHABLE result.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of every ictops command (documented in docs/exit-codes.md)."""

    OK = 0
    FAILED = 1  # a host failed or was unreachable, a check found a problem
    BAD_INPUT = 2  # bad command line, inventory, playbook, rule pack...
    LOCKED = 75  # another run holds the project lock (sysexits EX_TEMPFAIL: try again later)
    INTERRUPTED = 130  # SIGINT (Ctrl-C): what completed is kept and recorded
    TERMINATED = 143  # SIGTERM (cron, systemd): the same


class IctopsError(Exception):
    """Root of every ictops exception."""

    exit_code: ExitCode = ExitCode.FAILED


class InputError(IctopsError, ValueError):
    """Bad user input. Its text is one line: ``file:line: what is wrong; what to do``."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"


class InputErrors(InputError):
    """Several input errors found in one pass (each is reported on its own line)."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class InventoryError(InputError):
    """The inventory is invalid."""


class LimitError(InputError):
    """A -l/--limit expression is invalid or selects nothing."""


class SecretError(InputError):
    """A secret reference cannot be resolved (environment variable unset, file missing)."""


class LabError(IctopsError):
    """The simulated district cannot be started or stopped."""
