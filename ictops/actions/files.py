"""What the template and copy actions share: the plan of a file (content, owner, group,
mode; a unified diff) and writing it the safe way.

Writing: the previous version goes into the backup store first (committed at once); the new
content is uploaded to a temporary file beside the destination, given its owner, group and
mode, validated (``validate: "sshd -t -f %s"``, %s is the temporary file, quoted), and only
then renamed over the destination (atomic: a reader sees the old file or the new one).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field, field_validator

from ictops.actions.base import Context
from ictops.backup.keep import keep_previous
from ictops.backup.store import BackupStore
from ictops.facts import FILE, FileState
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Payload, Plan
from ictops.validation import StrictModel

_OWNER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\$?")


class FileArgs(StrictModel):
    """The arguments every file action has."""

    dest: str = Field(min_length=1)  # absolute path on the server
    owner: str | None = None
    group: str | None = None
    mode: str | None = None  # octal, quoted: "0644"
    validate_cmd: str | None = Field(default=None, alias="validate")  # "sshd -t -f %s"

    @field_validator("dest")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/") or value.endswith("/") or "\0" in value or "\n" in value:
            raise ValueError(f"dest '{value}' must be an absolute file path, like /etc/app.conf")
        if any(part in (".", "..") for part in value.split("/")):
            raise ValueError(f"dest '{value}' must not contain . or .. parts")
        return value

    @field_validator("owner", "group")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not _OWNER.fullmatch(value):
            raise ValueError(f"'{value}' is not a user or group name")
        return value

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"0?[0-7]{3,4}", value):
            raise ValueError(f"mode {value!r}: write it quoted, in octal, like \"0644\"")
        return f"{int(value, 8):o}"

    @field_validator("validate_cmd")
    @classmethod
    def _validate(cls, value: str | None) -> str | None:
        if value is not None and "%s" not in value:
            raise ValueError(f"validate '{value}' must name the file to check as %s, "
                             "like \"sshd -t -f %s\"")
        return value

    def spec(self) -> FileSpec:
        return FileSpec(self.dest, self.owner, self.group, self.mode, self.validate_cmd)


@dataclass(frozen=True)
class FileSpec:
    dest: str
    owner: str | None = None
    group: str | None = None
    mode: str | None = None  # octal digits without a leading 0: "644"
    validate: str | None = None


@dataclass(frozen=True)
class ServerFile(Payload):
    """A server file a step wrote (or would write)."""

    kind: ClassVar[str] = "server_file"
    path: str
    created: bool = False
    content_changed: bool = False
    kept: str | None = None  # the backup commit holding the previous version

    def record(self) -> dict[str, Any]:
        return {"path": self.path, **({"kept": self.kept} if self.kept else {})}


def plan_file(ctx: Context, spec: FileSpec, content: bytes, source: str) -> Plan:
    """The changes that make ``spec.dest`` hold ``content`` with its owner/group/mode."""
    now: FileState = ctx.facts.get(FILE, spec.dest)
    if now.exists and not now.is_file:
        raise HostFailure(f"{spec.dest} exists and is not a regular file: not replaced",
                          ErrorKind.CONFIG_ERROR)
    if now.exists and now.content is None:
        raise HostFailure(f"{spec.dest} is too big to compare ({now.size} bytes): not replaced",
                          ErrorKind.CONFIG_ERROR)
    changes: list[Change] = []
    if not now.exists:
        what = ", ".join(f"{k} {v}" for k, v in (("owner", spec.owner), ("group", spec.group),
                                                 ("mode", spec.mode and _octal(spec.mode))) if v)
        changes.append(Change(f"create {spec.dest} ({_lines(content)} lines from {source}"
                              + (f"; {what}" if what else "") + ")",
                              unified(None, content, spec.dest, source)))
    else:
        if now.content != content:
            diff = unified(now.content, content, spec.dest, source)
            plus = sum(1 for line in diff.splitlines()[2:] if line.startswith("+"))
            minus = sum(1 for line in diff.splitlines()[2:] if line.startswith("-"))
            changes.append(Change(f"update {spec.dest} from {source} (+{plus} -{minus} lines)", diff))
        for what, want, have in (("owner", spec.owner, now.owner), ("group", spec.group, now.group)):
            if want is not None and want != have:
                changes.append(Change(f"set the {what} of {spec.dest}: {have} -> {want}"))
        if spec.mode is not None and int(spec.mode, 8) != int(now.mode or "0", 8):
            changes.append(Change(f"set the mode of {spec.dest}: {_octal(now.mode)} -> {_octal(spec.mode)}"))
    payload = ServerFile(spec.dest, created=not now.exists,
                          content_changed=not now.exists or now.content != content)
    if not changes:
        return Plan(reason=f"file unchanged: {spec.dest}", payload=payload)
    return Plan(tuple(changes), state=(spec, content, now), payload=payload)


def apply_file(ctx: Context, plan: Plan, why: str) -> Outcome:
    """Carry out ``plan_file``'s plan: keep the previous version, upload beside, validate,
    rename; or only set owner/group/mode when the content is the same."""
    spec, content, now = plan.state
    payload: ServerFile = plan.payload
    server = ctx.server()
    kept = None
    if payload.content_changed:
        if now.exists:
            store = BackupStore(ctx.project.backups_dir)
            kept = keep_previous(store, ctx.host, spec.dest, now.content, why)
        argv = ["sh", "-c", _WRITE, "ictops-write", spec.dest, spec.owner or "", spec.group or "",
                spec.mode or "", (spec.validate or "").replace("%s", '"$ICTOPS_FILE"')]
        result = server.run(argv, sudo=ctx.host.sudo, stdin=content)
    else:
        argv = ["sh", "-c", _ATTRS, "ictops-attrs", spec.dest, spec.owner or "", spec.group or "",
                spec.mode or ""]
        result = server.run(argv, sudo=ctx.host.sudo)
    if result.exit_code == 4:
        raise HostFailure(f"not replaced: validate '{spec.validate}' refused the new "
                          f"{spec.dest}: {_last(result.stderr)}")
    if not result.ok:
        raise HostFailure(f"cannot write {spec.dest}: {_last(result.stderr or result.stdout)}")
    done = "; ".join(c.description for c in plan.changes)
    note = f" (previous version kept in backup commit {kept[:12]})" if kept else ""
    return Outcome.changed(done + note, diff=plan.diff,
                           payload=ServerFile(spec.dest, payload.created, payload.content_changed, kept))


# $1 dest, $2 owner, $3 group, $4 mode, $5 validate command ("" = none); content on stdin.
_WRITE = r"""set -e
dest=$1; owner=$2; group=$3; mode=$4; check=$5
dir=$(dirname -- "$dest"); base=$(basename -- "$dest")
if [ ! -d "$dir" ]; then echo "its directory $dir does not exist" >&2; exit 3; fi
t=$(mktemp -- "$dir/.$base.ictops-XXXXXX")
trap 'rm -f -- "$t"' EXIT
cat > "$t"
if [ -e "$dest" ]; then chown --reference="$dest" -- "$t"; chmod --reference="$dest" -- "$t"
else chmod 644 -- "$t"; fi
if [ -n "$owner" ]; then chown -- "$owner" "$t"; fi
if [ -n "$group" ]; then chgrp -- "$group" "$t"; fi
if [ -n "$mode" ]; then chmod -- "$mode" "$t"; fi
if [ -n "$check" ]; then
  ICTOPS_FILE=$t; export ICTOPS_FILE
  if ! out=$(sh -c "$check" 2>&1 </dev/null); then printf '%s\n' "$out" >&2; exit 4; fi
