"""Put a stored configuration back: server files for real (or as a diff in check mode);
switch configs written out for review (pushing them comes with the config-change work)."""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ictops.backup.collect import build_script, parse_output
from ictops.backup.files import safe_name, write_atomic
from ictops.backup.store import BackupStore
from ictops.backup.take import host_result
from ictops.connections.base import ServerSession, SessionError
from ictops.errors import InputError
from ictops.inventory.host import Host
from ictops.masking import mask_diff
from ictops.results import ActionResult, ErrorKind, Status

ACTION = "restore"


def _result(host: Host, status: Status, message: str, started: float, **kwargs: Any) -> ActionResult:
    return host_result(host, status, message, started, action=ACTION, **kwargs)


def _diff(path: str, current: bytes | None, wanted: bytes, rev: str) -> str:
    old = (current or b"").decode("utf-8", "replace").splitlines()
    new = wanted.decode("utf-8", "replace").splitlines()
    lines = difflib.unified_diff(
        old,
        new,
        fromfile=f"{path} (on the host now)" if current is not None else "/dev/null",
        tofile=f"{path} (backup {rev[:12]})",
        lineterm="",
    )
    return "\n".join(lines) + "\n"


def restore_server(
    session: ServerSession,
    host: Host,
    store: BackupStore,
    rev: str | None,
    check: bool,
    *,
    paths: Sequence[str] | None = None,
) -> ActionResult:
    """Put the server files of revision ``rev`` (default: the last commit) back on the host.

    Check mode shows the masked diff between each file on the host now and the revision and
    changes nothing (CHANGED = would change). Real mode writes each differing file atomically,
    with sudo when the host uses it, keeping the file's current mode. ``paths`` restricts the
    restore to some files ("/etc/ssh/sshd_config").
    """
    started = time.time()
    try:
        commit = store.resolve(rev)
        stored = store.files_at(host, commit, prefix="files/")
        modes = store.meta(host, commit).get("modes", {})
    except InputError as exc:
        return _result(host, Status.FAILED, str(exc), started, kind=ErrorKind.CONFIG_ERROR)
    wanted = {"/" + rel[len("files/") :]: data for rel, data in stored.items()}
    if paths:
        unknown = [p for p in paths if p not in wanted]
        if unknown:
            return _result(
                host,
                Status.FAILED,
                f"{', '.join(unknown)} not in backup {commit[:12]} of {host.name}; "
                f"see `ictops backup show {host.name} --rev {commit[:12]}`",
                started,
                kind=ErrorKind.CONFIG_ERROR,
            )
        wanted = {p: wanted[p] for p in paths}
    if not wanted:
        return _result(host, Status.OK, f"backup {commit[:12]} holds no server files", started)

    try:
        now = session.run(
            build_script(sorted(wanted), {}), timeout=host.timeouts.command, sudo=host.sudo
        )
    except SessionError as exc:
        status = Status.UNREACHABLE if exc.during_connect else Status.FAILED
        return _result(host, status, exc.message, started, kind=exc.kind)
    current = parse_output(now.stdout, sorted(wanted))
    if current.refused or not current.complete:
        why = "held items ictops did not ask for" if current.refused else "was cut short"
        return _result(
            host,
            Status.FAILED,
            f"the host's answer with the current files {why}; nothing was changed",
            started,
            kind=ErrorKind.INVALID_OUTPUT,
        )

    differing = sorted(
        p for p, data in wanted.items() if current.files.get(p, (None, ""))[0] != data
    )
    diff = mask_diff(
        "".join(
            _diff(p, current.files.get(p, (None, ""))[0], wanted[p], commit) for p in differing
        ),
        host.platform,
    )
    data = {"rev": commit, "files": differing}
    if not differing:
        return _result(
            host,
            Status.OK,
            f"all {len(wanted)} file(s) match backup {commit[:12]}",
            started,
            data=data,
        )
    if check:
        return _result(
            host,
            Status.CHANGED,
            f"check: {len(differing)} of {len(wanted)} file(s) "
            f"would be restored from {commit[:12]}: {', '.join(differing)}",
            started,
            diff=diff,
            data=data,
        )
    done: list[str] = []
    for path in differing:
        mode = current.files[path][1] if path in current.files else modes.get(path, "644")
        try:
            session.put_file(
                path, wanted[path], mode=int(mode, 8) if mode.isdigit() else 0o644, sudo=host.sudo
            )
        except SessionError as exc:
            return _result(
                host,
                Status.FAILED,
                f"restored {len(done)} of {len(differing)} file(s), then {path}: {exc.message}",
                started,
                kind=exc.kind,
                diff=diff,
                data=data,
            )
        done.append(path)
    return _result(
        host,
        Status.CHANGED,
        f"restored {len(done)} file(s) from {commit[:12]}: {', '.join(done)}",
        started,
        diff=diff,
        data=data,
    )


def restore_switch(host: Host, store: BackupStore, rev: str | None, out_dir: Path) -> Path:
    """Write the switch's running-config of ``rev`` (default: the last commit) to ``out_dir``
    for review, raw (it holds secrets: mode 0600). Returns the file written."""
    commit = store.resolve(rev)
    text = store.show(host, commit, "running-config.txt", masked=False)
    path = Path(out_dir) / f"{safe_name(host.name)}-{commit[:12]}-running-config.txt"
    write_atomic(path, text.encode(), mode=0o600)
    return path
