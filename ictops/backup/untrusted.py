"""Checks on what a server sends back: names and sizes are untrusted until they pass here.

A compromised server can answer the collection script with anything. The parser keeps a
file only when its name is one ictops asked for (a literal ``backup_files`` entry or a match
of one of its globs, with the shell's rules), written as a normal absolute path (no ``.``,
``..`` or empty component), printable, of bounded length, and when its size is within the
host's caps. Everything else is refused with a reason, never stored (docs/security.md,
"What a device sends").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from ictops.errors import InputError

if TYPE_CHECKING:
    from ictops.inventory.host import Host

MAX_PATH_BYTES = 4096  # PATH_MAX on Linux
MAX_NAME_BYTES = 255  # NAME_MAX: one path component
DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024  # one file or one command output
DEFAULT_MAX_HOST_SIZE = 32 * 1024 * 1024  # everything one host's backup keeps
GLOB_CHARS = frozenset("*?[")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
# Unicode categories refused in a name: control, format (bidi overrides, zero width),
# line and paragraph separators, surrogates, private use, unassigned.
_BAD_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


@dataclass(frozen=True)
class SizeLimits:
    """Caps on what one host's backup may bring back, in bytes."""

    file: int = DEFAULT_MAX_FILE_SIZE  # data.backup.max_file_size
    host: int = DEFAULT_MAX_HOST_SIZE  # data.backup.max_host_size

    @property
    def answer(self) -> int:
        """Bytes of the collection's raw answer a session keeps (its ``keep``): ``host``
        bytes in base64 (4/3), with room for the marker lines."""
        return self.host * 3 // 2 + (1 << 20)


def shown(raw: bytes | str, limit: int = 120) -> str:
    """A device-sent name made safe to print: invalid UTF-8 and control characters escaped,
    cut in the middle to ``limit`` characters."""
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")
    safe = "".join(
        c if unicodedata.category(c) not in _BAD_CATEGORIES else c.encode("unicode_escape").decode()
        for c in text
    )
    if len(safe) <= limit:
        return safe
    tail = (limit - 3) // 2  # both ends: a traversal shows where it leads
    return safe[: limit - 3 - tail] + "..." + safe[-tail:]


def glob_matches(path: str, pattern: str) -> bool:
    """True when the shell would expand ``pattern`` to ``path``: same number of components,
    each matched with fnmatch, ``*`` never crossing a ``/`` nor matching a leading dot."""
    names, parts = path.split("/"), pattern.split("/")
    if len(names) != len(parts):
        return False
    for name, part in zip(names, parts):
        if not GLOB_CHARS & set(part):
            if name != part:
                return False
        elif not fnmatchcase(name, part) or (name.startswith(".") and not part.startswith(".")):
            return False
    return True


def name_refusal(raw: bytes, patterns: Sequence[str]) -> tuple[str, str | None]:
    """Check a path a server named. Returns (the path as text, why it is refused or None)."""
    try:
        path = raw.decode("utf-8")
    except UnicodeDecodeError:
        return shown(raw), "the name is not UTF-8"
    if len(raw) > MAX_PATH_BYTES:
        return shown(path), f"name longer than {MAX_PATH_BYTES} bytes"
    if any(unicodedata.category(c) in _BAD_CATEGORIES for c in path):
        return shown(path), "control or invisible character in the name"
    if not path.startswith("/"):
        return shown(path), "not an absolute path"
    names = path.split("/")[1:]
    if any(n in ("", ".", "..") for n in names):
        return shown(path), "not a normal path ('.', '..' or empty component)"
    if any(len(n.encode()) > MAX_NAME_BYTES for n in names):
        return shown(path), f"a component longer than {MAX_NAME_BYTES} bytes"
    if not any(p == path or glob_matches(path, p) for p in patterns):
        return shown(path), "not asked for (matches no backup_files entry)"
    return path, None


def size_refusal(size: int, so_far: int, limits: SizeLimits) -> str | None:
    """Why an item of ``size`` bytes cannot be kept when ``so_far`` bytes are already kept."""
    if size > limits.file:
        return f"larger than max_file_size ({size:,} > {limits.file:,} bytes)"
    if so_far + size > limits.host:
        return f"the host's backup grows past max_host_size ({limits.host:,} bytes)"
    return None


def command_refusal(name: str, commands: Collection[str]) -> str | None:
    """Why a command name the server reported is refused (only those ictops ran are kept)."""
    return None if name in commands else "not a command ictops asked for"


def parse_size(value: object, what: str) -> int:
    """A size setting: bytes as an integer, or a string such as ``512K``, ``8M``, ``1G``."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        text = value.replace(" ", "").lower().removesuffix("ib").removesuffix("b")
        number, unit = text.rstrip("kmg"), text[len(text.rstrip("kmg")) :]
        if number.isdigit() and unit in _UNITS and int(number) > 0:
            return int(number) * _UNITS[unit]
    raise ValueError(f"{what} is {value!r}; write a size in bytes or with K, M or G (e.g. 8M)")


def size_limits_for(host: Host) -> SizeLimits:
    """The host's ``data.backup.max_file_size`` / ``max_host_size``, else the defaults."""
    values = {}
    for field_name, key in (("file", "max_file_size"), ("host", "max_host_size")):
        value = host.attribute(f"backup.{key}")
        if value is None:
            continue
        try:
            values[field_name] = parse_size(value, f"data.backup.{key}")
        except ValueError as exc:
            raise InputError(f"host '{host.name}': {exc}", file=host.source or None) from None
    return SizeLimits(**values)
