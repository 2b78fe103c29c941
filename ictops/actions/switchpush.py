"""A change to a switch's configuration, planned and applied safely; shared by the
``switch_config`` action and ``backup restore`` of a switch (docs/switch-config.md).

plan: the exact ordered commands (``no``/``undo`` lines included) that bring the features of
the running-config, read now, to the intended config (ictops.switchconfig.remediation);
empty: nothing to do, with the reason.

apply (``Push``):
1. the pre-change backup: the running- and startup-config as they are now, committed to the
   backup store through its guards (``PreChange``); refused or failed: nothing is sent;
2. the commands, one line at a time; the first refused line stops them;
3. verify: the running-config is read again and planned again: the plan must be empty;
4. save (write memory / save) only when asked, and only after verify;
5. any failure in 2-4 (a refused line, a lost connection, a failed verify or save): roll back
   to the pre-change backup (``rollback``: its commands from the running-config now, over every
   feature the platform has), reconnecting first when the connection dropped, and verify that
   the running-config equals the backup (normalised). Rolled back: FAILED with the first
   failure's kind. Not rolled back or not verified: FAILED ``rollback_failed``, with the
   running-config as it is now kept in the quarantine directory (mode 0600) when it can be
   read. Every command sent, the change's and the rollback's, is in the result's payload and
   so in the host's audit record (masked).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from ictops.actions.backup import recovery_note
from ictops.actions.base import Context, RunSettings, StepNote
from ictops.audit.mask import Masker
from ictops.audit.team import current_operator
from ictops.backup.guards import quarantine
from ictops.backup.store import BackupStore
from ictops.backup.take import RUNNING, capture_switch
from ictops.backup.transaction import Transaction
from ictops.connections.base import SessionError, SwitchSession
from ictops.errors import InputError
from ictops.facts import RUNNING_CONFIG, STARTUP_CONFIG
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Payload, Plan
from ictops.switchconfig import (
    Remediation,
    normalised_equal,
    platform_features,
    remediation,
    rollback,
)

log = logging.getLogger("ictops.switch")

# kinds after which the session cannot be used again: the rollback reconnects first
_BROKEN = frozenset({ErrorKind.TIMEOUT, ErrorKind.CONNECTION_LOST, ErrorKind.INTERRUPTED})
_NO_RETRY = frozenset({ErrorKind.AUTH_FAILED, ErrorKind.HOSTKEY_UNKNOWN, ErrorKind.HOSTKEY_CHANGED,
                       ErrorKind.CONFIG_ERROR, ErrorKind.INTERRUPTED})


@dataclass(frozen=True)
class RollbackData:
    """What undoing a failed change did."""

    commands: tuple[str, ...] = ()  # the rollback commands that reached the device
    verified: bool = False  # the running-config equals the pre-change backup afterwards
    error: str = ""


@dataclass(frozen=True)
class SwitchChange(Payload):
    """A switch change: what was planned and sent, verify, save, rollback."""

    kind: ClassVar[str] = "switch_config"
    platform: str = ""
    features: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()  # the plan
    notes: tuple[str, ...] = ()
    backup: str | None = None  # the revision of the pre-change backup
    sent: tuple[str, ...] = ()  # the commands that reached the device
    verified: bool | None = None  # re-planned empty after the push
    saved: bool = False
    rollback: RollbackData | None = None
    kept: str | None = None  # where the running-config was kept when it was not rolled back

    def record(self) -> dict[str, Any]:
        masker = Masker(self.platform)
        data: dict[str, Any] = {"features": list(self.features),
                                "sent": [masker(c) for c in self.sent]}
        if self.backup:
            data["backup"] = self.backup
        if self.verified is not None:
            data.update(verified=self.verified, saved=self.saved)
        if self.rollback is not None:
            data["rollback"] = {"sent": [masker(c) for c in self.rollback.commands],
                                "verified": self.rollback.verified}
        if self.kept:
            data["kept"] = self.kept
        return data


@dataclass(frozen=True)
class Target:
    """What a plan hands its apply (``Plan.state``): the intended config and the commands."""

    intended: str
    exact: bool  # a whole config (a backup revision), not a set of features
    save: bool
    running: str  # the running-config the plan was made from
    todo: Remediation
    what: str  # how the intended config is named in messages


def plan_switch(ctx: Context, intended: str, features: Sequence[str] | None, *, save: bool,
                what: str, exact: bool = False, notes: Sequence[str] = ()) -> Plan:
    """The plan that makes the switch's ``features`` what ``intended`` says (``exact``: a
    whole config such as a backup; ``features`` None: those ``intended`` has lines of).
    ``notes`` (and remediation's: secrets not sent...) are said with the plan."""
    host = ctx.host
    if not exact and not intended.strip():
        raise HostFailure(f"{what} has no line for {host.name}: nothing was changed (an empty "
                          "intended config would remove its features)", ErrorKind.CONFIG_ERROR)
    running = ctx.facts.get(RUNNING_CONFIG)
    try:
        todo = remediation(host.platform_name, running, intended, features, what=what,
                           exact=exact)
    except InputError as exc:
        raise HostFailure(str(exc), ErrorKind.CONFIG_ERROR) from None
    said = (*todo.notes, *notes)
    payload = SwitchChange(platform=host.platform_name, features=todo.features,
                           commands=todo.commands, notes=said)
    scope = _scope(todo, exact)
    extra = "".join(f"; note: {n}" for n in said)
    if todo.empty:
        return Plan(reason=f"{scope} already as {what}{extra}", payload=payload)
    changes = [Change(f"send {len(todo.commands)} configuration command(s) ({scope}{extra})",
                      commands_diff(host.name, todo))]
    if save:
        changes.append(Change("save the running-config to the startup-config after verify"))
    target = Target(intended, exact, save, running, todo, what)
    return Plan(tuple(changes), state=target, payload=payload)


def _scope(todo: Remediation, exact: bool) -> str:
    if exact:
        return f"all {len(todo.features)} features"
    return ", ".join(todo.features) or "no feature"


def commands_diff(host: str, todo: Remediation) -> str:
    """The commands as a diff: what ``--diff`` and ``ictops plan`` show, masked as one."""
    head = (f"--- {host} running-config (now)\n"
            f"+++ {host} commands, in the order sent ({', '.join(todo.features)})\n")
    return head + "".join(f"+{line}\n" for line in todo.commands)


class PreChange:
    """The pre-change backups of one step: one backup run (the store's lock) for the whole
    step, and each host's running- and startup-config committed before its change is sent.
    Hosts stage in parallel; whoever commits takes every host staged so far into the same
    commit (the others wait for it), so 50 switches need a handful of commits, not 50.
    Nothing happens in check mode."""

    def __init__(self, store: BackupStore | None = None):
        self.store = store
        self.txn: Transaction | None = None
        self._stage = threading.Lock()  # staging, and what a commit takes
        self._commit = threading.Lock()  # one commit at a time
        self._staged = 0  # how many hosts were staged
        self._commits: list[tuple[int, str | None]] = []  # (hosts staged before it, revision)

    def begin(self, run: RunSettings) -> StepNote | None:
        if run.check:
            return None
        if self.store is None:
            self.store = BackupStore(run.project.backups_dir)
        self.txn = self.store.begin_run(run.run_id, run.operator or current_operator())
        self._staged, self._commits = 0, []
        return recovery_note(self.txn)

    def end(self, run: RunSettings, results: Sequence[Any]) -> StepNote | None:
        txn, self.txn = self.txn, None
        if txn is not None:
            txn.commit()
        return None

    def abort(self, run: RunSettings) -> None:
        txn, self.txn = self.txn, None
        if txn is not None:
            txn.abort()

    def keep(self, ctx: Context, running: str, why: str) -> str:
        """Commit the host's configs as they are now; the revision that holds them.
        HostFailure (nothing was changed) when the store's guards refuse them."""
        txn, store = self.txn, self.store
        if txn is None or store is None:
            raise RuntimeError("PreChange.begin() was not called for this run")
        startup = ctx.facts.get(STARTUP_CONFIG)
        host = ctx.host
        with self._stage:
            try:
                capture = capture_switch(running, startup, host, txn)
            except HostFailure as exc:
                raise HostFailure(f"nothing was sent: the pre-change backup was refused: "
                                  f"{exc.message}", exc.kind) from None
            staged = txn.stage(host, capture.files, capture.meta, volatile=capture.volatile,
                               platform=host.platform_name)
            self._staged += 1
            mine = self._staged
        rev = self._committed(txn, mine, why) if staged.changed else None
        if rev is None:  # unchanged since the last backup: the commit that holds it
            latest = store.latest(host)
            if latest is None:  # pragma: no cover - a new host always makes a commit
                raise HostFailure("nothing was sent: the pre-change backup is not in the store")
            rev = latest.rev
        return rev

    def _committed(self, txn: Transaction, mine: int, why: str) -> str | None:
        """The revision of the commit that holds the ``mine``-th staged host (made now, with
        every host staged so far, unless another thread's commit already took it)."""
        with self._commit:
            done = next((rev for upto, rev in self._commits if upto >= mine), None)
            if done is not None or any(upto >= mine for upto, _ in self._commits):
                return done
            with self._stage:
                upto = self._staged
                rev = txn.checkpoint(f"pre-change backups ({why})")
            self._commits.append((upto, rev))
            return rev

    def config(self, ctx: Context, rev: str) -> str:
        assert self.store is not None
        return self.store.show(ctx.host, rev, RUNNING, masked=False)


class KeepsPreChange:
    """Step hooks of an action whose ``keeper`` (a PreChange) holds the pre-change backups."""

    keeper: PreChange

    def begin(self, run: RunSettings) -> StepNote | None:
        return self.keeper.begin(run)

    def end(self, run: RunSettings, results: Sequence[Any]) -> StepNote | None:
        return self.keeper.end(run, results)

    def abort(self, run: RunSettings) -> None:
        self.keeper.abort(run)


def apply_switch(ctx: Context, plan: Plan, keeper: PreChange, why: str) -> Outcome:
    """Carry out a plan made by ``plan_switch`` (``why``: what the change is, for the
    pre-change backup's commit message)."""
    assert isinstance(plan.state, Target) and isinstance(plan.payload, SwitchChange)
    return Push(ctx, plan.state, keeper, why, plan.payload).run()


@dataclass
class Push:
    """Apply one host's plan: pre-change backup, send, verify, save; roll back on failure."""

    ctx: Context
    target: Target
    keeper: PreChange
    why: str  # what the change is, for the pre-change backup's commit message
    payload: SwitchChange

    def run(self) -> Outcome:
        try:
            rev = self.keeper.keep(self.ctx, self.target.running, self.why)
        except SessionError as exc:  # the startup-config could not be read
            raise SessionError(exc.kind, f"nothing was sent: the pre-change backup could not be "
                               f"taken: {exc.message}", during_connect=exc.during_connect) from None
        self.payload = replace(self.payload, backup=rev)
        before = self.keeper.config(self.ctx, rev)
        try:
            return self._send()
        except _Failed as exc:
            return self._roll_back(before, exc.message, exc.kind, broken=False)
        except SessionError as exc:
            sent = self.payload.sent or exc.sent
            self.payload = replace(self.payload, sent=sent)
            return self._roll_back(before, exc.message, exc.kind, broken=exc.kind in _BROKEN)
        except Exception as exc:  # noqa: BLE001 - a bug mid-change must still roll back
            log.error("%s: internal error during the change:\n%s", self.ctx.host.name,
                      traceback.format_exc())
            return self._roll_back(before, f"internal error ({type(exc).__name__}: {exc})",
                                   ErrorKind.INTERNAL, broken=False)

    def _send(self) -> Outcome:
        host, todo = self.ctx.host, self.target.todo
        session = self.ctx.switch()
        session.configure(todo.commands)
        self.payload = replace(self.payload, sent=todo.commands)
        after = session.running_config()
        left = remediation(host.platform_name, after, self.target.intended, todo.features,
                           what=self.target.what, exact=self.target.exact)
        if not left.empty:
            self.payload = replace(self.payload, verified=False)
            raise _Failed(f"verify failed: {len(left.commands)} command(s) still to do after the "
                          f"push (first: '{left.commands[0]}')")
        self.payload = replace(self.payload, verified=True)
        if self.target.save:
            session.save()
            self.payload = replace(self.payload, saved=True)
        done = f"sent {len(todo.commands)} command(s) ({_scope(todo, self.target.exact)}); verified"
        done += "; saved" if self.target.save else "; not saved (save: false)"
        return Outcome.changed(f"{done}; pre-change backup {(self.payload.backup or '?')[:12]}",
                               diff=self._diff(), payload=self.payload)

    def _diff(self) -> str:
        return commands_diff(self.ctx.host.name, self.target.todo)

    def _roll_back(self, before: str, failure: str, kind: ErrorKind, *, broken: bool) -> Outcome:
        """Put the pre-change config back and check it; the result says what happened."""
        host, rev = self.ctx.host, self.payload.backup or "?"
        state = _Undo()
        try:
            self._undo(before, state, broken)
        except SessionError as exc:
            if not broken and exc.kind not in _NO_RETRY:  # once more, on a new connection
                try:
                    self._undo(before, state, True)
                except SessionError as again:
                    state.error = again.message
            else:
                state.error = exc.message
        except Exception as exc:  # noqa: BLE001 - reported as not rolled back
            log.error("%s: rollback failed:\n%s", host.name, traceback.format_exc())
            state.error = f"internal error ({type(exc).__name__}: {exc})"
        undo = RollbackData(tuple(state.sent), state.verified, state.error)
        self.payload = replace(self.payload, rollback=undo)
        if state.verified:
            what = f"{len(state.sent)} command(s)" if state.sent else "nothing to undo"
            return Outcome.failed(
                f"{failure}; rolled back to the pre-change backup {rev[:12]} ({what}); verified: "
                "the running-config equals it", kind, diff=self._diff(), payload=self.payload)
        why = state.error or "the running-config still differs from the pre-change backup"
        kept = self._keep_now(state.now, f"{failure}; not rolled back: {why}")
        self.payload = replace(self.payload, kept=kept)
        where = (f"its running-config now is kept in {kept}" if kept else
                 "its running-config could not be read")
        return Outcome.failed(
            f"NOT ROLLED BACK: {failure}; then {why}. {host.name} may be half-changed: compare "
            f"it with the pre-change backup (ictops backup diff {host.name} {rev[:12]}); {where}",
            ErrorKind.ROLLBACK_FAILED, diff=self._diff(), payload=self.payload)

    def _undo(self, before: str, state: _Undo, reconnect: bool) -> None:
        host = self.ctx.host
        session = _reconnect(self.ctx) if reconnect else self.ctx.switch()
        state.now = session.running_config()
        back = rollback(host.platform_name, state.now, before,
                        tuple(platform_features(host.platform_name)))
        if back.commands:
            try:
                session.configure(back.commands)
            except SessionError as exc:
                state.sent.extend(exc.sent)
                raise
            state.sent.extend(back.commands)
        state.now = session.running_config()
        state.verified = normalised_equal(host.platform_name, before, state.now)

    def _keep_now(self, text: str | None, reason: str) -> str | None:
        if not text or self.keeper.store is None:
            return None
        path = quarantine(self.keeper.store.quarantine_dir, self.ctx.host.name,
                          "running-config-not-rolled-back", text, reason)
        return self.ctx.project.relative(path)


class _Failed(Exception):
    """The change did not do what it should (a failed verify): roll back."""

    def __init__(self, message: str, kind: ErrorKind = ErrorKind.COMMAND_FAILED):
        self.message, self.kind = message, kind
        super().__init__(message)


@dataclass
class _Undo:
    sent: list[str] = field(default_factory=list)
    now: str | None = None
    verified: bool = False
    error: str = ""


def _reconnect(ctx: Context) -> SwitchSession:
    """A new session, tried again while the device does not answer, until the host's command
    timeout has passed (each attempt has the connection's own deadlines)."""
    deadline = time.monotonic() + ctx.host.timeouts.command
    while True:
        try:
            return ctx.reconnect_switch()
        except SessionError as exc:
            if exc.kind in _NO_RETRY or time.monotonic() + 1.0 >= deadline:
                raise
            threading.Event().wait(1.0)  # the link may come back: try again shortly
