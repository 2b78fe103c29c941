"""Back up configs into the git backup store: plan = read the host and compare with the
store; apply = stage it; the run's one commit at ``end``.

It changes only ictops's own state (the git backup store), so an approved plan does not pin
it (``changes_hosts = False``), and its results are recorded after the commit
(``commits_at_end``): a backup is recorded as stored only when its commit exists. A run
interrupted by a signal still ends: the hosts that completed are committed and recorded as
stored; a host caught in the middle stages nothing. A run killed outright (kill -9) leaves
no record of its backups: the next run discards what it staged and records that it did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import Field

from ictops.actions.base import Context, Event, RunSettings, StepNote
from ictops.audit.team import current_operator
from ictops.backup.commands import CommandSpec, server_commands
from ictops.backup.store import BackupStore
from ictops.backup.take import BackupData, Capture, capture_server, capture_switch, server_patterns
from ictops.backup.transaction import Transaction
from ictops.connections.base import SessionError
from ictops.facts import COLLECTION, RUNNING_CONFIG, STARTUP_CONFIG
from ictops.project import Project
from ictops.results import ActionResult, Change, Outcome, Plan, Status
from ictops.validation import StrictModel


class Args(StrictModel):
    max_shrink: float | None = Field(default=None, gt=0, le=1)  # refuse a config shrunk by more
    accept_shrink: bool = False


def build(args: Args, project: Project) -> BackupAction:
    """The playbook's ``backup:`` step."""
    return BackupAction(max_shrink=args.max_shrink, accept_shrink=args.accept_shrink)


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
    commands: Mapping[str, CommandSpec] | None = None  # default: ictops/data/server_commands.yaml
    name: str = "backup"
    changes_hosts = False
    commits_at_end = True
    txn: Transaction | None = field(default=None, init=False)
    commit: str | None = field(default=None, init=False)

    # --- step hooks -----------------------------------------------------------------------
    def begin(self, run: RunSettings) -> StepNote | None:
        """Take the store's run lock (BackupLockedError when another run holds it) and
        recover from a run that was killed."""
        if self.store is None:
            self.store = BackupStore(run.project.backups_dir)
        self.commit = None
        self.txn = self.store.begin_run(run.run_id, run.operator or current_operator())
        return recovery_note(self.txn)

    def end(self, run: RunSettings, results: Sequence[ActionResult]) -> StepNote:
        """Commit once (nothing in check mode); a CHANGED host is recorded as stored only now,
        naming the commit that holds it."""
        txn = self._txn()
        self.txn = None
        changed = sorted(r.host or "" for r in results if r.status is Status.CHANGED)
        if run.check:
            txn.abort()
            if not changed:
                return StepNote("check: no change, nothing would be committed")
            return StepNote(f"check: {len(changed)} would change ({_names(changed)}); nothing committed")
        self.commit = txn.commit()
        if self.commit is None:
            return StepNote("no change, no commit")
        rev = self.commit[:12]
        stored = tuple(_stored(r, self.commit) for r in results)
        return StepNote(
            f"backup commit {rev}: {len(changed)} changed ({_names(changed)})",
            (Event("backup.commit", "ok", f"backup commit {rev} stores {len(changed)} host(s): "
                   f"{_names(changed)}", {"commit": self.commit, "hosts": changed}),),
            stored,
        )

    def abort(self, run: RunSettings) -> None:
        """Release the store without committing."""
        txn, self.txn = self.txn, None
        if txn is not None:
            txn.abort()

    # --- per host -------------------------------------------------------------------------
    def plan(self, ctx: Context) -> Plan:
        txn = self._txn()
        capture = self._capture(ctx, txn)
        preview = txn.compare(ctx.host, capture.files, capture.meta, volatile=capture.volatile,
                              platform=ctx.host.platform_name)
        data = dataclasses.replace(capture.data, new=preview.new, changed=preview.changed,
                                   files=dict(preview.files))
        if not preview.changed:
            return Plan(reason=capture.describe(preview), payload=data)
        return Plan((Change(f"store {capture.describe(preview)}", preview.diff),),
                    state=(capture, preview), payload=data)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        capture, preview = plan.state
        staged = self._txn().stage(ctx.host, capture.files, capture.meta, volatile=capture.volatile,
                                   platform=ctx.host.platform_name, compared=preview)
        return Outcome.changed(f"staged {capture.describe(staged)}", diff=staged.diff,
                               payload=plan.payload)

    def _capture(self, ctx: Context, txn: Transaction) -> Capture:
        host = ctx.host
        try:
            if host.is_switch:
                return capture_switch(ctx.facts.get(RUNNING_CONFIG), ctx.facts.get(STARTUP_CONFIG),
                                      host, txn, max_shrink=self.max_shrink,
                                      accept_shrink=self.accept_shrink)
            patterns = server_patterns(host, txn)
            specs = server_commands() if self.commands is None else self.commands
            got = ctx.facts.get(COLLECTION, patterns, tuple(specs.values()))
            return capture_server(got.collected, got.result.stdout, got.result.stderr,
                                  got.result.exit_code, host, txn, patterns, specs)
        except SessionError as exc:
            txn.note_failure(host, exc.message)
            raise  # the engine makes it UNREACHABLE/FAILED with its kind

    def _txn(self) -> Transaction:
        if self.txn is None:
            raise RuntimeError("BackupAction.begin() was not called for this run")
        return self.txn


def recovery_note(txn: Transaction) -> StepNote | None:
    """What the store's recovery did at the start of a run, for the recap and the trail."""
    if not txn.recovered:
        return None
    summary = "; ".join(txn.recovered)
    return StepNote(f"recovered: {summary}",
                    (Event("backup.recover", "ok", f"backup store recovered: {summary}"),))


def _stored(result: ActionResult, commit: str) -> ActionResult:
    if result.status is not Status.CHANGED:
        return result
    payload = result.payload
    if isinstance(payload, BackupData):
        payload = dataclasses.replace(payload, commit=commit)
    message = result.message.replace("staged ", f"stored in {commit[:12]}: ", 1)
    return dataclasses.replace(result, message=message, payload=payload)


def _names(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", +{len(names) - limit} more" if len(names) > limit else "")
