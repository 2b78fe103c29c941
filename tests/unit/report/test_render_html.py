"""The HTML report: strings from i18n, autoescaping, both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.report.fonts import ThaiFont
from ictops.report.model import ReportData
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
