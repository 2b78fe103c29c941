"""Capture one host's backup from what its facts read: normalise, guard, describe.

The backup action (ictops/actions/backup.py) plans by capturing and comparing with the
store, and applies by staging the capture in the run's transaction; the run's one commit is
made at the end. A capture the guards refuse (empty, truncated, much shrunken, holding items
that were not asked for) raises HostFailure ``invalid_output``: it is kept in the quarantine
directory, the host's failure is noted in the store's status, and the last good backup stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ictops import clock
from ictops.backup.collect import Collected, check_pattern, default_files
from ictops.backup.commands import CommandSpec
from ictops.backup.guards import Refusal, check_config, check_shrink, max_shrink_for
from ictops.backup.normalize import normalize_config, normalize_output
from ictops.backup.transaction import StageResult, Transaction
from ictops.backup.untrusted import shown, size_limits_for
from ictops.errors import IctopsError
from ictops.inventory.host import Host
from ictops.results import ErrorKind, HostFailure, Payload

RUNNING = "running-config.txt"
STARTUP = "startup-config.txt"


@dataclass(frozen=True)
class BackupData(Payload):
    """What a backup result carries (``--json`` data; the commit goes in the trail)."""

    kind: ClassVar[str] = "backup"
    new: bool = False
    changed: bool = False
    files: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # path -> (+, -) lines
    running_equals_startup: bool | None = None
    file_count: int | None = None
    missing: tuple[str, ...] = ()
    commands_failed: Mapping[str, str] = field(default_factory=dict)
    commands_na: Mapping[str, str] = field(default_factory=dict)  # cannot exist on the host
    refused: tuple[Mapping[str, Any], ...] = ()
    commit: str | None = None  # the store revision holding it, once the run committed

    def record(self) -> dict[str, Any]:
        return {"commit": self.commit} if self.commit else {}


@dataclass(frozen=True)
class Capture:
    """A host's backup as read and guarded, ready to compare and stage."""

    files: Mapping[str, bytes]
    meta: Mapping[str, Any]
    volatile: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # "unsaved changes", "2 command(s) failed: ..."
    data: BackupData = field(default_factory=BackupData)

    def describe(self, staged: StageResult) -> str:
        """One line: what changed (or 'unchanged') and the notes."""
        return "; ".join([staged.summary(), *self.notes])


def now_iso() -> str:
    return clock.stamp()


def failed(host: Host, txn: Transaction, message: str, kind: ErrorKind,
           payload: Payload | None = None) -> HostFailure:
    """The host's backup failed: noted in the store's status; raise what this returns."""
    txn.note_failure(host, message)
    return HostFailure(message, kind, payload)


def _refused(host: Host, txn: Transaction, refusal: Refusal, raw: str,
             payload: Payload | None = None) -> HostFailure:
    message = str(refusal)
    if raw.strip():
        path = txn.quarantine(host, refusal.what, raw, message)
        message += (
            f" (capture kept in {path.parent.name}/{path.name} under the quarantine directory)"
        )
    return failed(host, txn, message, ErrorKind.INVALID_OUTPUT, payload)


def capture_switch(
    running_raw: str,
    startup_raw: str | None,
    host: Host,
    txn: Transaction,
    *,
    max_shrink: float | None = None,
    accept_shrink: bool = False,
) -> Capture:
    """A switch's running- and startup-config, normalised and guarded. ``startup_raw`` is
    None on a platform without a saved config apart from the running one (RouterOS).

    ``max_shrink``: the global share (default 0.5); the host's ``data.backup.max_shrink``
    wins. ``accept_shrink``: store a shrunken config anyway (the officer removed config).
    """
    platform = host.platform
    try:
        limit = max_shrink_for(host, 0.5 if max_shrink is None else max_shrink)
    except IctopsError as exc:
        raise failed(host, txn, str(exc), ErrorKind.CONFIG_ERROR) from None
    captured = [("running-config", running_raw, RUNNING, "running_config")]
    if startup_raw is not None:
        captured.append(("startup-config", startup_raw, STARTUP, "startup_config"))
    files: dict[str, bytes] = {}
    for what, raw, rel, command in captured:
        text = normalize_config(raw, platform, platform.commands.get(command))
        refusal = check_config(text, platform, what)
        if refusal is None and not accept_shrink:
            refusal = check_shrink(text, txn.previous(host, rel), limit, what)
        if refusal is not None:
            raise _refused(host, txn, refusal, raw)
        files[rel] = text.encode()
    equal = files[RUNNING] == files[STARTUP] if STARTUP in files else None
    meta = {
        "platform": host.platform_name,
        "taken_at": now_iso(),
        "run_id": txn.run_id,
        "running_equals_startup": equal,
    }
    notes = ("unsaved changes (running-config differs from startup-config)",) if equal is False else ()
    return Capture(files, meta, (), notes, BackupData(running_equals_startup=equal))


