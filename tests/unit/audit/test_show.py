"""Reading the trail back: filters, and times shown in Asia/Bangkok."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ictops import clock
from ictops.audit.show import format_record, show
from ictops.audit.trail import AuditTrail
from ictops.errors import InputError

T0 = dt.datetime(2025, 1, 31, 16, 30, tzinfo=dt.timezone.utc)  # 23:30 in Bangkok


@pytest.fixture
def filled(trail_path: Path) -> Path:
    stamps = iter(T0 + dt.timedelta(hours=h) for h in range(6))
    with AuditTrail(trail_path, operator="root", clock=lambda: next(stamps)) as trail:
        trail.append(run_id="r1", process=2, step=5, host="sw-a", action="backup", status="ok")
        trail.append(run_id="r1", process=2, step=5, host="sw-b", action="backup", status="failed")
        trail.append(run_id="r1", process=2, step=5, host="srv-1", action="backup", status="changed")
        trail.append(run_id="r2", process=7, step=4, host="sw-a", action="audit", status="ok")
        trail.append(run_id="r2", process=7, step=4, host="srv-1", action="audit", status="failed")
        trail.append(run_id="r3", process=2, step=3, action="plan.approve", status="ok", kind="event")
    return trail_path


def _hosts(records: object) -> list[object]:
    return [r.get("host") for r in records]  # type: ignore[attr-defined]


def test_filters(filled: Path) -> None:
    assert len(list(show(filled))) == 6
    assert _hosts(show(filled, process=2, step=5)) == ["sw-a", "sw-b", "srv-1"]
    assert _hosts(show(filled, host="sw-*")) == ["sw-a", "sw-b", "sw-a"]
    assert _hosts(show(filled, status=["failed"])) == ["sw-b", "srv-1"]
    assert _hosts(show(filled, run="r2", status="ok")) == ["sw-a"]
    assert [r["action"] for r in show(filled, kind="event")] == ["plan.approve"]


def test_time_filters_are_thai_time(filled: Path) -> None:
    # 2025-01-31 in Bangkok ends at 16:59:59 UTC: only the first record
    assert _hosts(show(filled, until="2025-01-31")) == ["sw-a"]
    # records at 03:30 and 04:30 ICT (20:30 and 21:30 UTC)
    assert _hosts(show(filled, since="2025-02-01T03:00")) == ["srv-1", None]
    assert len(list(show(filled, since=dt.date(2025, 2, 1)))) == 5


def test_buddhist_era_years_filter_like_common_era(filled: Path) -> None:
    # 2568 B.E. is 2025 C.E.: a Thai officer's date finds the same records
    assert _hosts(show(filled, until="2568-01-31")) == ["sw-a"]
    assert _hosts(show(filled, since="2568-02-01T03:00")) == ["srv-1", None]
    assert len(list(show(filled, since="2568-02-01"))) == 5
    assert len(list(show(filled, since="1/2/2568"))) == 5


def test_times_are_shown_in_bangkok(filled: Path) -> None:
    first = next(show(filled))
    assert first["time"] == "2025-01-31T16:30:00.000Z"
    assert clock.local(first["time"]).isoformat() == "2025-01-31T23:30:00+07:00"
    assert format_record(first).startswith("2025-01-31 23:30:00  #1  2.5  sw-a  backup  ok  root")


def test_bad_time_filter_says_how_to_write_it(filled: Path) -> None:
    with pytest.raises(InputError, match="cannot read .yesterday. as a date; write 2569-12-01"):
        list(show(filled, since="yesterday"))
