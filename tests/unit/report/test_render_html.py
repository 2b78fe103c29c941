"""The HTML report: strings from i18n, autoescaping, both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ictops.report.fonts import ThaiFont
from ictops.report.model import ReportData, Signer
from ictops.report.render import render_html
from ictops.report.sample import sample_records, sample_report

FAKE_FONT = ThaiFont("Laksaman", Path("/nonexistent/Laksaman.ttf"), None)


def test_thai_html_has_sections_and_be_dates() -> None:
    html = render_html(sample_report(), "th", font=FAKE_FONT)
    assert '<html lang="th">' in html
    for text in (
        "สรุปผลการดำเนินงานบำรุงรักษาระบบเทคโนโลยีสารสนเทศ",
        "ปีงบประมาณ 2570",
        "19 พฤศจิกายน 2569",
        "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา",
        "ผู้รายงาน",
        "counter(pages)",
        "file:///nonexistent/Laksaman.ttf",
        "<svg",
    ):
        assert text in html


def test_english_variant() -> None:
    html = render_html(sample_report(), "en", font=FAKE_FONT)
    assert '<html lang="en">' in html
    assert "IT Systems Maintenance Summary Report" in html
    assert "Fiscal year 2027" in html


def test_thai_numerals_option() -> None:
    html = render_html(sample_report(), "th", font=FAKE_FONT, thai_numerals=True)
    assert "ปีงบประมาณ ๒๕๗๐" in html


def test_autoescape() -> None:
    records = sample_records()
    records[0] = {**records[0], "status": "failed", "summary": "<script>alert(1)</script>"}
    html = render_html(ReportData.from_records(records), "th", font=FAKE_FONT)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="th, en"):
        render_html(sample_report(), "fr", font=FAKE_FONT)


def test_the_director_reads_thai_names_grouped_failures_and_steps_as_words() -> None:
    records = sample_records()
    extra = {"time": "2026-11-20T19:30:00Z", "run_id": "R9", "operator": "somchai", "host": "-",
             "status": "ok", "summary": ""}
    records += [
        {**extra, "process": 2, "step": 2, "action": "plan.make"},
        {**extra, "process": 2, "step": 5, "action": "playbook.end"},
        {**extra, "process": 6, "step": 5, "host": "sw-ban-nong-1", "action": "cmd",
         "status": "failed", "error_kind": "command_failed",
         "summary": "Paramiko: 'No existing session'"},
    ]
    data = ReportData.from_records(records, director=Signer("นายวิเชียร ศรีสุวรรณ", "ผู้อำนวยการ สพท.ทดสอบ"))
    html = render_html(data, "th", font=FAKE_FONT)
    body, _, appendix = html.partition("ภาคผนวก: ข้อความจากระบบของรายการที่ไม่สำเร็จ")
    assert appendix, "the raw messages have an appendix"
    for internal in ("plan.make", "playbook.end", ">backup<", ">cmd<"):
        assert internal not in html, internal
    assert "จัดทำแผนการเปลี่ยนแปลง" in body and "สำรองค่าตั้งของเครื่อง" in body
    assert "กระบวนการที่ 6 ขั้นตอนที่ 5" in body and not re.search(r"กระบวนการ \d+\.\d+", html)
    # failures grouped by kind, explained in Thai with what to do; English text only in the appendix
    assert "เครื่องปฏิเสธคำสั่งหรือคำสั่งทำงานไม่สำเร็จ" in body and "สิ่งที่ควรทำ" in body
    assert "ตรวจว่าเครื่องเปิดอยู่และต่อเครือข่ายได้" in body
    assert "No existing session" not in body and "No existing session" in appendix
    assert "connect timeout" not in body and "connect timeout" in appendix
    # the signature block closes the report with the conclusion, the director named
    closing = body[body.index('<div class="closing">'):]
    assert "สรุปและข้อเสนอ" in closing and "(นายวิเชียร ศรีสุวรรณ)" in closing
    assert "ผู้อำนวยการ สพท.ทดสอบ" in closing


def test_partial_audits_are_named_as_the_source_of_scores() -> None:
    html = render_html(sample_report(), "th", font=FAKE_FONT)
    assert "ที่มาของคะแนน" in html
    assert "ชุดกฎ th-baseline ครบทุกกฎ (5 กฎ) จากข้อมูลสำรอง, 3 เครื่อง" in html
    assert "ชุดกฎ th-baseline เฉพาะกฎ NET-MGMT-05 จากข้อมูลสำรอง, 1 เครื่อง" in html
    assert "<td>1, 2</td>" in html  # sw-esa-core: from audits 1 and 2


def test_every_action_name_the_code_writes_has_a_name_for_the_director() -> None:
    from ictops.report.wording import ACTIONS, BOOKKEEPING, action_name

    written = ["backup", "backup restore", "backup.recover", "audit", "audit.files", "cmd",
               "switch_config",
               "hostkeys trust", "hostkeys forget", "plan.make", "plan.approve", "notify",
               "notify.plan", "notify.approve", "notify.run", "report", "report.write",
               "audit.prune", "audit.recover", "audit.key_on"]
    for name in written:
        assert name.replace(" ", ".") in ACTIONS, name
        assert action_name(name, "th") != "งานอื่น ๆ" and "." not in action_name(name, "th")
    assert {"playbook.start", "playbook.end", "backup.commit"} <= BOOKKEEPING
    assert action_name("notify.sms", "th") == "แจ้งผู้เกี่ยวข้อง"  # a new one: its family


def test_a_switch_left_half_changed_is_said_with_what_to_do() -> None:
    records = sample_records() + [
        {"time": "2026-11-20T19:30:00Z", "run_id": "R9", "operator": "somchai", "process": 2,
         "step": 5, "host": "sw-ban-nong-1", "action": "switch_config", "status": "failed",
         "error_kind": "rollback_failed", "summary": "NOT ROLLED BACK: connection lost"}]
    body = render_html(ReportData.from_records(records), "th", font=FAKE_FONT).partition(
        "ภาคผนวก: ข้อความจากระบบของรายการที่ไม่สำเร็จ")[0]
    assert "เปลี่ยนค่าตั้งสวิตช์ไม่สำเร็จและย้อนกลับไม่ได้" in body
    assert "ตรวจสวิตช์นั้นทันที" in body and "เปลี่ยนค่าตั้งของสวิตช์" in body
