"""Restore a server's configuration files from a backup revision.

plan: read the files on the host now (one round trip, the backup's collection) and list
each one that differs from the revision, with its masked diff; apply: write exactly those
files back (atomically, with sudo when the host uses it, keeping the file's mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ictops.actions.base import Context
from ictops.backup.restore import Stored, file_diff, stored_files
from ictops.backup.store import BackupStore
from ictops.connections.base import SessionError
from ictops.errors import InputError
from ictops.facts import COLLECTION
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Payload, Plan


@dataclass(frozen=True)
class RestoreData(Payload):
    kind: ClassVar[str] = "restore"
    rev: str
    files: tuple[str, ...]  # the files that differ (restored, or would be)

    def record(self) -> dict[str, Any]:
        return {"rev": self.rev, "files": list(self.files)}


@dataclass(frozen=True)
class _Writes:
    stored: Stored
    modes: dict[str, str]  # mode of each file on the host now (kept when it is rewritten)
    paths: tuple[str, ...]


@dataclass
class RestoreServer:
    """Put the server files of revision ``rev`` (default: the last commit) back; ``paths``:
    only these files."""

    store: BackupStore
    rev: str | None = None
    paths: Sequence[str] | None = None
    name: str = "backup restore"
    changes_hosts = True

    def plan(self, ctx: Context) -> Plan:
        try:
            stored = stored_files(self.store, ctx.host, self.rev, self.paths)
        except InputError as exc:
            raise HostFailure(str(exc), ErrorKind.CONFIG_ERROR) from None
        rev = stored.commit[:12]
        if not stored.files:
            return Plan(reason=f"backup {rev} holds no server files")
        current = ctx.facts.get(COLLECTION, tuple(sorted(stored.files)))
        answer = current.collected
        if answer.refused or not answer.complete:
            why = "held items ictops did not ask for" if answer.refused else "was cut short"
            raise HostFailure(f"the host's answer with the current files {why}; nothing was changed",
                              ErrorKind.INVALID_OUTPUT)
        now = {path: data for path, (data, _) in answer.files.items()}
        modes = {path: mode for path, (_, mode) in answer.files.items()}
        differing = sorted(p for p, data in stored.files.items() if now.get(p) != data)
        payload = RestoreData(stored.commit, tuple(differing))
        if not differing:
            return Plan(reason=f"all {len(stored.files)} file(s) match backup {rev}", payload=payload)
        changes = tuple(
            Change(f"restore {path} from backup {rev}",
                   file_diff(path, now.get(path), stored.files[path], stored.commit))
            for path in differing
        )
        return Plan(changes, state=_Writes(stored, modes, tuple(differing)), payload=payload)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        writes: _Writes = plan.state
        session = ctx.server()
        done: list[str] = []
        for path in writes.paths:
            mode = writes.modes.get(path) or writes.stored.modes.get(path) or "644"
            try:
                session.put_file(path, writes.stored.files[path], mode=int(mode, 8),
                                 sudo=ctx.host.sudo)
            except SessionError as exc:
                return Outcome.failed(
                    f"restored {len(done)} of {len(writes.paths)} file(s), then {path}: "
                    f"{exc.message}", exc.kind, diff=plan.diff, payload=plan.payload)
            done.append(path)
        stored = writes.stored
        return Outcome.changed(f"restored {len(done)} file(s) from {stored.commit[:12]}: "
                               f"{', '.join(done)}", diff=plan.diff, payload=plan.payload)
