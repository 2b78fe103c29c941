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


def test_sample_scores_keep_what_a_partial_audit_did_not_check() -> None:
    data = sample_report()
    core = next(h for h in data.compliance if h.host == "sw-esa-core")
    # the full audit passed all 4 rules; the partial one failed NET-MGMT-05 only
    assert core.score == 75.0 and [a.run_id for a in core.audits] == ["audit-2", "audit-3"]
    assert data.scores is not None and data.scores.fleet == 68.3


def test_backup_age_last_failure_and_unsaved_flag() -> None:
    now = datetime(2026, 11, 21, 0, 0, tzinfo=timezone.utc)
    data = ReportData.from_records(
        [],
        backups=[
            {"host": "sw1", "last_good": "2026-11-20T00:00:00Z", "running_equals_startup": False},
            {"host": "sw2", "last_good": "2026-11-10T00:00:00Z",
             "last_failure_at": "2026-11-20T00:00:00Z"},
            {"host": "srv", "last_good": None},
        ],
        now=now,
    )
    srv, sw1, sw2 = data.backups
    assert srv.last_good is None and srv.stale and not srv.failing
    assert sw1.age_days == 1.0 and sw1.unsaved_changes is True and not sw1.stale
    assert sw2.stale and sw2.failing


def test_run_level_records_are_no_host_and_bookkeeping_is_no_work() -> None:
    rec = {"time": "2026-11-20T19:00:00Z", "run_id": "R", "process": 2, "step": 5, "status": "ok"}
    data = ReportData.from_records([
        {**rec, "host": "-", "action": "playbook.start"},
        {**rec, "host": "sw-1", "action": "backup"},
        {**rec, "host": "sw-2", "action": "backup", "status": "unreachable"},
        {**rec, "host": "-", "action": "notify", "step": 4},
        {**rec, "host": None, "action": "plan.make", "step": 2},
        {**rec, "host": "-", "action": "playbook.end"},
    ])
    assert data.host_count == 2  # not 3: "-" is the run, not a host
    assert data.totals.total == 4  # playbook.start/end are not work
    assert [(s.step, s.hosts, s.actions) for s in data.steps] == [
        (2, 0, ("plan.make",)), (4, 0, ("notify",)), (5, 2, ("backup",))]
    (group,) = data.failure_groups
    assert (group.kind, group.count, group.hosts, group.places) == ("unreachable", 1, ("sw-2",), ((2, 5),))


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
