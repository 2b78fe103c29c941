"""Notifications delivered to receivers started on loopback: SMTP (aiosmtpd) and HTTP webhooks."""

from __future__ import annotations

import email
import email.policy
import logging
from pathlib import Path
from typing import Any

import pytest

from ictops.notify import Notifier

from .conftest import LOOPBACK, SMTP_PASSWORD, Inbox, free_port

SUBJECT = "แจ้งผลการสำรองข้อมูลประจำคืน สพป.ตัวอย่าง เขต 1"
TEXT = "ดำเนินงานเสร็จสิ้น: สำเร็จ 25 รายการ ไม่สำเร็จ 1 รายการ (sw-ban-nong-1 ติดต่อไม่ได้)"
BOT_TOKEN = "123456:TOKEN-abcdef"
LINE_TOKEN = "line-Token-99"


def _project(tmp_path: Path, yaml_text: str) -> Path:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "notify.yaml").write_text(yaml_text, encoding="utf-8")
    return tmp_path / "inventory" / "notify.yaml"


def test_email_and_webhook_deliver_thai(
    tmp_path: Path,
    smtp_server: tuple[int, Inbox],
    webhook_server: tuple[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port, inbox = smtp_server
    url, received = webhook_server
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    notify_file = _project(
        tmp_path,
        f"""
channels:
  mail:
    type: email
    host: {LOOPBACK}
    port: {port}
    security: none
    from: ictops@esa.example
    to: [it-team@esa.example, director@esa.example]
    username: ictops
    password: {{env: TEST_SMTP_PASSWORD}}
  hook:
    type: webhook
    url: {url}/hooks/ictops
    headers: {{X-Office: esa1}}
""",
    )
    attachment = tmp_path / "รายงาน.pdf"
    attachment.write_bytes(b"%PDF-1.4 test")
    caplog.set_level(logging.DEBUG)
    notifier = Notifier.from_file(notify_file, tmp_path)
    results = notifier.send(SUBJECT, TEXT, html=f"<p>{TEXT}</p>", attachments=[attachment])

    assert [(r.channel, r.ok, r.error) for r in results] == [("mail", True, ""), ("hook", True, "")]
    assert inbox.logins == [("ictops", SMTP_PASSWORD)]
    (envelope,) = inbox.messages
    assert envelope.rcpt_tos == ["it-team@esa.example", "director@esa.example"]
    raw = envelope.original_content
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]  # Thai subject RFC 2047-encoded
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == SUBJECT
    assert TEXT in mail.get_body(("plain",)).get_content()
    assert TEXT in mail.get_body(("html",)).get_content()
    (att,) = list(mail.iter_attachments())
    assert att.get_filename() == "รายงาน.pdf" and att.get_content() == b"%PDF-1.4 test"

    (hook,) = received
    assert hook["path"] == "/hooks/ictops"
    assert hook["headers"]["X-Office"] == "esa1"
    assert hook["body"] == {"subject": SUBJECT, "text": TEXT}
    assert SMTP_PASSWORD not in caplog.text


def test_dead_channel_fails_alone(
    tmp_path: Path, webhook_server: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook_server
    dead_smtp, dead_http = free_port(), free_port()  # nothing listens there
    notify_file = _project(
        tmp_path,
        f"""
channels:
  dead-mail:
    type: email
    host: {LOOPBACK}
    port: {dead_smtp}
    security: none
    from: ictops@esa.example
    to: [it-team@esa.example]
    timeout: 5
  dead-hook:
    type: webhook
    url: http://{LOOPBACK}:{dead_http}/x
    timeout: 5
  live-hook:
    type: webhook
    url: {url}/live
    body: {{msg: "{{subject}} | {{text}}", tags: [ictops]}}
""",
    )
    results = Notifier.from_file(notify_file, tmp_path).send(SUBJECT, TEXT)
    by_name = {r.channel: r for r in results}
    assert not by_name["dead-mail"].ok and "cannot reach SMTP server" in by_name["dead-mail"].error
    assert not by_name["dead-hook"].ok and "cannot reach" in by_name["dead-hook"].error
    assert by_name["live-hook"].ok
    (hook,) = received
    assert hook["body"] == {"msg": f"{SUBJECT} | {TEXT}", "tags": ["ictops"]}


def test_telegram_and_line_presets(
    tmp_path: Path,
    webhook_server: tuple[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, received = webhook_server
    monkeypatch.setenv("TEST_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TEST_LINE_TOKEN", LINE_TOKEN)
    notify_file = _project(
        tmp_path,
        f"""
channels:
  tg:
    type: telegram
    bot_token: {{env: TEST_BOT_TOKEN}}
    chat_id: "-100123"
    api_url: {url}/tg
  tg-refused:
    type: telegram
    bot_token: {{env: TEST_BOT_TOKEN}}
    chat_id: 42
    api_url: {url}/fail
  line:
    type: line
    channel_access_token: {{env: TEST_LINE_TOKEN}}
    to: U1234
    api_url: {url}/v2/bot/message/push
  no-secret:
    type: line
    channel_access_token: {{env: TEST_UNSET_TOKEN}}
    to: U1234
    api_url: {url}/v2/bot/message/push
""",
    )
    monkeypatch.delenv("TEST_UNSET_TOKEN", raising=False)
    results = {r.channel: r for r in Notifier.from_file(notify_file, tmp_path).send(SUBJECT, TEXT)}
    assert results["tg"].ok and results["line"].ok
    assert not results["tg-refused"].ok and "HTTP 401" in results["tg-refused"].error
    assert BOT_TOKEN not in results["tg-refused"].error  # echoed by the server, masked by us
    assert not results["no-secret"].ok and "TEST_UNSET_TOKEN" in results["no-secret"].error

    by_path = {r["path"]: r for r in received}
    tg = by_path[f"/tg/bot{BOT_TOKEN}/sendMessage"]
    assert tg["body"]["chat_id"] == "-100123" and tg["body"]["text"] == f"{SUBJECT}\n\n{TEXT}"
    line = by_path["/v2/bot/message/push"]
    assert line["headers"]["Authorization"] == f"Bearer {LINE_TOKEN}"
    assert line["body"] == {
        "to": "U1234",
        "messages": [{"type": "text", "text": f"{SUBJECT}\n\n{TEXT}"}],
    }


def test_trail_head_to_syslog_over_tcp_and_udp(tmp_path: Path, syslog_server) -> None:
    from ictops.audit.trail import AuditTrail
    from ictops.audit.witness import trail_head
    from ictops.notify.witness import announce_head
    from ictops.project import Project

    project_file = _project(tmp_path, f"witness:\n  syslog: {syslog_server.tcp_url}\nchannels: {{}}\n")
    project = Project.at(project_file.parent.parent)
    assert announce_head(project, None) is None and syslog_server.lines == []  # no trail: nothing
    with AuditTrail.in_state(project.state_dir) as trail:
        trail.append(action="cmd", status="ok")
    head = trail_head(project.state_dir / "audit" / "trail.jsonl")
    assert announce_head(project, head) is None and syslog_server.lines == []  # it did not move
    assert announce_head(project, None) is None
    (line,) = syslog_server.wait_for(1)
    assert line.endswith(f"{head.line()} project={project.root}")
    project_file.write_text(f"witness:\n  syslog: {syslog_server.udp_url}\nchannels: {{}}\n")
    assert announce_head(project, None) is None
    assert syslog_server.wait_for(2)[1].endswith(f"{head.line()} project={project.root}")
    # a syslog server that is not there: a warning to show, never an exception
    project_file.write_text(f"witness:\n  syslog: tcp://{LOOPBACK}:{free_port()}\n  timeout: 2\n"
                            "channels: {}\n")
    warning = announce_head(project, None)
    assert warning and warning.startswith(f"trail head (seq 1) not sent: syslog tcp://{LOOPBACK}:")
