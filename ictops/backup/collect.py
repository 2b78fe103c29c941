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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from ictops.backup.commands import CommandSpec
from ictops.backup.untrusted import (
    GLOB_CHARS,
    SizeLimits,
    command_refusal,
    name_refusal,
    shown,
    size_refusal,
)

MARK = "@@ictops"
# A glob pattern is expanded by the shell unquoted, so it may hold only these characters.
_SAFE_GLOB = re.compile(r"^/[A-Za-z0-9_./*?\[\]+@:,=%-]+$")


@dataclass
class Collected:
    """What the collection script returned."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> (data, mode)
    missing: list[str] = field(default_factory=list)  # patterns that matched no file
    unreadable: list[str] = field(default_factory=list)
    commands: dict[str, tuple[int, bytes, bytes]] = field(default_factory=dict)  # rc, out, err
    complete: bool = False  # the end marker arrived
    refused: list[dict[str, str]] = field(default_factory=list)  # [{name, reason}]


@lru_cache(maxsize=1)
def default_files() -> tuple[str, ...]:
    """Files kept when the host sets no backup_files (ictops/data/server_backup_files.yaml)."""
    text = resources.files("ictops.data").joinpath("server_backup_files.yaml").read_text("utf-8")
    return tuple(yaml.safe_load(text))


def check_pattern(pattern: str) -> str | None:
    """Why a backup_files entry cannot be used, or None when it is fine."""
    if not pattern.startswith("/"):
        return f"backup_files entry '{pattern}' is not an absolute path; write it from /"
    if any(part in ("", ".", "..") for part in pattern.split("/")[1:]):
        return (
            f"backup_files entry '{pattern}' is not a normal path (no '.', '..', '//' or "
            "trailing '/'); write the file's own path"
        )
    if GLOB_CHARS & set(pattern) and not _SAFE_GLOB.match(pattern):
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
        expanded = pattern if GLOB_CHARS & set(pattern) else quoted
        lines.append(f"f {quoted} {expanded}")
    for spec in commands.values():
        lines.append(f"c {shlex.quote(spec.name)} {shlex.quote(spec.shell())}")
    lines.append("e end - -")
    return "\n".join(lines) + "\n"


_KINDS = frozenset({"file", "missing", "unreadable", "cmd", "stderr", "end"})
_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_MODE = re.compile(r"^[0-7]{3,4}$")
STDERR_KEPT = 2000  # bytes of a failed command's stderr that are kept (the script sends as many)


@dataclass
class _Item:
    """The marker being read and its base64 lines (a refused marker has no item: its
    lines are skipped)."""

    kind: str
    name: str
    extra: str
    chunks: list[str] = field(default_factory=list)
    encoded: int = 0  # base64 characters seen
    padding: int = 0  # '=' at the end of the last line
    bad_line: int | None = None  # first line that was not base64


class _Parser:
    """Reads the collection script's output, refusing whatever ictops did not ask for."""

    def __init__(self, patterns: Sequence[str], commands: Collection[str], limits: SizeLimits):
        self.patterns, self.commands, self.limits = patterns, commands, limits
        self.result = Collected()
        self.item: _Item | None = None
        self.kept = 0  # bytes kept so far (files and command outputs)
        self.refused_commands: set[str] = set()
        self.said_after_end = False

    def refuse(self, name: str, reason: str) -> None:
        self.result.refused.append({"name": name, "reason": reason})

    def after_end(self, number: int) -> None:
        if not self.said_after_end:  # one refusal says it
            self.refuse(f"line {number}", "output after the end marker")
            self.said_after_end = True

    def line(self, number: int, line: str) -> None:
        if line.startswith(MARK):
            self.flush()
            self.marker(number, line)
        elif self.result.complete:
            if line.strip():
                self.after_end(number)
        elif self.item is not None and line.strip():
            item, data = self.item, line.strip()
            if not _BASE64_LINE.match(data) and item.bad_line is None:
                item.bad_line = number
            item.encoded += len(data)
            item.padding = len(data) - len(data.rstrip("="))
            if item.encoded <= (self.limits.file // 3 + 2) * 4:  # past the cap: count only
                item.chunks.append(data)
        # lines before the first marker (a login banner, a shell's chatter) are not kept

    def marker(self, number: int, line: str) -> None:
        self.item = None
        parts = line.split(" ")
        if self.result.complete:
            self.after_end(number)
            return
        if len(parts) != 4 or parts[0] != MARK or parts[1] not in _KINDS:
            self.refuse(f"line {number}", f"malformed marker line: {shown(line, 60)}")
            return
        kind, arg, extra = parts[1:]
        try:
            raw = base64.b64decode(arg, validate=True) if arg != "-" else b""
        except (binascii.Error, ValueError):
            self.refuse(f"line {number}", f"malformed name in marker line: {shown(arg, 60)}")
            return
        if kind == "end":
            self.result.complete = True
        elif kind in ("cmd", "stderr"):
            self.command_marker(raw, kind, extra)
        elif kind == "missing":
            pattern = raw.decode("utf-8", "replace")
            if pattern in self.patterns:
                self.result.missing.append(pattern)
            else:
                self.refuse(shown(raw), "reported missing but not asked for")
        else:
            path, why = name_refusal(raw, self.patterns)
            if why is None and (path in self.result.files or path in self.result.unreadable):
                why = "sent twice"
            if why is None and kind == "file" and not (extra == "-" or _MODE.match(extra)):
                why = f"bad file mode {shown(extra, 20)!r}"
            if why is not None:
                self.refuse(path, why)
            elif kind == "unreadable":
                self.result.unreadable.append(path)
            else:
                self.item = _Item(kind, path, extra)

    def command_marker(self, raw: bytes, kind: str, extra: str) -> None:
        name = shown(raw)
        why = command_refusal(raw.decode("utf-8", "replace"), self.commands)
        if why is None and kind == "cmd":
            if name in self.result.commands:
                why = "sent twice"
            elif not (extra.isdigit() and len(extra) <= 3):
                why = f"bad exit status {shown(extra, 20)!r}"
        if kind == "stderr" and name in self.refused_commands:
            return  # its command is refused already
        if why is None and kind == "stderr" and name not in self.result.commands:
            why = "stderr of a command that did not run"
        if why is not None:
            self.refused_commands.add(name)
            self.refuse(f"command {name}", why)
        else:
            self.item = _Item(kind, name, extra)

    def flush(self) -> None:
        item, self.item = self.item, None
        if item is None:
            return
        label = item.name if item.kind == "file" else f"command {item.name}"
        if item.bad_line is not None:
            self.refuse(label, f"line {item.bad_line} of its data is not base64")
        else:
            self.keep(item, label)

    def keep(self, item: _Item, label: str) -> None:
        if item.kind == "stderr":
            data = _decode(item.chunks)
            rc, out, _ = self.result.commands[item.name]
            self.result.commands[item.name] = (rc, out, (data or b"")[:STDERR_KEPT])
            return
        size = max(0, item.encoded // 4 * 3 - item.padding)
        why = size_refusal(size, self.kept, self.limits)
        data = _decode(item.chunks) if why is None else b""
        if why is None and data is None:
            why = "its data is not valid base64"
        if why is not None:
            if item.kind == "cmd":
                self.refused_commands.add(item.name)
            self.refuse(label, why)
            return
        self.kept += len(data or b"")
        if item.kind == "file":
            self.result.files[item.name] = (data or b"", item.extra)
        else:
            self.result.commands[item.name] = (int(item.extra), data or b"", b"")

    def finish(self) -> Collected:
        if self.result.complete:
            self.flush()
        # else: the output was cut; the item being read is incomplete and is dropped (the
        # missing end marker reports it)
        return self.result


def _decode(chunks: list[str]) -> bytes | None:
    try:
        return base64.b64decode("".join(chunks), validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_output(
    stdout: str,
    patterns: Sequence[str],
    commands: Collection[str] = (),
    limits: SizeLimits | None = None,
) -> Collected:
    """Read the script's output back, keeping only what was asked for: files named by
    ``patterns``, outputs of ``commands``, within ``limits``; the rest is in ``refused``.
    ``complete`` is False when the end marker is missing (the output was cut)."""
    parser = _Parser(patterns, commands, limits or SizeLimits())
    for number, line in enumerate(stdout.split("\n"), 1):
        parser.line(number, line)
    return parser.finish()
