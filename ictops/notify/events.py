"""Step 4 of the work manual: notify those concerned of a plan and of a run's results.

``notify_plan`` and ``notify_run`` build a Thai message (English below it), send it over
every channel of ``inventory/notify.yaml`` (no file: nothing is sent, not an error) and
write one audit event per channel result (process 2 step 4 by default).

The summaries are plain mappings, so any caller can build them:

- plan: ``plan_id``, ``playbook``, ``hosts`` (selected), ``changes`` (hosts that would
  change), optional ``by_host`` {host: one-line change}, ``run_id``;
- run: ``run_id``, ``playbook`` (or verb), ``totals`` {status: count}, optional
  ``failures`` [{host, action, status, reason}], ``seconds``, ``plan_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ictops.notify.notifier import DeliveryResult, Notifier
from ictops.project import Project
from ictops.report.i18n import status_label
from ictops.results import Status

NOTIFY_FILE = "notify.yaml"
NOTIFY_PROCESS, NOTIFY_STEP = 2, 4  # process 2 step 4: notify those concerned
MAX_LISTED = 20  # hosts or failures listed in one message


def notifier_for(project: Project) -> Notifier | None:
    """The project's notifier, or None when inventory/notify.yaml does not exist."""
    path = project.inventory_dir / NOTIFY_FILE
    return Notifier.from_file(path, project.root) if path.exists() else None


def _counts_line(totals: Mapping[str, int], lang: str) -> str:
    return ", ".join(
        f"{status_label(lang, s.value)} {int(totals.get(s.value, 0))}" for s in Status
    )


def plan_message(plan: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, text) of a plan notification."""
    pid, book = plan.get("plan_id", "?"), plan.get("playbook", "?")
    hosts, changes = int(plan.get("hosts", 0)), int(plan.get("changes", 0))
    by_host: Mapping[str, str] = plan.get("by_host") or {}
    lines = [f"- {h}: {what}" for h, what in list(by_host.items())[:MAX_LISTED]]
    if len(by_host) > MAX_LISTED:
        lines.append(f"- ... (+{len(by_host) - MAX_LISTED})")
    subject = f"[ictops] แผนงาน {book} รอการอนุมัติ ({pid}) / plan awaiting approval"
    text = "\n".join([
        f"แผนงาน {pid} ของ {book} จัดทำแล้ว (กระบวนการที่ 2 ขั้นตอนที่ 2 วางแผน)",
        f"จะมีการเปลี่ยนแปลง {changes} เครื่อง จากที่เลือกไว้ {hosts} เครื่อง",
        *lines,
        f"ผู้อนุมัติ: ictops approve {pid} --by ชื่อผู้อนุมัติ",
        "",
        "----",
        f"Plan {pid} of {book} was made (process 2 step 2, plan).",
        f"{changes} of {hosts} selected host(s) would change.",
        f"To approve: ictops approve {pid} --by NAME",
    ])
    return subject, text


def run_message(run: Mapping[str, Any], report_path: Path | None = None) -> tuple[str, str]:
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
    subject = f"[ictops] ผลการดำเนินงาน {book}: {verdict_th} / {verdict_en} ({rid})"
    text = "\n".join([
        f"ผลการดำเนินงาน {book} รอบ {rid}{took}",
        f"ผลรวม: {_counts_line(totals, 'th')}",
        *(["รายการที่ไม่สำเร็จ:", *listed] if listed else []),
        *report_th,
        "",
        "----",
        f"Results of {book}, run {rid}: {verdict_en}.",
        f"Totals: {_counts_line(totals, 'en')}",
        *report_en,
    ])
    return subject, text


def _send(
    project: Project, subject: str, text: str, *, run_id: str | None, operator: str | None,
    what: str, attachments: tuple[Path, ...] = (),
    process: int = NOTIFY_PROCESS, step: int = NOTIFY_STEP,
) -> list[DeliveryResult]:
    notifier = notifier_for(project)
    if notifier is None:
        return []
    from ictops.audit import current_operator
    from ictops.audit.recorder import open_trail

    results = notifier.send(subject, text, attachments=attachments)
    operator = operator or current_operator()
    with open_trail(project, run_id, operator) as trail:
        for r in results:
            summary = (f"{what} notification sent via {r.channel} ({r.type})" if r.ok
                       else f"{what} notification via {r.channel} ({r.type}) failed: {r.error}")
            trail.append(
                kind="event", action=f"notify.{what}", status="ok" if r.ok else "failed",
                process=process, step=step, summary=summary,
                data={"channel": r.channel, "type": r.type},
            )
    return results


def notify_plan(
    project: Project, plan_summary: Mapping[str, Any], *, operator: str | None = None,
) -> list[DeliveryResult]:
    """Tell those concerned that a plan awaits approval; one result per channel."""
    subject, text = plan_message(plan_summary)
    return _send(project, subject, text, run_id=plan_summary.get("run_id"), operator=operator,
                 what="plan")


def notify_run(
    project: Project, run_summary: Mapping[str, Any], report_path: str | Path | None = None,
    *, operator: str | None = None,
) -> list[DeliveryResult]:
    """Tell those concerned how a run went (the report attached when given)."""
    path = Path(report_path) if report_path else None
    subject, text = run_message(run_summary, path)
    attachments = (path,) if path and path.is_file() else ()
    return _send(project, subject, text, run_id=run_summary.get("run_id"), operator=operator,
                 what="run", attachments=attachments)
