"""Step 4 of the work manual: tell those concerned of a plan, its approval and a run's results.

``notify_plan``, ``notify_approval`` and ``notify_run`` build a Thai message (English below
it), end it with the audit trail's head (a witness: ictops.audit.witness), send it over every
channel of ``inventory/notify.yaml`` (no file: nothing is sent, not an error) and write one
audit event per channel: sent, or failed with the reason. A notification that fails before
any channel is tried (a message that cannot be built, a broken notify.yaml) is recorded as
failed too: a plan is never silently left unannounced.

A run is a plain mapping, so any caller can build it: ``run_id``, ``playbook`` (or verb),
``totals`` {status: count}, optional ``failures`` [{host, action, status, reason}],
``seconds``, ``plan_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ictops import clock
from ictops.audit.witness import Head, trail_head
from ictops.notify.config import NotifyConfigError
from ictops.notify.notifier import DeliveryResult, Notifier
from ictops.project import Project
from ictops.report.i18n import status_label
from ictops.results import Status

if TYPE_CHECKING:
    from ictops.playbook.plans import Plan

NOTIFY_FILE = "notify.yaml"
NOTIFY_PROCESS, NOTIFY_STEP = 2, 4  # process 2 step 4: notify those concerned
MAX_LISTED = 20  # hosts or failures listed in one message

Built = tuple[str, str]  # (subject, text)


def notifier_for(project: Project) -> Notifier | None:
    """The project's notifier, or None when inventory/notify.yaml does not exist."""
    path = project.inventory_dir / NOTIFY_FILE
    return Notifier.from_file(path, project.root) if path.exists() else None


def _counts_line(totals: Mapping[str, int], lang: str) -> str:
    return ", ".join(
        f"{status_label(lang, s.value)} {int(totals.get(s.value, 0))}" for s in Status
    )


def _changing(plan: Plan) -> tuple[dict[str, str], dict[str, str]]:
    """(would change, may change): host -> its first such step. A step that cannot be run in
    check mode (a command that may change the host) may change it: nobody can tell in advance."""
    would: dict[str, str] = {}
    may: dict[str, str] = {}
    for host, items in plan.hosts.items():
        for item in items:
            what = str(item.get("name") or item.get("action") or "")
            if item.get("status") == "changed":
                message = str(item.get("message") or "")
                would[host] = f"{what}: {message}" if message else what
                break
            if item.get("status") == "skipped" and str(item.get("message", "")).startswith("check mode"):
                may.setdefault(host, what)
    return would, {h: w for h, w in may.items() if h not in would}


def _listed(hosts: Mapping[str, str], suffix: str = "") -> list[str]:
    lines = [f"- {h}: {what}{suffix}" for h, what in list(hosts.items())[:MAX_LISTED]]
    if len(hosts) > MAX_LISTED:
        lines.append(f"- ... (+{len(hosts) - MAX_LISTED})")
    return lines


def plan_message(plan: Plan) -> Built:
    """(subject, text) of a plan notification."""
    would, may = _changing(plan)
    failed = [f"ตรวจสอบไม่ได้ {plan.failed} รายการ"] if plan.failed else []
    failed_en = [f"{plan.failed} check(s) failed."] if plan.failed else []
    pid, book, hosts = plan.id, plan.playbook, len(plan.hosts)
    may_th = f" และอาจเปลี่ยนแปลง {len(may)} เครื่อง" if may else ""
    may_en = f", {len(may)} may change (cannot be known in advance)" if may else ""
    subject = f"[ictops] แผนงาน {book} รอการอนุมัติ ({pid}) / plan awaiting approval"
    text = "\n".join([
        f"แผนงาน {pid} ของ {book} จัดทำแล้ว (กระบวนการที่ {plan.process} ขั้นตอนวางแผน)",
        f"จะมีการเปลี่ยนแปลง {len(would)} เครื่อง{may_th} จากที่เลือกไว้ {hosts} เครื่อง",
        *_listed(would),
        *_listed(may, " (ตรวจล่วงหน้าไม่ได้ว่าจะเปลี่ยนหรือไม่)"),
        *failed,
        f"ผู้อนุมัติ: ictops approve {pid} --by ชื่อผู้อนุมัติ",
        "",
        "----",
        f"Plan {pid} of {book} was made (process {plan.process}, plan step).",
        f"{len(would)} of {hosts} selected host(s) would change{may_en}.",
        *failed_en,
        f"To approve: ictops approve {pid} --by NAME",
    ])
    return subject, text


