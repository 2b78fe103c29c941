"""Collect a server's files and command outputs in one SSH round trip.

One POSIX shell script expands the globs on the server, prints every file and every command
output base64-encoded between ``@@ictops`` marker lines, and ends with an end marker; a
missing end marker means the output was cut. One command instead of one SFTP get per file:
a server with 40 files costs one channel, not 40 (see docs/performance.md).
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

MARK = "@@ictops"
_GLOB_CHARS = set("*?[")
# A glob pattern is expanded by the shell unquoted, so it may hold only these characters.
_SAFE_GLOB = re.compile(r"^/[A-Za-z0-9_./*?\[\]+@:,=%-]+$")


@dataclass(frozen=True)
class CommandSpec:
    """One entry of ictops/data/server_commands.yaml."""

    name: str
    command: str
    sudo: bool = False
    volatile: bool = False
    volatile_lines: tuple[re.Pattern[str], ...] = ()


@dataclass
class Collected:
    """What the collection script returned."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> (data, mode)
    missing: list[str] = field(default_factory=list)  # patterns that matched no file
    unreadable: list[str] = field(default_factory=list)
    commands: dict[str, tuple[int, bytes, bytes]] = field(default_factory=dict)  # rc, out, err
    complete: bool = False  # the end marker arrived


@lru_cache(maxsize=1)
def server_commands() -> dict[str, CommandSpec]:
    """The commands every server backup runs (ictops/data/server_commands.yaml)."""
    text = resources.files("ictops.data").joinpath("server_commands.yaml").read_text("utf-8")
    result = {}
    for name, spec in (yaml.safe_load(text) or {}).items():
        result[name] = CommandSpec(
            name=name,
            command=spec["command"],
            sudo=bool(spec.get("sudo", False)),
            volatile=bool(spec.get("volatile", False)),
            volatile_lines=tuple(re.compile(p) for p in spec.get("volatile_lines", [])),
        )
    return result


@lru_cache(maxsize=1)
def default_files() -> tuple[str, ...]:
    """Files kept when the host sets no backup_files (ictops/data/server_backup_files.yaml)."""
    text = resources.files("ictops.data").joinpath("server_backup_files.yaml").read_text("utf-8")
    return tuple(yaml.safe_load(text))


def check_pattern(pattern: str) -> str | None:
    """Why a backup_files entry cannot be used, or None when it is fine."""
    if not pattern.startswith("/"):
        return f"backup_files entry '{pattern}' is not an absolute path; write it from /"
    if _GLOB_CHARS & set(pattern) and not _SAFE_GLOB.match(pattern):
        return (
            f"backup_files entry '{pattern}' mixes glob characters with characters the shell "
            "would interpret (spaces, quotes, $...); list such files one by one"
        )
    return None


_PRELUDE = f"""\
LC_ALL=C; export LC_ALL
t=$(mktemp) && u=$(mktemp) || exit 70
trap 'rm -f "$t" "$u"' EXIT
if command -v timeout >/dev/null 2>&1; then T="timeout -k 5 {{timeout}}"; else T=; fi
e() {{ printf '{MARK} %s %s %s\\n' "$1" "$(printf '%s' "$2" | base64 | tr -d '\\n')" "$3"; }}
f() {{
  p=$1; shift; n=0
  for x in "$@"; do
    [ -f "$x" ] || continue
    n=$((n+1))
    if [ -r "$x" ] && base64 <"$x" >"$t" 2>/dev/null; then
      e file "$x" "$(stat -L -c %a "$x" 2>/dev/null || echo -)"; cat "$t"
    else
      e unreadable "$x" -
    fi
  done
  [ "$n" -gt 0 ] || e missing "$p" -
}}
c() {{
  $T sh -c "$2" >"$t" 2>"$u" </dev/null; rc=$?
  e cmd "$1" "$rc"; base64 <"$t"
  e stderr "$1" -; head -c 2000 "$u" | base64
}}
"""


def build_script(
    patterns: Sequence[str], commands: Mapping[str, CommandSpec], command_timeout: int = 60
) -> str:
    """The collection script. Patterns must pass ``check_pattern``."""
    lines = [_PRELUDE.replace("{timeout}", str(int(command_timeout)))]
    for pattern in patterns:
        quoted = shlex.quote(pattern)
        expanded = pattern if _GLOB_CHARS & set(pattern) else quoted
        lines.append(f"f {quoted} {expanded}")
    for spec in commands.values():
        lines.append(f"c {shlex.quote(spec.name)} {shlex.quote(spec.command)}")
    lines.append("e end - -")
    return "\n".join(lines) + "\n"


def _b64(text: str) -> bytes:
    return base64.b64decode(text) if text and text != "-" else b""


def parse_output(stdout: str) -> Collected:
    """Read the script's output back. ``complete`` is False when the end marker is missing."""
    result = Collected()
    current: tuple[str, str, str] | None = None
    chunks: list[str] = []

    def flush() -> None:
        if current is None:
            return
        kind, arg, extra = current
        try:
            data = base64.b64decode("".join(chunks)) if chunks else b""
        except (binascii.Error, ValueError):
            return  # cut in the middle: the missing end marker reports it
        if kind == "file":
            result.files[arg] = (data, extra)
        elif kind == "cmd":
            result.commands[arg] = (int(extra) if extra.isdigit() else -1, data, b"")
        elif kind == "stderr" and arg in result.commands:
            rc, out, _ = result.commands[arg]
            result.commands[arg] = (rc, out, data)

    for line in stdout.splitlines():
        if line.startswith(MARK + " "):
            flush()
            chunks = []
            parts = line.split(" ")
            if len(parts) != 4:
                current = None
                continue
            try:
                arg = _b64(parts[2]).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                current = None
                continue
            kind, extra = parts[1], parts[3]
            current = (kind, arg, extra)
            if kind == "missing":
                result.missing.append(arg)
            elif kind == "unreadable":
                result.unreadable.append(arg)
            elif kind == "end":
                result.complete = True
        elif current is not None and line.strip():
            chunks.append(line.strip())
    flush()
    return result
