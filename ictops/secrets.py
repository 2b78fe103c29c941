"""Secret references: the inventory names where a secret lives, never the secret itself.

A reference is ``{env: NAME}`` (an environment variable) or ``{file: PATH}`` (a file
readable only by the operator, path relative to the project). The value is read only
when a connection needs it, and never appears in ``repr``, logs, reports or the audit
trail.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ictops.errors import SecretError
from ictops.masking import remember_secret
from ictops.yamlfile import read_input

MAX_SECRET_BYTES = 64 * 1024


@dataclass(frozen=True)
class SecretRef:
    """Where a secret lives. ``repr`` and ``str`` never show the value."""

    env: str | None = None
    file: str | None = None
    source: str = ""  # "inventory/hosts.yaml:12", for error messages

    def describe(self) -> str:
        return f"env:{self.env}" if self.env else f"file:{self.file}"

    def is_available(self, base: Path) -> bool:
        if self.env:
            return bool(os.environ.get(self.env))
        return (base / str(self.file)).is_file()

    def resolve(self, base: Path) -> str:
        """Read the secret. Raises SecretError with the fix when it cannot."""
        where = f"{self.source}: " if self.source else ""
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise SecretError(
                    f"{where}environment variable {self.env} is not set; "
                    f"export {self.env}=... before running ictops"
                )
            remember_secret(value)
            return value
        path = base / str(self.file)
        try:
            # a regular file of at most 64 KiB: a FIFO must not block, /dev/zero not fill memory
            raw = read_input(path, str(path), SecretError, max_bytes=MAX_SECRET_BYTES)
            mode = path.stat().st_mode
            value = raw.decode("utf-8").rstrip("\r\n")
        except SecretError as exc:  # not found, not a regular file, too large
            hint = "" if ";" in exc.message else "; create it with the secret on one line, mode 0600"
            raise SecretError(f"{where}secret file {path}: {exc.message}{hint}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretError(
                f"{where}secret file {path} cannot be read ({getattr(exc, 'strerror', None) or exc}); "
                "create it with the secret on one line, mode 0600"
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretError(
                f"{where}secret file {path} can be read by others (mode {stat.S_IMODE(mode):04o}); "
                f"run: chmod 600 {path}"
            )
        remember_secret(value)
        return value

    def __repr__(self) -> str:
        return f"SecretRef({self.describe()})"

    __str__ = __repr__


MASK = "********"
