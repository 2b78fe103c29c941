"""Step 4 end to end: `ictops plan`, `approve` and `run` announce themselves over real SMTP, a
webhook and a file outbox on loopback, every notification is in the trail, the trail's head
goes to syslog, and a kept notification is a witness that catches a shortened trail.

Own district: one server on 127.N.46.1; receivers on 127.N.47.1 (tests/net.py).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ictops.audit.witness import read_witness
from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

from .conftest import LOOPBACK, SMTP_PASSWORD, free_port

pytestmark = pytest.mark.lab

TEAM = """\
office: สำนักงานเขตพื้นที่การศึกษาทดสอบ
appointment: {number: "ที่ 1/2568", date: 2024-10-01, signed_by: director}
members:
  - {name: Tester, username: tester}
approvers:
  - {name: นายวิเชียร ศรีสุวรรณ, position: ผู้อำนวยการ, username: wichian}
"""
CHANGE = """\
name: Write a marker file
process: 2
hosts: srv-1
steps:
  - name: Write the marker
    step: 5
    cmd: {{command: "echo applied >> {marker}", sudo: true}}
  - name: Tell those concerned
    step: 4
    notify: {{only_on: always}}
"""
NOTIFY = """\
witness:
  syslog: {syslog}
channels:
  mail:
    type: email
    host: {host}
    port: {smtp}
    security: none
    from: ictops@esa.example
    to: [it-team@esa.example]
    username: ictops
    password: {{env: TEST_SMTP_PASSWORD}}
  hook:
    type: webhook
    url: {hook}/hooks/ictops
  outbox:
    type: file
    directory: state/outbox
  dead:
    type: webhook
    url: http://{host}:{dead}/nobody
    timeout: 3
