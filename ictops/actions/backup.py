"""The backup action: one store transaction per run, one host backed up per call.

``ictops backup`` and the playbook step both use :class:`BackupAction` the same way:
``begin(run)`` takes the store's run lock (raises BackupLockedError when another run holds
it), ``action(ctx)`` backs up one host over the session the context opens, and
``end(run, results)`` makes the run's one commit (or none). In check mode the hosts are
fetched and compared, and ``end`` discards everything: nothing is committed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from ictops.audit import current_operator
from ictops.backup.store import BackupStore
from ictops.backup.take import backup_server, backup_switch
from ictops.backup.transaction import Transaction
from ictops.connections.base import SessionError
from ictops.engine.context import HostContext
from ictops.engine.runner import RunSettings
from ictops.results import ActionResult, Status


@dataclass
class BackupAction:
    """Back up switches (running/startup-config) and servers (files, package list, facts).

    ``max_shrink``: refuse a config that shrank by more than this share (default: the
    store's 0.5; a host's ``data.backup.max_shrink`` wins). ``accept_shrink``: store a
    shrunken config anyway. ``store``: default ``state/backups`` of the run's project.
    """

    max_shrink: float | None = None
    accept_shrink: bool = False
    store: BackupStore | None = None
    operator: str | None = None
    name: str = "backup"
    txn: Transaction | None = field(default=None, init=False)
    recovered: list[str] = field(default_factory=list, init=False)
    commit: str | None = field(default=None, init=False)

    def begin(self, run: RunSettings) -> None:
        """Open the run's transaction (run lock + crash recovery)."""
        if self.store is None:
            self.store = BackupStore(run.project.backups_dir)
        self.commit = None
        self.txn = self.store.begin_run(run.run_id, self.operator or current_operator())
        self.recovered = list(self.txn.recovered)

    def __call__(self, ctx: HostContext) -> ActionResult:
        txn = self._open_txn()
        host = ctx.host
        try:
            session = ctx.switch() if host.is_switch else ctx.server()
        except SessionError as exc:
            txn.note_failure(host, exc.message)
            raise  # the engine turns it into UNREACHABLE/FAILED with its kind
        if host.is_switch:
            result = backup_switch(
                session,  # type: ignore[arg-type]
                host,
                txn,
                max_shrink=self.max_shrink,
                accept_shrink=self.accept_shrink,
            )
        else:
            result = backup_server(session, host, txn)  # type: ignore[arg-type]
        if ctx.action != result.action:
            result = dataclasses.replace(result, action=ctx.action)
        if ctx.check and result.status is Status.CHANGED:
            result = dataclasses.replace(result, message=f"check: would store {result.message}")
        return result

    def end(self, run: RunSettings, results: Sequence[ActionResult]) -> str | None:
        """Commit once (or discard in check mode); a note for the recap."""
        txn = self._open_txn()
        self.txn = None
        changed = sorted(r.host for r in results if r.status is Status.CHANGED)
        if run.check:
            txn.abort()
            if not changed:
                return "check: no change, nothing would be committed"
            return f"check: {len(changed)} would change ({_names(changed)}); nothing committed"
        self.commit = txn.commit()
        if self.commit is None:
            return "no change, no commit"
        return f"backup commit {self.commit[:12]}: {len(changed)} changed ({_names(changed)})"

    def abort(self) -> None:
        """Release the store without committing (the run was interrupted before ``end``)."""
        txn, self.txn = self.txn, None
        if txn is not None:
            txn.abort()

    def _open_txn(self) -> Transaction:
        if self.txn is None:
            raise RuntimeError("BackupAction.begin() was not called for this run")
        return self.txn


def _names(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", +{len(names) - limit} more" if len(names) > limit else "")
