"""notify_plan / notify_run: Thai then English, the file channel, one trail event per channel."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest

from ictops.audit.recorder import open_trail, trail_path
from ictops.audit.witness import trail_head
from ictops.notify import NotifyConfigError
from ictops.notify.events import notify_approval, notify_plan, notify_run, run_message
from ictops.playbook.plans import Approval, Plan
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


def _plan(**kw) -> Plan:
    hosts = {
        "srv-1": [{"step": 5, "name": "Patch", "action": "cmd", "status": "changed",
                   "message": "3 packages"}],
        "srv-2": [{"step": 5, "name": "Patch", "action": "cmd", "status": "ok", "message": "none"}],
    }
    fields = dict(id="plan-R7", playbook="playbooks/patch.yaml", name="Patch", process=2, limit=None,
                  files={}, inventory={}, planned_by="somchai", planned_at="2026-11-30T21:59:00Z",
                  hosts=hosts, would_change=1)
    return Plan(**{**fields, **kw})


def test_plan_notification_lists_what_would_change_and_the_trail_head(tmp_path: Path) -> None:
    project = _project(tmp_path, "channels:\n  o: {type: file, format: txt}\n")
    with open_trail(project, "R0", "somchai") as trail:
        trail.append(action="backup", status="ok", host="sw-1")
    head = trail_head(trail_path(project))
    results = notify_plan(project, _plan(), operator="somchai")
    assert [r.ok for r in results] == [True]
    (txt,) = (tmp_path / "state" / "outbox").glob("*.txt")
    text = txt.read_text()
    assert "ictops approve plan-R7" in text and "- srv-1: Patch: 3 packages" in text
    assert "จะมีการเปลี่ยนแปลง 1 เครื่อง จากที่เลือกไว้ 2 เครื่อง" in text and "srv-2" not in text
    assert text.rstrip().splitlines()[-2] == head.line()  # the witness, seq 1
    rec = json.loads(trail_path(project).read_text().splitlines()[-1])
    assert (rec["action"], rec["status"], rec["run_id"], rec["process"], rec["step"]) == (
        "notify.plan", "ok", "R7", 2, 4)
    assert rec["data"] == {"channel": "o", "type": "file", "plan": "plan-R7",
                           "witness_seq": 1, "witness_hash": head.hash}


def test_approval_notification(tmp_path: Path) -> None:
    project = _project(tmp_path, "channels:\n  o: {type: file, format: txt}\n")
    plan = _plan(approval=Approval(by="นายวิเชียร", position="ผู้อำนวยการ", at="2026-12-01T02:00:00Z",
                                   order="ที่ 12/2570"))
    assert [r.ok for r in notify_approval(project, plan)] == [True]
    (txt,) = (tmp_path / "state" / "outbox").glob("*.txt")
    text = txt.read_text()
    assert "อนุมัติแผนงาน playbooks/patch.yaml แล้ว" in text
    assert "ได้รับอนุมัติโดย นายวิเชียร (ผู้อำนวยการ) ตามคำสั่ง/หนังสือ ที่ 12/2570" in text
    assert "เมื่อ 1 ธ.ค. 2569 09:00 น." in text and "ictops run playbooks/patch.yaml --plan plan-R7" in text


def test_a_message_that_cannot_be_built_is_recorded_as_failed(tmp_path: Path) -> None:
    project = _project(tmp_path, "channels:\n  o: {type: file, format: txt}\n")
    results = notify_approval(project, _plan())  # not approved: the message cannot say by whom
    assert [(r.ok, r.channel) for r in results] == [(False, "-")]
    assert "message not built: ValueError: plan plan-R7 is not approved" in results[0].error
    (rec,) = [json.loads(x) for x in trail_path(project).read_text().splitlines()]
    assert (rec["action"], rec["status"]) == ("notify.approve", "failed")
    assert "not approved" in rec["data"]["reason"] and not (tmp_path / "state" / "outbox").exists()


def test_a_broken_notify_file_is_recorded_then_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, "channels:\n  o: {type: fax}\n")
    with pytest.raises(NotifyConfigError, match="unknown type 'fax'"):
        notify_plan(project, _plan())
    (rec,) = [json.loads(x) for x in trail_path(project).read_text().splitlines()]
    assert (rec["action"], rec["status"]) == ("notify.plan", "failed")
    assert "unknown type 'fax'" in rec["summary"]


def test_all_succeeded_wording() -> None:
    subject, _text = run_message({"run_id": "R", "playbook": "backup", "totals": {"ok": 2}})
    assert "สำเร็จทั้งหมด" in subject and "all succeeded" in subject


def test_a_switch_not_rolled_back_heads_the_message() -> None:
    failures = [
        {"host": "sw-1", "action": "switch_config", "status": "failed", "reason": "refused",
         "kind": "command_failed"},
        {"host": "sw-2", "action": "switch_config", "status": "failed",
         "reason": "NOT ROLLED BACK: ...", "kind": "rollback_failed"},
    ]
    subject, text = run_message({"run_id": "R", "playbook": "p", "totals": {"failed": 2},
                                 "failures": failures})
    assert subject.startswith("[ictops] !!! ย้อนกลับไม่สำเร็จ / NOT ROLLED BACK: sw-2 - ")
    assert text.splitlines()[0].startswith("!!! ย้อนกลับไม่สำเร็จ: sw-2 อาจถูกเปลี่ยนค่าตั้ง")
    assert "!!! NOT ROLLED BACK: sw-2 may be half-changed" in text
    quiet, _ = run_message({"run_id": "R", "playbook": "p", "totals": {"failed": 1},
                            "failures": failures[:1]})
    assert "!!!" not in quiet
