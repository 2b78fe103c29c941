"""ReportData built from plain audit records, compliance, backup and patch data."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from ictops.errors import InputError
from ictops.report.model import ReportData
from ictops.report.render import sparkline_svg
from ictops.report.sample import SAMPLE_FAILURE_REASON, sample_report


def test_sample_report_counts() -> None:
    data = sample_report()
    assert data.totals.total == 30
    assert data.totals.unreachable == 1
    assert data.totals.failed == 3
    assert len(data.runs) == 3
    assert [(s.process, s.step) for s in data.steps] == [(2, 5), (4, 3)]
    assert data.steps[0].process_name.startswith("ติดตั้ง")
    assert any(f.reason == SAMPLE_FAILURE_REASON for f in data.failures)
    assert data.fiscal_year_be == 2570
    assert data.period_from == date(2026, 11, 19)  # 19:00 UTC is 02:00 next day in Bangkok


def test_compliance_fleet_trend_and_delta() -> None:
    data = ReportData.from_records(
        [],
        compliance={"a": [("2026-10-01", 80), ("2026-11-01", 90)], "b": [("2026-10-01", 60)]},
        now=datetime(2026, 11, 2, tzinfo=timezone.utc),
    )
    assert [c.host for c in data.compliance] == ["a", "b"]
    assert data.compliance[0].delta == 10.0
    assert data.compliance[1].delta is None
    assert data.fleet_compliance is not None
    assert data.fleet_compliance.score == 75.0
    assert data.fleet_compliance.trend == ((date(2026, 10, 1), 70.0), (date(2026, 11, 1), 90.0))


def test_backup_age_and_unsaved_flag() -> None:
    now = datetime(2026, 11, 21, 0, 0, tzinfo=timezone.utc)
    data = ReportData.from_records(
        [],
        backups=[
            {"host": "sw1", "taken_at": "2026-11-20T00:00:00Z", "running_equals_startup": False},
            {"host": "srv", "taken_at": None},
        ],
        now=now,
    )
    srv, sw1 = data.backups
    assert srv.last_good is None and srv.stale
    assert sw1.age_days == 1.0 and sw1.unsaved_changes is True and not sw1.stale


def test_bad_record_is_an_input_error() -> None:
    with pytest.raises(InputError, match="audit record 1"):
        ReportData.from_records([{"time": "yesterday", "status": "ok"}])
    with pytest.raises(InputError, match="status"):
        ReportData.from_records([{"time": "2026-01-01T00:00:00Z", "status": "great"}])


def test_sparkline_is_svg_with_fixed_scale() -> None:
    svg = str(sparkline_svg([(date(2026, 1, 1), 100.0), (date(2026, 2, 1), 0.0)], 100, 20))
    assert svg.startswith("<svg") and "polyline" in svg
    assert "3.0,3.0" in svg and "97.0,17.0" in svg
    assert str(sparkline_svg([])) == ""
