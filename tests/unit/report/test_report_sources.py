"""Backup freshness read from the backup store layout; clear errors for missing tools."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ictops.compliance.evaluate import LIVE_NEEDED
from ictops.report.fonts import FontMissingError, find_thai_font
from ictops.report.model import ReportData
from ictops.report.pdf import PdfError, render_pdf
from ictops.report.scores import compliance_scores
from ictops.report.sources import backups_from_store, patch_states


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


def test_freshness_is_the_last_successful_backup_not_the_last_change(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    core = backups / "office" / "ao-sw-core"
    core.mkdir(parents=True)
    # the config last changed at 17:09; the nightly backup at 17:19 found it unchanged
    (core / "meta.json").write_text(json.dumps({"host": "ao-sw-core", "taken_at": "2026-11-30T10:09:00Z"}))
    (tmp_path / "backups.status.json").write_text(json.dumps({
        "ao-sw-core": {"host": "ao-sw-core", "last_seen": "2026-11-30T10:19:00Z",
                       "running_equals_startup": True},
        "sw-dead": {"host": "sw-dead", "last_seen": "2026-11-01T10:00:00Z",
                    "last_failure_at": "2026-11-30T10:19:00Z", "last_failure": "timeout"},
    }))
    found = {f["host"]: f for f in backups_from_store(backups, ["ao-sw-core", "sw-dead", "sw-new"])}
    assert found["ao-sw-core"]["last_good"] == "2026-11-30T10:19:00Z"
    assert found["sw-dead"]["last_failure_at"] == "2026-11-30T10:19:00Z"
    assert found["sw-new"]["last_good"] is None  # in the inventory, never backed up
    data = ReportData.from_records([], backups=found.values(),
                                   now=datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc))
    core_row, dead, new = data.backups
    assert core_row.last_good == datetime(2026, 11, 30, 10, 19, tzinfo=timezone.utc)
    assert dead.failing and new.last_good is None and new.stale


def test_patch_states_say_unknown_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "compliance"
    folder.mkdir()
    results = {
        "srv-warn": {"status": "warn", "message": "no apt update in the last 30 days"},
        "srv-live": {"status": "error", "message": LIVE_NEEDED},
        "srv-pending": {"status": "fail", "message": "security updates are pending", "evidence": "9"},
        "srv-clean": {"status": "pass", "message": "2 test(s) passed"},
    }
    (folder / "a.json").write_text(json.dumps({"time": "2026-11-30T10:00:00Z", "hosts": {
        h: {"results": [{"rule": "LNX-PATCH-01", "severity": "high", **r}]} for h, r in results.items()}}))
    states = {p.host: p for p in patch_states(compliance_scores(tmp_path), ["srv-never", *results], "th")}
    assert (states["srv-clean"].state, states["srv-clean"].count) == ("none", 0)
    assert (states["srv-pending"].state, states["srv-pending"].count) == ("pending", 9)
    assert states["srv-warn"].state == "unknown"  # not "no pending patches"
    assert states["srv-warn"].reason.startswith("ไม่ได้ปรับปรุงระบบ (apt) มาเกิน 30 วัน")
    assert states["srv-live"].state == "unknown" and "--live-rules" in states["srv-live"].reason
    assert (states["srv-never"].state, states["srv-never"].reason) == ("unknown", "ยังไม่เคยตรวจ")
    en = {p.host: p for p in patch_states(compliance_scores(tmp_path), [], "en")}
    assert en["srv-warn"].reason.startswith("no apt update for over 30 days")


def test_an_unreadable_patch_check_is_unknown_in_thai_not_in_english(tmp_path: Path) -> None:
    folder = tmp_path / "compliance"
    folder.mkdir()
    message = "no output of 'stat -c %Y /var/log/apt/history.log' in the evidence"
    (folder / "a.json").write_text(json.dumps({"time": "2026-11-30T10:00:00Z", "hosts": {
        "srv": {"results": [{"rule": "LNX-PATCH-01", "status": "warn", "message": message}]}}}))
    (state,) = patch_states(compliance_scores(tmp_path), ["srv"], "th")
    assert state.state == "unknown" and "stat -c" not in state.reason
    assert state.reason == "ข้อมูลที่เก็บจากเครื่องไม่มีประวัติการปรับปรุงระบบที่ใช้ตรวจ"
