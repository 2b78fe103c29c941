"""notify_plan / notify_run: Thai then English, the file channel, one trail event per channel."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

from ictops.audit.recorder import trail_path
from ictops.notify.events import notify_plan, notify_run, run_message
from ictops.project import Project

NOTIFY = """
channels:
  outbox: {type: file, directory: state/outbox, format: eml, to: [it@example.go.th]}
  notes: {type: file, directory: state/notes, format: txt}
  broken: {type: webhook, url: "http://127.0.22.2:9/hook", timeout: 2}
"""


def _project(tmp_path: Path, notify: str | None) -> Project:
    (tmp_path / "inventory").mkdir()
    if notify is not None:
        (tmp_path / "inventory" / "notify.yaml").write_text(notify)
    return Project.at(tmp_path)


def test_no_notify_file_sends_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path, None)
    assert notify_run(project, {"run_id": "R", "playbook": "nightly", "totals": {"ok": 1}}) == []
    assert not trail_path(project).exists()


def test_run_notification_on_every_channel_and_in_the_trail(tmp_path: Path) -> None:
    project = _project(tmp_path, NOTIFY)
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 test")
    run = {
        "run_id": "R9", "playbook": "nightly", "totals": {"ok": 3, "unreachable": 1},
        "failures": [{"host": "sw-1", "action": "backup", "status": "unreachable", "reason": "timeout"}],
    }
    results = notify_run(project, run, report, operator="somchai")
    assert [(r.channel, r.ok) for r in results] == [("outbox", True), ("notes", True), ("broken", False)]
    (eml,) = (tmp_path / "state" / "outbox").glob("*.eml")
    mail = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert "ผลการดำเนินงาน nightly" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert body.index("ติดต่อไม่ได้") < body.index("Results of nightly")  # Thai first, English below
    assert [p.get_filename() for p in mail.iter_attachments()] == ["report.pdf"]
    (txt,) = (tmp_path / "state" / "notes").glob("*.txt")
    assert "sw-1" in txt.read_text()
    recs = [json.loads(x) for x in trail_path(project).read_text().splitlines()]
    assert [(r["process"], r["step"], r["kind"], r["status"]) for r in recs] == [
        (2, 4, "event", "ok"), (2, 4, "event", "ok"), (2, 4, "event", "failed")]
    assert all(r["run_id"] == "R9" and r["operator"] == "somchai" for r in recs)


def test_plan_notification(tmp_path: Path) -> None:
    project = _project(tmp_path, "channels:\n  o: {type: file, format: txt}\n")
    results = notify_plan(project, {"plan_id": "P1", "playbook": "patch", "hosts": 5, "changes": 2,
                                    "by_host": {"srv-1": "3 packages"}})
    assert [r.ok for r in results] == [True]
    (txt,) = (tmp_path / "state" / "outbox").glob("*.txt")
    text = txt.read_text()
    assert "ictops approve P1" in text and "srv-1: 3 packages" in text and "รอการอนุมัติ" in text


def test_all_succeeded_wording() -> None:
    subject, _text = run_message({"run_id": "R", "playbook": "backup", "totals": {"ok": 2}})
    assert "สำเร็จทั้งหมด" in subject and "all succeeded" in subject
