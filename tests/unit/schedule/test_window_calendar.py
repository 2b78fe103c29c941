"""Maintenance windows and the school calendar, on a set clock (ICTOPS_NOW)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from ictops import clock
from ictops.clock import BANGKOK
from ictops.errors import ExitCode
from ictops.schedule.calendar import CalendarError, SchoolCalendar, load_calendar
from ictops.schedule.window import parse_window
from tests.conftest import REPO


def bkk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BANGKOK)


NIGHT = parse_window("22:00-05:00")
WEEKNIGHTS = parse_window({"hours": "22:00-05:00", "days": "mon-fri"})


@pytest.mark.parametrize("moment,inside,closes", [
    ("2026-11-30 21:59:59", False, None),
    ("2026-11-30 22:00:00", True, "2026-12-01 05:00"),
    ("2026-12-01 02:00:00", True, "2026-12-01 05:00"),
    ("2026-12-01 04:59:59", True, "2026-12-01 05:00"),
    ("2026-12-01 05:00:00", False, None),  # the end is not in the window
    ("2026-12-01 12:00:00", False, None),
])
def test_night_window(moment, inside, closes):
    assert NIGHT.contains(bkk(moment)) is inside
    end = NIGHT.closes_at(bkk(moment))
    assert (end.strftime("%Y-%m-%d %H:%M") if end else None) == closes


@pytest.mark.parametrize("moment,inside", [
    ("2026-12-04 23:00:00", True),   # Friday night: opens Friday
    ("2026-12-05 04:00:00", True),   # ... and closes Saturday 05:00
    ("2026-12-05 23:00:00", False),  # Saturday night: no window
    ("2026-12-07 01:00:00", False),  # Sunday night's small hours: opened Sunday? no
    ("2026-12-07 23:00:00", True),   # Monday night
])
def test_window_days_are_the_days_it_opens(moment, inside):
    assert WEEKNIGHTS.contains(bkk(moment)) is inside


def test_set_clock_one_minute_before_the_close(monkeypatch):
    monkeypatch.setenv("ICTOPS_NOW", "2026-12-01T04:59:00+07:00")
    now = clock.now()
    assert NIGHT.contains(now)
    assert (NIGHT.closes_at(now) - now).total_seconds() == 60
    monkeypatch.setenv("ICTOPS_NOW", "2026-12-01T05:00:00+07:00")
    assert not NIGHT.contains(clock.now())
    assert NIGHT.next_opening(clock.now()) == bkk("2026-12-01 22:00:00")


def test_window_across_no_midnight():
    day = parse_window("01:00-04:00")
    assert day.contains(bkk("2026-12-01 03:59:00")) and not day.contains(bkk("2026-12-01 04:00:00"))
    assert not day.contains(bkk("2026-11-30 23:00:00"))


@pytest.mark.parametrize("value,message", [
    ("22:00", "must be two times"),
    ("22:00-22:00", "opens and closes at the same time"),
    ("22:00-29:00", "window end '29:00' is not a time of day"),
    ({"hours": "22:00-05:00", "day": "mon"}, "a mapping takes hours"),
    ({"hours": "22:00-05:00", "days": "weekdayz"}, "'weekdayz' is not a day"),
    (2200, "must be two times"),
])
def test_bad_windows(value, message):
    with pytest.raises(ValueError, match=message):
        parse_window(value)


# -- the school calendar -----------------------------------------------------------------------

def _calendar(tmp_path: Path, text: str) -> SchoolCalendar:
    (tmp_path / "calendar.yaml").write_text(text, encoding="utf-8")
    return load_calendar(tmp_path)


def test_sample_calendar_of_the_district():
    calendar = load_calendar(REPO / "inventory")
    why = calendar.excluded_on(date(2026, 12, 5))
    assert [e.describe() for e in why] == [
        ("วันหยุดราชการ: วันคล้ายวันพระบรมราชสมภพ รัชกาลที่ 9 วันชาติ และวันพ่อแห่งชาติ "
         "(inventory/calendar.yaml:33)")]
    assert calendar.excluded_on(date(2026, 12, 1)) == []
    assert [e.kind for e in calendar.excluded_on(date(2027, 2, 23))] == ["exam"]
    assert [e.reason for e in calendar.excluded_on(date(2026, 4, 14))] == ["วันสงกรานต์"]
    holidays = {e.first for e in calendar.exclusions if e.kind == "holiday"}
    assert all(d.year == 2026 for d in holidays) and len(holidays) == 19


def test_buddhist_and_common_era_years_are_the_same_day(tmp_path):
    calendar = _calendar(tmp_path, """\
