"""Read what a restore puts back from the store: a server's files of a revision; a switch's
running-config written out for review (pushing it to the switch comes with config changes).

The server restore itself is an action (ictops/actions/restore.py): it plans from the files
on the host now and applies exactly that plan.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ictops.backup.files import safe_name, write_atomic
from ictops.backup.store import BackupStore
from ictops.errors import InputError
from ictops.inventory.host import Host


@dataclass(frozen=True)
class Stored:
    """A server's files in one revision of the store."""

    commit: str
    files: dict[str, bytes]  # absolute path on the host -> content
    modes: dict[str, str]  # absolute path -> octal mode when it was backed up


def stored_files(store: BackupStore, host: Host, rev: str | None,
                 paths: Sequence[str] | None = None) -> Stored:
    """The files of ``rev`` (default: the last commit), or only ``paths``; InputError when the
    revision is unknown or a path is not in it."""
    commit = store.resolve(rev)
    stored = store.files_at(host, commit, prefix="files/")
    modes = dict(store.meta(host, commit).get("modes", {}))
    wanted = {"/" + rel[len("files/"):]: data for rel, data in stored.items()}
    if paths:
        unknown = [p for p in paths if p not in wanted]
        if unknown:
            raise InputError(
                f"{', '.join(unknown)} not in backup {commit[:12]} of {host.name}; "
                f"see `ictops backup show {host.name} --rev {commit[:12]}`"
            )
        wanted = {p: wanted[p] for p in paths}
    return Stored(commit, wanted, modes)


def file_diff(path: str, current: bytes | None, wanted: bytes, rev: str) -> str:
    """Unified diff from the file on the host now to the one in the backup (not masked)."""
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


def restore_switch(host: Host, store: BackupStore, rev: str | None, out_dir: Path) -> Path:
    """Write the switch's running-config of ``rev`` (default: the last commit) to ``out_dir``
    for review, raw (it holds secrets: mode 0600). Returns the file written."""
    commit = store.resolve(rev)
    text = store.show(host, commit, "running-config.txt", masked=False)
    path = Path(out_dir) / f"{safe_name(host.name)}-{commit[:12]}-running-config.txt"
    write_atomic(path, text.encode(), mode=0o600)
    return path
