"""The actions a playbook step can name, by key: ``cmd``, ``backup``, ``audit``, ``notify``, ``report``.

Each entry says how its arguments are checked (a pydantic model, extra keys refused)
and how it becomes something the executor can run: a host action (``HostContext ->
ActionResult``, optionally a StepAction with begin/end) or a run-level action that runs
once per run on no host (notify, report). The modules behind backup, audit, notify and
report are imported only when a step uses them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

from pydantic import BaseModel, Field

from ictops.engine.runner import HostAction
from ictops.project import Project
from ictops.results import ActionResult, ErrorKind, Status
from ictops.validation import StrictModel, suggest


class CmdArgs(StrictModel):
    command: str = Field(min_length=1)
    sudo: bool = False
    changes: bool = True  # may this command change the host? false: it also runs in check mode
    timeout: float | None = Field(default=None, gt=0)


class BackupArgs(StrictModel):
    max_shrink: float | None = Field(default=None, gt=0, le=1)  # refuse a config shrunk by more
    accept_shrink: bool = False


class AuditArgs(StrictModel):
    pack: str = "th-baseline"
    from_backup: bool | None = None  # default: from the backups unless live
    live: bool = False  # read every rule from the device
    live_rules: bool = False  # from the backups, plus the rules that need the device, live
    rules: list[str] | None = None  # only these rule ids


class NotifyArgs(StrictModel):
    only_on: Literal["always", "failure", "change"] = "always"


class ReportArgs(StrictModel):
    lang: Literal["th", "en"] = "th"
    format: Literal["html", "pdf", "auto"] = "auto"  # auto: pdf when Chromium is there, else html


@dataclass(frozen=True)
class RunInfo:
    """What a run-level action sees: the run so far."""

    project: Project
    run_id: str
    playbook: Any  # Playbook
    check: bool
    operator: str
    results: Sequence[ActionResult]  # every host result so far
    stopped: str | None = None  # why the run stopped early, if it did
    artifacts: dict[str, Any] = field(default_factory=dict)  # shared by run-level steps: report path


@dataclass(frozen=True)
class ActionSpec:
    """One action key of the playbook format."""

    name: str
    args_model: type[BaseModel]
    summary: str
    host_factory: Callable[[Any, Project], HostAction] | None = None  # (args, project) -> action
    run_factory: Callable[[Any], Callable[[RunInfo], ActionResult]] | None = None
    check_skip: Callable[[Any], str | None] = field(default=lambda args: None)
    validate: Callable[[Any, Project], None] | None = None  # load-time check (raises InputError)

    @property
    def run_level(self) -> bool:
        return self.run_factory is not None


class Registry:
    """Action specs by name."""

    def __init__(self, specs: Sequence[ActionSpec]):
        self._specs = {s.name: s for s in specs}

    @property
    def names(self) -> list[str]:
        return sorted(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def get(self, name: str) -> ActionSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(
                f"unknown action '{name}'{suggest(name, self.names)}; actions are {', '.join(self.names)}"
            ) from None


# --- the built-in actions -----------------------------------------------------------------


def _cmd(args: CmdArgs, project: Project) -> HostAction:
    from ictops.actions.command import RunCommand

    return RunCommand(command=args.command, timeout=args.timeout, sudo=args.sudo)


def _cmd_check_skip(args: CmdArgs) -> str | None:
    if args.changes:
        return "check mode: this command may change the host, so it is not run (mark it changes: false if it only reads)"
    return None


def _backup(args: BackupArgs, project: Project) -> HostAction:
    from ictops.actions.backup import BackupAction

    return BackupAction(max_shrink=args.max_shrink, accept_shrink=args.accept_shrink)


def _audit(args: AuditArgs, project: Project) -> HostAction:
    from ictops.actions.audit import AuditAction

    return AuditAction.from_args(project, args.model_dump(exclude_unset=True))


def _audit_validate(args: AuditArgs, project: Project) -> None:
    from ictops.compliance import load_pack, pack_path

    load_pack(pack_path(project.root, args.pack))


def _run_result(name: str, status: Status, message: str, **kw: Any) -> ActionResult:
    now = time.time()
    return ActionResult(host="-", action=name, status=status, message=message, started=now, ended=now, **kw)


def run_summary(info: RunInfo) -> dict[str, Any]:
    """The run as the notification and report modules take it."""
    counts = {s.value: 0 for s in Status}
    for r in info.results:
        counts[r.status.value] += 1
    failures = [
        {"host": r.host, "action": r.action, "status": r.status.value, "reason": r.message}
        for r in info.results if r.status.is_failure
    ]
    if info.stopped:
        failures.append({"host": "-", "action": "run", "status": "failed", "reason": info.stopped})
    return {"run_id": info.run_id, "playbook": info.playbook.path, "totals": counts, "failures": failures}


def _notify(args: NotifyArgs) -> Callable[[RunInfo], ActionResult]:
    def run(info: RunInfo) -> ActionResult:
        failed = any(r.status.is_failure for r in info.results) or info.stopped
        changed = any(r.status is Status.CHANGED for r in info.results)
        if args.only_on == "failure" and not failed:
            return _run_result("notify", Status.SKIPPED, "nothing failed: no message sent (only_on: failure)")
        if args.only_on == "change" and not (failed or changed):
            return _run_result("notify", Status.SKIPPED, "nothing changed: no message sent (only_on: change)")
        if info.check:
            return _run_result("notify", Status.SKIPPED, "check mode: no message sent")
        from ictops.notify.events import notify_run

        sent = notify_run(info.project, run_summary(info), info.artifacts.get("report"),
                          operator=info.operator)
        if not sent:
            return _run_result("notify", Status.SKIPPED, "no inventory/notify.yaml: nothing sent")
        bad = [d for d in sent if not d.ok]
        if bad:
            return _run_result("notify", Status.FAILED,
                               "; ".join(f"{d.channel}: {d.error}" for d in bad),
                               error_kind=ErrorKind.COMMAND_FAILED)
        return _run_result("notify", Status.OK, "sent via " + ", ".join(d.channel for d in sent))

    return run


def _report(args: ReportArgs) -> Callable[[RunInfo], ActionResult]:
    def run(info: RunInfo) -> ActionResult:
        if info.check:
            return _run_result("report", Status.SKIPPED, "check mode: no report written")
        import datetime as dt

        from ictops.report import write_report
        from ictops.report.collect import collect_report, report_base

        fmt = args.format
        if fmt == "auto":
            from ictops.report import PdfError, find_chromium

            try:
                find_chromium()
                fmt = "pdf"
            except PdfError:
                fmt = "html"
        now = dt.datetime.now(dt.timezone.utc)
        data = collect_report(info.project, run=info.run_id, lang=args.lang, operator=info.operator, now=now)
        path = write_report(data, report_base(info.project, info.run_id, None, now), lang=args.lang,
                            formats=(fmt,))[0]
        info.artifacts["report"] = path
        return _run_result("report", Status.CHANGED, f"report written: {info.project.relative(path)}",
                           data={"file": info.project.relative(path)})

    return run


BUILTIN = (
    ActionSpec("cmd", CmdArgs, "run a command (shell on servers, exec on switches)", host_factory=_cmd,
               check_skip=_cmd_check_skip),
    ActionSpec("backup", BackupArgs, "back up configs into the git backup store", host_factory=_backup),
    ActionSpec("audit", AuditArgs, "check compliance with a rule pack", host_factory=_audit,
               validate=_audit_validate),
    ActionSpec("notify", NotifyArgs, "send the run's summary to those concerned (run-level)",
               run_factory=_notify),
    ActionSpec("report", ReportArgs, "write the director's report (run-level)", run_factory=_report),
)


def default_registry() -> Registry:
    return Registry(BUILTIN)


def failed_to_load(name: str, exc: Exception) -> ActionResult:
    """A run-level or host action whose module is not available."""
    return _run_result(name, Status.FAILED, f"action '{name}' could not be set up: {exc}",
                       error_kind=ErrorKind.INTERNAL)
