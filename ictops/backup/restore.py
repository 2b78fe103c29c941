"""Read what a server restore puts back from the store: its files of a revision.

The restores themselves are actions (ictops/actions/restore.py): they plan from the host as
it is now and apply exactly that plan.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

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