fi
mv -f -- "$t" "$dest"
trap - EXIT
"""
_ATTRS = r"""set -e
if [ -n "$2" ]; then chown -- "$2" "$1"; fi
if [ -n "$3" ]; then chgrp -- "$3" "$1"; fi
if [ -n "$4" ]; then chmod -- "$4" "$1"; fi
"""


def unified(old: bytes | None, new: bytes, dest: str, source: str) -> str:
    """A unified diff of a server file (``old`` None: it does not exist yet)."""
    before = _text(old)
    after = _text(new)
    if before is None or after is None:
        return f"--- {dest}\n+++ {dest} ({source})\n@@ binary content differs @@\n"
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=dest if old is not None else "/dev/null",
                                 tofile=f"{dest} ({source})")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _text(data: bytes | None) -> str | None:
    if data is None:
        return ""
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def _lines(content: bytes) -> int:
    return content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)


def _octal(mode: str | None) -> str:
    return f"0{int(mode, 8):o}" if mode else "?"


def _last(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def check_names(used: Collection[str], known: Collection[str], where: str) -> None:
    """ValueError naming the first template variable no host or var provides."""
    from ictops.validation import suggest

    unknown = sorted(set(used) - set(known))
    if unknown and known:
        raise ValueError(f"{where} uses '{unknown[0]}', which no host data, host key or "
                         f"playbook var provides{suggest(unknown[0], sorted(known))}")