def approval_message(plan: Plan) -> Built:
    """(subject, text) of a plan-approved notification."""
    approval = plan.approval
    if approval is None:
        raise ValueError(f"plan {plan.id} is not approved")
    pid, book = plan.id, plan.playbook
    order_th = f" ตามคำสั่ง/หนังสือ {approval.order}" if approval.order else ""
    order_en = f" (order {approval.order})" if approval.order else ""
    at = clock.parse_stored(approval.at)
    subject = f"[ictops] อนุมัติแผนงาน {book} แล้ว ({pid}) / plan approved"
    text = "\n".join([
        f"แผนงาน {pid} ของ {book} ได้รับอนุมัติโดย {approval.by} ({approval.position}){order_th}",
        f"เมื่อ {clock.format_datetime_th(at)} (กระบวนการที่ {plan.process} ขั้นตอนเสนอขออนุมัติ)",
        f"ดำเนินการด้วย ictops run {book} --plan {pid}",
        "",
        "----",
        f"Plan {pid} of {book} was approved by {approval.by} ({approval.position}){order_en} "
        f"on {clock.format_datetime_en(at)} (Thai time).",
        f"To carry it out: ictops run {book} --plan {pid}",
    ])
    return subject, text


def run_message(run: Mapping[str, Any], report_path: Path | None = None) -> Built:
    """(subject, text) of a run-results notification."""
    rid, book = run.get("run_id", "?"), run.get("playbook", "?")
    totals: Mapping[str, int] = run.get("totals") or {}
    failures = list(run.get("failures") or [])
    bad = int(totals.get("failed", 0)) + int(totals.get("unreachable", 0))
    verdict_th = f"ไม่สำเร็จ {bad} รายการ" if bad else "สำเร็จทั้งหมด"
    verdict_en = f"{bad} failed" if bad else "all succeeded"
    listed = [
        f"- {f.get('host', '?')} {f.get('action', '')} "
        f"({status_label('th', str(f.get('status', 'failed')))}): {f.get('reason', '')}"
        for f in failures[:MAX_LISTED]
    ]
    if len(failures) > MAX_LISTED:
        listed.append(f"- ... (+{len(failures) - MAX_LISTED})")
    seconds = run.get("seconds")
    took = f" ใช้เวลา {float(seconds):.0f} วินาที" if seconds is not None else ""
    report_th = [f"รายงาน: {report_path}"] if report_path else []
    report_en = [f"Report: {report_path}"] if report_path else []
    half = sorted(str(f.get("host", "?")) for f in failures if f.get("kind") == "rollback_failed")
    names = ", ".join(half)
    alarm_th = [(f"!!! ย้อนกลับไม่สำเร็จ: {names} อาจถูกเปลี่ยนค่าตั้งไปเพียงบางส่วน ตรวจสอบทันที"
                 " (ictops backup diff แล้ว ictops backup restore)"), ""] if half else []
    alarm_en = [(f"!!! NOT ROLLED BACK: {names} may be half-changed; check now"
                 " (ictops backup diff, then ictops backup restore)."), ""] if half else []
    subject = f"[ictops] ผลการดำเนินงาน {book}: {verdict_th} / {verdict_en} ({rid})"
    if half:
        subject = f"[ictops] !!! ย้อนกลับไม่สำเร็จ / NOT ROLLED BACK: {', '.join(half)} - " + subject[9:]
    text = "\n".join([
        *alarm_th,
        f"ผลการดำเนินงาน {book} รอบ {rid}{took}",
        f"ผลรวม: {_counts_line(totals, 'th')}",
        *(["รายการที่ไม่สำเร็จ:", *listed] if listed else []),
        *report_th,
        "",
        "----",
        *alarm_en,
        f"Results of {book}, run {rid}: {verdict_en}.",
        f"Totals: {_counts_line(totals, 'en')}",
        *report_en,
    ])
    return subject, text