excluded:
  - {date: 2569-12-10, reason: วันรัฐธรรมนูญ, kind: holiday}
  - {date: "2026-12-11", reason: งานโรงเรียน, kind: event}
  - {date: "2567-02-29", reason: B.E. leap day of 2024}
  - {from: 2570-02-22, to: 2027-02-23, reason: สอบ, kind: exam}
""")
    assert [(e.first, e.last) for e in calendar.exclusions] == [
        (date(2026, 12, 10),) * 2, (date(2026, 12, 11),) * 2, (date(2024, 2, 29),) * 2,
        (date(2027, 2, 22), date(2027, 2, 23))]
    assert [e.source for e in calendar.exclusions] == [
        "inventory/calendar.yaml:2", "inventory/calendar.yaml:3", "inventory/calendar.yaml:4",
        "inventory/calendar.yaml:5"]


def test_missing_calendar_excludes_nothing(tmp_path):
    assert load_calendar(tmp_path).excluded_on(date(2026, 12, 5)) == []


@pytest.mark.parametrize("text,message", [
    ("excluded:\n  - {date: 2569-12-10}\n", "inventory/calendar.yaml:2: calendar: missing key 'excluded.0.reason'"),
    ("excluded:\n  - {date: 2569-12-10, reason: x, kind: exams}\n", "inventory/calendar.yaml:2: calendar: key 'excluded.0.kind' cannot be text 'exams'"),
    ("excluded:\n  - reason: x\n    date: \"2568-02-29\"\n", "inventory/calendar.yaml:3: calendar: date: '2568-02-29' is not a real date"),
    ("excluded:\n  - {from: 2569-12-10, to: 2569-12-01, reason: x}\n", "inventory/calendar.yaml:2: calendar: to: 2026-12-01 is before from: 2026-12-10; swap them"),
    ("excluded:\n  - {reason: x}\n", "inventory/calendar.yaml:2: calendar: an excluded entry needs date:"),
    ("excluded:\n  - {date: 2569-12-10, from: 2569-12-10, to: 2569-12-11, reason: x}\n", "give either date: or from: and to:"),
    # a date PyYAML reads as a timestamp but no calendar has (was: a ValueError traceback)
    ("excluded:\n  - reason: x\n    date: 2568-02-30\n", "inventory/calendar.yaml:3: '2568-02-30' is not a valid timestamp (day is out of range for month)"),
    ("excluded:\n  - {reason: x &a, date: 2569-13-01}\n  - {reason: '*b', date: 2569-12-01}\n", "inventory/calendar.yaml:2: '2569-13-01' is not a valid timestamp (month must be in 1..12)"),
    ("excluded:\n  - {date: 12-10, reason: x}\n", "inventory/calendar.yaml:2: calendar: date: cannot read '12-10' as a date"),
    ("exclude: []\n", "inventory/calendar.yaml:1: calendar: unknown key 'exclude' (did you mean 'excluded'?)"),
    ("- 2569-12-10\n", "inventory/calendar.yaml:1: the file must be a mapping"),
])
def test_calendar_errors_name_file_and_line(tmp_path, text, message):
    with pytest.raises(CalendarError) as caught:
        _calendar(tmp_path, text)
    assert message in str(caught.value)
    assert caught.value.exit_code == ExitCode.BAD_INPUT


# -- both together: may a run start now? ----------------------------------------------------------

def test_gate(tmp_path):
    from ictops.schedule.gate import EXCLUDED, OUTSIDE, gate

    calendar = _calendar(tmp_path, "excluded:\n  - {date: 2569-12-07, kind: exam, reason: สอบกลางภาค}\n")
    go = gate(calendar, NIGHT, bkk("2026-12-01 04:59:00"))
    assert (go.stop, go.deadline) == (None, bkk("2026-12-01 05:00:00"))
    late = gate(calendar, NIGHT, bkk("2026-12-01 05:00:00"))
    assert late.kind == OUTSIDE and late.stop == (
        "outside the maintenance window 22:00-05:00 Bangkok time (now 2026-12-01 05:00); it opens "
        "next at 2026-12-01 22:00; nothing was run")
    exam = gate(calendar, NIGHT, bkk("2026-12-07 02:00:00"))
    assert exam.kind == EXCLUDED and exam.stop == (
        "2026-12-07 is an excluded date of the school calendar: วันสอบ: สอบกลางภาค "
        "(inventory/calendar.yaml:2); nothing was run")
    assert exam.data()["excluded"][0]["source"] == "inventory/calendar.yaml:2"
    assert gate(calendar, None, bkk("2026-12-01 12:00:00")) == gate(SchoolCalendar(), None, bkk("2026-12-01 12:00:00"))
    assert gate(calendar, None, bkk("2026-12-07 12:00:00")).kind == EXCLUDED