"""


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    root = tmp_path_factory.mktemp("notify-e2e")
    project = make_project(root, servers=[f"{LAB}.46.1"], cisco=[], huawei=[])
    (root / "inventory" / "team.yaml").write_text(TEAM)
    (root / "playbooks").mkdir()
    marker = root / "marker.txt"
    (root / "playbooks" / "change.yaml").write_text(CHANGE.format(marker=marker))
    d = start_district(project)
    try:
        yield d
    finally:
        stop_district(d)


def _ictops(d, *args: str):
    env = dict(os.environ, ICTOPS_PROJECT=str(d.project.root), COLUMNS="200",
               ICTOPS_OPERATOR="tester", TEST_SMTP_PASSWORD=SMTP_PASSWORD)
    return subprocess.run([sys.executable, "-m", "ictops", *args], capture_output=True, text=True,
                          env=env, timeout=180, stdin=subprocess.DEVNULL, check=False)


def _trail(d) -> list[dict]:
    path = d.project.state_dir / "audit" / "trail.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_plan_approve_run_are_announced_recorded_and_witnessed(
    district, smtp_server, webhook_server, syslog_server
) -> None:
    port, inbox = smtp_server
    url, received = webhook_server
    (district.project.inventory_dir / "notify.yaml").write_text(NOTIFY.format(
        syslog=syslog_server.udp_url, host=LOOPBACK, smtp=port, hook=url, dead=free_port()))

    plan = _ictops(district, "plan", "playbooks/change.yaml")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "int() argument" not in plan.stderr and "not sent" not in plan.stderr
    assert "plan notification via dead failed: cannot reach" in plan.stderr  # said, and recorded
    plan_id = plan.stdout.strip().splitlines()[-1]
    approve = _ictops(district, "approve", plan_id, "--by", "wichian", "--order", "ที่ 9/2570")
    assert approve.returncode == 0, approve.stdout + approve.stderr
    run = _ictops(district, "run", "playbooks/change.yaml", "--plan", plan_id)
    assert run.returncode == 1, run.stdout + run.stderr  # the dead channel fails the notify step

    # what those concerned received: plan, approval, results, in Thai, each with the trail head
    mails = [email.message_from_bytes(m.original_content, policy=email.policy.default)
             for m in inbox.messages]
    subjects = [m["Subject"] for m in mails]
    assert len(subjects) == 3, subjects
    assert "แผนงาน playbooks/change.yaml รอการอนุมัติ" in subjects[0]
    assert "อนุมัติแผนงาน playbooks/change.yaml แล้ว" in subjects[1]
    assert "ผลการดำเนินงาน playbooks/change.yaml" in subjects[2]
    bodies = [m.get_body(("plain",)).get_content() for m in mails]
    assert "- srv-1: Write the marker (ตรวจล่วงหน้าไม่ได้ว่าจะเปลี่ยนหรือไม่)" in bodies[0]
    assert "ได้รับอนุมัติโดย นายวิเชียร ศรีสุวรรณ (ผู้อำนวยการ) ตามคำสั่ง/หนังสือ ที่ 9/2570" in bodies[1]
    assert all("ictops trail head: seq " in b for b in bodies)
    assert [r["body"]["subject"] for r in received] == subjects
    assert len(list((district.project.state_dir / "outbox").glob("*.eml"))) == 3

    # the trail: one event per channel per notification, sent or failed with the reason
    events = [r for r in _trail(district) if r["action"].startswith("notify.")]
    got = sorted((r["action"], r["data"]["channel"], r["status"]) for r in events)
    assert got == sorted(
        (f"notify.{what}", channel, "failed" if channel == "dead" else "ok")
        for what in ("plan", "approve", "run") for channel in ("mail", "hook", "outbox", "dead"))
    dead = [r for r in events if r["status"] == "failed"]
    assert all("cannot reach" in r["data"]["reason"] for r in dead)
    assert all((r["process"], r["step"]) == (2, 4) for r in events)

    # syslog got the head after each of the three commands; the last is the trail's head now
    lines = syslog_server.wait_for(3)
    head = _ictops(district, "log", "head", "--json")
    now = json.loads(head.stdout)
    assert f"ictops trail head: seq {now['seq']} hash {now['hash']}" in lines[-1]
    assert lines[-1].startswith("<165>1 ") and " ictops " in lines[-1] and " trail-head " in lines[-1]


def test_a_kept_notification_catches_a_shortened_trail(district, tmp_path: Path) -> None:
    trail = district.project.state_dir / "audit" / "trail.jsonl"
    head_file = district.project.state_dir / "audit" / "head.json"
    assert _ictops(district, "log", "verify").returncode == 0
    (newest,) = sorted((district.project.state_dir / "outbox").glob("*.eml"))[-1:]
    kept = tmp_path / "kept.eml"
    kept.write_bytes(newest.read_bytes())  # the officer's mailbox, outside state/
    ok = _ictops(district, "log", "verify", "--witness", str(kept))
    assert ok.returncode == 0 and "witness agrees" in ok.stdout, ok.stdout + ok.stderr

    # an attacker cuts the last records and writes a head.json that matches the shorter trail
    lines = trail.read_text().splitlines(keepends=True)
    witnessed = _witness_seq(kept)
    keep = witnessed - 3
    cut = [x for x in lines if json.loads(x)["seq"] <= keep]
    trail.write_text("".join(cut))
    last = json.loads(cut[-1])
    head_file.write_text(json.dumps({"seq": last["seq"], "hash": last["hash"], "time": last["time"]}))
    alone = _ictops(district, "log", "verify")
    assert alone.returncode == 0  # what a chain alone cannot see (docs/audit-trail.md)
    assert "no witness given" in alone.stdout
    caught = _ictops(district, "log", "verify", "--witness", str(kept))
    assert caught.returncode == 1
    assert f"trail shorter than its witness: {kept} saw seq {witnessed}" in caught.stdout
    assert f"the trail ends at seq {keep}: 3 record(s) cut off the end" in caught.stdout

    # and deleting trail and head.json is no longer "no audit trail yet"
    trail.unlink()
    head_file.unlink()
    gone = _ictops(district, "log", "verify")
    assert gone.returncode == 1 and "no audit trail, but state/ holds 1 plan(s)" in gone.stdout


def _witness_seq(path: Path) -> int:
    (head,) = read_witness(path)
    return head.seq