def witness_block(head: Head | None) -> str:
    """The end of every message: the trail's head, for whoever keeps the message."""
    if head is None:
        return ""
    return f"\n\n----\n{head.line()}\n{head.line_th()}"


def _notify_step(project: Project, process: int) -> tuple[int, int]:
    """Where a notification is recorded: the process's notify step, else process 2 step 4."""
    from ictops.audit.catalogue import load_catalogue

    try:
        step = load_catalogue(project).step_for(process, "notify")
    except Exception:  # noqa: BLE001 - a broken catalogue must not lose the record
        step = None
    return (process, step.number) if step else (NOTIFY_PROCESS, NOTIFY_STEP)


def _announce(
    project: Project, what: str, build: Callable[[], Built], *, run_id: str | None,
    operator: str | None, process: int = NOTIFY_PROCESS, attachments: tuple[Path, ...] = (),
    data: Mapping[str, Any] | None = None,
) -> list[DeliveryResult]:
    """Build, send and record one notification; every outcome becomes an audit event."""
    from ictops.audit import current_operator
    from ictops.audit.recorder import open_trail, trail_path

    if not (project.inventory_dir / NOTIFY_FILE).exists():
        return []
    head = trail_head(trail_path(project))
    results: list[DeliveryResult]
    config_error: NotifyConfigError | None = None
    try:
        notifier = notifier_for(project)
        subject, text = build()
    except NotifyConfigError as exc:
        config_error = exc
        results = [DeliveryResult("-", False, f"{NOTIFY_FILE}: {exc}", "")]
    except Exception as exc:  # noqa: BLE001 - recorded below, never lost
        results = [DeliveryResult("-", False, f"message not built: {type(exc).__name__}: {exc}", "")]
    else:
        assert notifier is not None
        results = notifier.send(subject, text + witness_block(head), attachments=attachments)
    process, step = _notify_step(project, process)
    extra = dict(data or {})
    if head is not None:
        extra.update(witness_seq=head.seq, witness_hash=head.hash)
    with open_trail(project, run_id, operator or current_operator()) as trail:
        for r in results:
            summary = (f"{what} notification sent via {r.channel} ({r.type})" if r.ok
                       else f"{what} notification via {r.channel} ({r.type or '-'}) failed: {r.error}")
            trail.append(
                kind="event", action=f"notify.{what}", status="ok" if r.ok else "failed",
                process=process, step=step, summary=summary,
                data={"channel": r.channel, "type": r.type, **extra} | ({} if r.ok else {"reason": r.error}),
            )
    if config_error is not None:
        raise config_error
    return results


def notify_plan(project: Project, plan: Plan, *, operator: str | None = None) -> list[DeliveryResult]:
    """Tell those concerned that a plan awaits approval; one result per channel."""
    return _announce(project, "plan", lambda: plan_message(plan), run_id=plan.id.removeprefix("plan-"),
                     operator=operator, process=plan.process, data={"plan": plan.id})


def notify_approval(
    project: Project, plan: Plan, *, operator: str | None = None
) -> list[DeliveryResult]:
    """Tell those concerned that a plan was approved (and by whom); one result per channel."""
    return _announce(project, "approve", lambda: approval_message(plan),
                     run_id=plan.id.removeprefix("plan-"), operator=operator, process=plan.process,
                     data={"plan": plan.id})


def notify_run(
    project: Project, run_summary: Mapping[str, Any], report_path: str | Path | None = None,
    *, operator: str | None = None,
) -> list[DeliveryResult]:
    """Tell those concerned how a run went (the report attached when given)."""
    path = Path(report_path) if report_path else None
    attachments = (path,) if path and path.is_file() else ()
    return _announce(project, "run", lambda: run_message(run_summary, path),
                     run_id=run_summary.get("run_id"), operator=operator, attachments=attachments,
                     process=int(run_summary.get("process") or NOTIFY_PROCESS),
                     data={"plan": run_summary["plan_id"]} if run_summary.get("plan_id") else None)