def server_patterns(host: Host, txn: Transaction, files: Sequence[str] | None = None) -> tuple[str, ...]:
    """The file patterns a server's backup keeps: ``files``, else ``host.backup_files``, else
    the Debian-family defaults; a bad entry is CONFIG_ERROR naming the inventory entry."""
    patterns = tuple(files or host.backup_files or default_files())
    problems = [p for p in (check_pattern(x) for x in patterns) if p]
    if problems:
        raise failed(host, txn, f"{host.source or host.name}: {problems[0]}", ErrorKind.CONFIG_ERROR)
    try:
        size_limits_for(host)
    except IctopsError as exc:
        raise failed(host, txn, str(exc), ErrorKind.CONFIG_ERROR) from None
    return patterns


def _collection_refusal(
    collected: Collected, patterns: Sequence[str], stderr: str, exit_code: int
) -> Refusal | None:
    """Why the server's answer as a whole is not stored (None: store it)."""
    if collected.refused:
        first = collected.refused[0]
        return Refusal(
            "files",
            f"{len(collected.refused)} item(s) the server sent were refused "
            f"({first['name']}: {first['reason']}"
            f"{', ...' if len(collected.refused) > 1 else ''}); nothing is stored, "
            "the last good backup is kept",
        )
    if not collected.complete:
        detail = (stderr.strip().splitlines() or [f"exit {exit_code}"])[-1]
        return Refusal(
            "files",
            f"output ended before the end marker ({detail}): looks "
            "truncated; the last good backup is kept",
        )
    if not collected.files:
        return Refusal(
            "files",
            "no file found on the host (none of: "
            f"{', '.join(patterns[:3])}...); the last good backup is kept",
        )
    return None


def capture_server(
    collected: Collected,
    raw: str,
    stderr: str,
    exit_code: int,
    host: Host,
    txn: Transaction,
    patterns: Sequence[str],
    specs: Mapping[str, CommandSpec],
) -> Capture:
    """A server's files and command outputs (read in one round trip), guarded."""
    refusal = _collection_refusal(collected, patterns, stderr, exit_code)
    if refusal is not None:
        payload = BackupData(refused=tuple(collected.refused)) if collected.refused else None
        raise _refused(host, txn, refusal, raw[: size_limits_for(host).host], payload)

    # Every path passed name_refusal (untrusted.py): absolute, normal, asked for.
    tree: dict[str, bytes] = {
        f"files{path}": data for path, (data, _) in collected.files.items()
    }
    failed_commands: dict[str, str] = {}
    not_applicable: dict[str, str] = {}
    for name, (rc, out, err) in collected.commands.items():
        spec = specs.get(name)
        reason = spec.not_applicable(rc, out.decode("utf-8", "replace")) if spec else None
        if reason is not None:
            not_applicable[name] = reason
            continue
        if rc != 0:
            first = shown((err.decode("utf-8", "replace").strip().splitlines() or [""])[0])
            failed_commands[name] = f"exit {rc}" + (f": {first}" if first else "")
            continue
        text = normalize_output(out.decode("utf-8", "replace"), spec.volatile_lines if spec else ())
        tree[f"commands/{name}.txt"] = text.encode()
    volatile = tuple(f"commands/{n}.txt" for n, s in specs.items() if s.volatile)
    meta = {
        "platform": host.platform_name,
        "taken_at": now_iso(),
        "run_id": txn.run_id,
        "missing": sorted(collected.missing),
        "unreadable": sorted(collected.unreadable),
        "modes": {path: mode for path, (_, mode) in sorted(collected.files.items())},
        "commands_failed": dict(sorted(failed_commands.items())),
        "commands_na": dict(sorted(not_applicable.items())),
    }
    notes = []
    if collected.unreadable:
        notes.append(f"{len(collected.unreadable)} file(s) unreadable (sudo?)")
    if failed_commands:
        notes.append(
            f"{len(failed_commands)} command(s) failed: {', '.join(sorted(failed_commands))}"
        )
    data = BackupData(file_count=len(collected.files), missing=tuple(sorted(collected.missing)),
                      commands_failed=failed_commands, commands_na=not_applicable)
    return Capture(tree, meta, volatile, tuple(notes), data)
