"""Take the backup of one host over an open session and stage it in the run's transaction.

The engine opens the session, calls ``backup_switch`` or ``backup_server`` per host (in
parallel), then commits the transaction once. Every outcome is an ActionResult:
CHANGED (differs from the last commit, or first backup), OK (identical), FAILED (a guard
refused the capture, or the transport failed; the last good backup is untouched).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ictops.backup.collect import (
    Collected,
    build_script,
    check_pattern,
    default_files,
    parse_output,
)
from ictops.backup.commands import CommandSpec, server_commands
from ictops.backup.guards import Refusal, check_config, check_shrink, max_shrink_for
from ictops.backup.normalize import normalize_config, normalize_output
from ictops.backup.transaction import StageResult, Transaction
from ictops.backup.untrusted import shown, size_limits_for
from ictops.connections.base import ServerSession, SessionError, SwitchSession
from ictops.errors import IctopsError
from ictops.inventory.host import Host
from ictops.results import ActionResult, ErrorKind, Status

ACTION = "backup"
RUNNING = "running-config.txt"
STARTUP = "startup-config.txt"


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def host_result(
    host: Host,
    status: Status,
    message: str,
    started: float,
    *,
    kind: ErrorKind | None = None,
    diff: str = "",
    data: Mapping[str, Any] | None = None,
    action: str = ACTION,
) -> ActionResult:
    """The result of a backup (or restore) on one host, ended now."""
    return ActionResult(
        host=host.name,
        action=action,
        status=status,
        message=message,
        diff=diff,
        error_kind=kind,
        started=started,
        ended=time.time(),
        data=dict(data or {}),
    )


def _failed(
    host: Host,
    txn: Transaction,
    started: float,
    kind: ErrorKind,
    message: str,
    *,
    unreachable: bool = False,
    data: Mapping[str, Any] | None = None,
) -> ActionResult:
    txn.note_failure(host, message)
    status = Status.UNREACHABLE if unreachable else Status.FAILED
    return host_result(host, status, message, started, kind=kind, data=data)


def _session_failure(
    host: Host, txn: Transaction, started: float, exc: SessionError
) -> ActionResult:
    return _failed(host, txn, started, exc.kind, exc.message, unreachable=exc.during_connect)


def _refused(
    host: Host,
    txn: Transaction,
    started: float,
    refusal: Refusal,
    raw: str,
    data: Mapping[str, Any] | None = None,
) -> ActionResult:
    message = str(refusal)
    if raw.strip():
        path = txn.quarantine(host, refusal.what, raw, message)
        message += (
            f" (capture kept in {path.parent.name}/{path.name} under the quarantine directory)"
        )
    return _failed(host, txn, started, ErrorKind.INVALID_OUTPUT, message, data=data)


def _stage(
    host: Host,
    txn: Transaction,
    started: float,
    files: Mapping[str, bytes],
    meta: Mapping[str, Any],
    volatile: Sequence[str] = (),
) -> StageResult | ActionResult:
    try:
        return txn.stage(host, files, meta, volatile=volatile, platform=host.platform_name)
    except (OSError, IctopsError) as exc:
        return _failed(host, txn, started, ErrorKind.INTERNAL, f"backup store: {exc}")


def _outcome(
    host: Host, staged: StageResult, started: float, notes: list[str], data: Mapping[str, Any]
) -> ActionResult:
    message = "; ".join([staged.summary(), *notes])
    status = Status.CHANGED if staged.changed else Status.OK
    return host_result(
        host,
        status,
        message,
        started,
        diff=staged.diff,
        data={
            **data,
            "new": staged.new,
            "changed": staged.changed,
            "files": {k: list(v) for k, v in staged.files.items()},
        },
    )


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


def backup_switch(
    session: SwitchSession,
    host: Host,
    txn: Transaction,
    *,
    max_shrink: float | None = None,
    accept_shrink: bool = False,
) -> ActionResult:
    """Back up a switch's running- and startup-config.

    ``max_shrink``: the global share (default 0.5); the host's ``data.backup.max_shrink``
    wins. ``accept_shrink``: store a shrunken config anyway (the officer removed config).
    """
    started = time.time()
    platform = host.platform
    try:
        limit = max_shrink_for(host, 0.5 if max_shrink is None else max_shrink)
    except IctopsError as exc:
        return _failed(host, txn, started, ErrorKind.CONFIG_ERROR, str(exc))
    try:
        running_raw = session.running_config()
        startup_raw = session.startup_config()
    except SessionError as exc:
        return _session_failure(host, txn, started, exc)

    running = normalize_config(running_raw, platform, platform.commands.get("running_config"))
    startup = normalize_config(startup_raw, platform, platform.commands.get("startup_config"))
    for what, text, raw, rel in (
        ("running-config", running, running_raw, RUNNING),
        ("startup-config", startup, startup_raw, STARTUP),
    ):
        refusal = check_config(text, platform, what)
        if refusal is None and not accept_shrink:
            refusal = check_shrink(text, txn.previous(host, rel), limit, what)
        if refusal is not None:
            return _refused(host, txn, started, refusal, raw)

    equal = running == startup
    meta = {
        "platform": host.platform_name,
        "taken_at": _now_iso(),
        "run_id": txn.run_id,
        "running_equals_startup": equal,
    }
    staged = _stage(
        host, txn, started, {RUNNING: running.encode(), STARTUP: startup.encode()}, meta
    )
    if isinstance(staged, ActionResult):
        return staged
    notes = [] if equal else ["unsaved changes (running-config differs from startup-config)"]
    return _outcome(host, staged, started, notes, {"running_equals_startup": equal})


def backup_server(
    session: ServerSession,
    host: Host,
    txn: Transaction,
    *,
    files: Sequence[str] | None = None,
    commands: Mapping[str, CommandSpec] | None = None,
) -> ActionResult:
    """Back up a server's configuration files and the outputs of the server commands.

    ``files``: patterns to keep (default: ``host.backup_files``, else the Debian-family
    defaults). Everything comes back in one command run with sudo when the host allows.
    """
    started = time.time()
    patterns = list(files or host.backup_files or default_files())
    problems = [p for p in (check_pattern(x) for x in patterns) if p]
    if problems:
        return _failed(
            host, txn, started, ErrorKind.CONFIG_ERROR, f"{host.source or host.name}: {problems[0]}"
        )
    specs = server_commands() if commands is None else commands
    try:
        limits = size_limits_for(host)
    except IctopsError as exc:
        return _failed(host, txn, started, ErrorKind.CONFIG_ERROR, str(exc))
    script = build_script(patterns, specs, command_timeout=max(5, int(host.timeouts.command / 2)))
    try:
        result = session.run(
            script, timeout=host.timeouts.command, sudo=host.sudo, keep=limits.answer
        )
    except SessionError as exc:
        return _session_failure(host, txn, started, exc)

    collected = parse_output(result.stdout, patterns, specs, limits)
    refusal = _collection_refusal(collected, patterns, result.stderr, result.exit_code)
    if refusal is not None:
        return _refused(
            host,
            txn,
            started,
            refusal,
            result.stdout[: limits.host],
            data={"refused": collected.refused} if collected.refused else None,
        )

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
    volatile = [f"commands/{n}.txt" for n, s in specs.items() if s.volatile]
    meta = {
        "platform": host.platform_name,
        "taken_at": _now_iso(),
        "run_id": txn.run_id,
        "missing": sorted(collected.missing),
        "unreadable": sorted(collected.unreadable),
        "modes": {path: mode for path, (_, mode) in sorted(collected.files.items())},
        "commands_failed": dict(sorted(failed_commands.items())),
        "commands_na": dict(sorted(not_applicable.items())),
    }
    staged = _stage(host, txn, started, tree, meta, volatile)
    if isinstance(staged, ActionResult):
        return staged
    notes = []
    if collected.unreadable:
        notes.append(f"{len(collected.unreadable)} file(s) unreadable (sudo?)")
    if failed_commands:
        notes.append(
            f"{len(failed_commands)} command(s) failed: {', '.join(sorted(failed_commands))}"
        )
    return _outcome(
        host,
        staged,
        started,
        notes,
        {
            "file_count": len(collected.files),
            "missing": sorted(collected.missing),
            "commands_failed": failed_commands,
            "commands_na": not_applicable,
        },
    )
