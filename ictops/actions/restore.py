"""Restore a host's configuration from a backup revision.

Servers (``RestoreServer``): plan: read the files on the host now (one round trip, the
backup's collection) and list each one that differs from the revision, with its masked diff;
apply: write exactly those files back (atomically, with sudo when the host uses it, keeping
the file's mode).

Switches (``RestoreSwitch``): the revision's running-config is the intended config of every
feature ictops knows for the platform: plan: the commands from the running-config read now;
apply: as any switch change (ictops/actions/switchpush.py): a pre-change backup, the commands,
verify, save when asked, rollback on failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ictops.actions.base import Context
from ictops.actions.switchpush import KeepsPreChange, PreChange, apply_switch, plan_switch
from ictops.backup.restore import Stored, file_diff, stored_files
from ictops.backup.store import BackupStore
from ictops.backup.take import RUNNING
from ictops.connections.base import SessionError
from ictops.errors import InputError
from ictops.facts import COLLECTION, RUNNING_CONFIG
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Payload, Plan
from ictops.switchconfig import platform_features
from ictops.switchconfig.features import FEATURES_FILE, outside
from ictops.switchconfig.showrun import prepare


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


@dataclass
class RestoreSwitch(KeepsPreChange):
    """Put the running-config of revision ``rev`` (default: the last commit) back on the
    switch; ``save``: then write it to the startup-config (after verify)."""

    store: BackupStore
    rev: str | None = None
    save: bool = False
    name: str = "backup restore"
    changes_hosts = True
    keeper: PreChange = field(init=False)

    def __post_init__(self) -> None:
        self.keeper = PreChange(self.store)

    def plan(self, ctx: Context) -> Plan:
        host = ctx.host
        try:
            commit = self.store.resolve(self.rev)
            stored = self.store.show(host, commit, RUNNING, masked=False)
        except InputError as exc:
            raise HostFailure(str(exc), ErrorKind.CONFIG_ERROR) from None
        left = _outside(host.platform_name, ctx.facts.get(RUNNING_CONFIG), stored)
        notes = [(f"{len(left)} line(s) differ outside ictops's features and are not restored "
                  f"(first: '{left[0]}'; see {FEATURES_FILE})")] if left else []
        return plan_switch(ctx, stored, tuple(platform_features(host.platform_name)),
                           save=self.save, what=f"backup {commit[:12]}", exact=True, notes=notes)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        why = f"backup restore of {self.store.resolve(self.rev)[:12]}, run {ctx.run.run_id}"
        return apply_switch(ctx, plan, self.keeper, why)


def _outside(platform: str, running: str, stored: str) -> list[str]:
    """Top-level lines in no feature that differ between the two configs."""
    features = list(platform_features(platform).values())
    now = {n.text for n in outside(prepare(running, platform), features)}
    then = {n.text for n in outside(prepare(stored, platform), features)}
    return sorted(now ^ then)
