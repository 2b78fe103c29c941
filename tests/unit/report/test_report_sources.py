"""Backup freshness read from the backup store layout; clear errors for missing tools."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ictops.report.fonts import FontMissingError, find_thai_font
from ictops.report.model import ReportData
from ictops.report.pdf import PdfError, render_pdf
from ictops.report.sources import backups_from_store


def test_backups_from_store(tmp_path: Path) -> None:
    sw = tmp_path / "esa" / "sw-esa-core"
    sw.mkdir(parents=True)
    (sw / "meta.json").write_text(
        json.dumps(
            {
                "platform": "cisco_ios",
                "taken_at": "2026-11-20T19:00:00Z",
                "running_equals_startup": False,
            }
        )
    )
    broken = tmp_path / "_nosite" / "srv-x"
    broken.mkdir(parents=True)
    (broken / "meta.json").write_text("{not json")
    found = backups_from_store(tmp_path)
    assert [f["host"] for f in found] == ["srv-x", "sw-esa-core"]
    data = ReportData.from_records(
        [], backups=found, now=datetime(2026, 11, 21, 19, 0, tzinfo=timezone.utc)
    )
    srv, sw_fresh = data.backups
    assert srv.last_good is None
    assert sw_fresh.age_days == 1.0 and sw_fresh.unsaved_changes is True
    assert backups_from_store(tmp_path / "missing") == []


def test_missing_font_says_how_to_install() -> None:
    with pytest.raises(FontMissingError, match="apt-get install"):
        find_thai_font("NoSuchThaiFontFamily")


def test_missing_chromium_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>")
    monkeypatch.setenv("ICTOPS_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(PdfError, match="ICTOPS_CHROMIUM"):
        render_pdf(html, tmp_path / "r.pdf")
    monkeypatch.delenv("ICTOPS_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PdfError, match="apt-get install"):
        render_pdf(html, tmp_path / "r.pdf")
