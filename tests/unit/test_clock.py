"""The one clock: now (ICTOPS_NOW), UTC storage, Bangkok display, B.E./C.E. reading and writing."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from ictops import clock
from ictops.clock import (
    be_year,
    fiscal_year_be,
    fiscal_year_bounds,
    fiscal_year_ce,
    format_date_en,
    format_date_th,
    format_date_th_short,
    format_datetime_th,
        parse_stored,
    thai_digits,
)
from ictops.errors import InputError


def test_be_year() -> None:
    assert be_year(2026) == 2569


def test_long_date_arabic_and_thai_numerals() -> None:
    day = date(2026, 11, 21)
    assert format_date_th(day) == "21 พฤศจิกายน 2569"
    assert format_date_th(day, thai_numerals=True) == "๒๑ พฤศจิกายน ๒๕๖๙"


def test_short_date() -> None:
    assert format_date_th_short(date(2026, 11, 21)) == "21 พ.ย. 2569"
    assert format_date_th_short(date(2027, 1, 3), thai_numerals=True) == "๓ ม.ค. ๒๕๗๐"


@pytest.mark.parametrize(
    "month, long_name, short_name",
    [
        (1, "มกราคม", "ม.ค."),
        (2, "กุมภาพันธ์", "ก.พ."),
        (5, "พฤษภาคม", "พ.ค."),
        (9, "กันยายน", "ก.ย."),
        (10, "ตุลาคม", "ต.ค."),
        (12, "ธันวาคม", "ธ.ค."),
    ],
)
def test_month_names(month: int, long_name: str, short_name: str) -> None:
    assert format_date_th(date(2026, month, 1)) == f"1 {long_name} 2569"
    assert format_date_th_short(date(2026, month, 1)) == f"1 {short_name} 2569"


def test_thai_digits() -> None:
    assert thai_digits("0123456789") == "๐๑๒๓๔๕๖๗๘๙"
    assert thai_digits(2570) == "๒๕๗๐"


@pytest.mark.parametrize(
    "day, fy_be",
    [
        (date(2026, 9, 30), 2569),  # last day of FY 2569
        (date(2026, 10, 1), 2570),  # first day of FY 2570
        (date(2026, 12, 31), 2570),
        (date(2027, 1, 1), 2570),
        (date(2027, 9, 30), 2570),
        (date(2027, 10, 1), 2571),
    ],
)
def test_fiscal_year_edges(day: date, fy_be: int) -> None:
    assert fiscal_year_be(day) == fy_be
    assert fiscal_year_ce(day) == fy_be - 543


def test_fiscal_year_uses_bangkok_time() -> None:
    # 30 Sep 2026 20:00 UTC is already 1 Oct 03:00 in Bangkok: the new fiscal year.
    assert fiscal_year_be(datetime(2026, 9, 30, 20, 0, tzinfo=timezone.utc)) == 2570
    assert fiscal_year_be(datetime(2026, 9, 30, 16, 59, tzinfo=timezone.utc)) == 2569


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2570) == (date(2026, 10, 1), date(2027, 9, 30))


def test_times_shown_in_bangkok() -> None:
    moment = parse_stored("2026-11-21T07:05:00Z")
    assert moment.tzinfo is not None
    assert clock.local(moment).hour == 14
    assert format_datetime_th(moment) == "21 พ.ย. 2569 14:05 น."
    # Late evening UTC is the next day in Bangkok.
    assert format_date_th(parse_stored("2026-11-21T18:30:00Z")) == "22 พฤศจิกายน 2569"


def test_naive_time_is_utc() -> None:
    assert clock.local(datetime(2026, 1, 1, 0, 0)).hour == 7
    assert parse_stored("2026-01-01T00:00:00").tzinfo is not None


def test_english_date() -> None:
    assert format_date_en(date(2026, 11, 21)) == "21 November 2026"


# -- now, storage, display, what an officer types -------------------------------------------


def test_now_honours_ictops_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICTOPS_NOW", "2026-12-01T04:59:00+07:00")
    assert clock.now() == datetime(2026, 11, 30, 21, 59, tzinfo=timezone.utc)
    assert clock.stamp() == "2026-11-30T21:59:00Z"
    assert clock.stamp(ms=True) == "2026-11-30T21:59:00.000Z"
    assert clock.compact() == "20261130T215900Z"
    assert clock.today() == date(2026, 12, 1)  # Bangkok's day, not UTC's
    monkeypatch.setenv("ICTOPS_NOW", "2026-12-01T04:59")  # no offset: Thai time
    assert clock.stamp() == "2026-11-30T21:59:00Z"


def test_bad_ictops_now_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICTOPS_NOW", "tomorrow")
    with pytest.raises(InputError, match="ICTOPS_NOW='tomorrow' is not a time; write it as 2026"):
        clock.now()


def test_now_is_the_real_time_without_ictops_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ICTOPS_NOW", raising=False)
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 5


def test_show_is_bangkok_whatever_the_input_zone() -> None:
    assert clock.show("2026-11-30T21:59:00Z") == "2026-12-01 04:59:00"
    assert clock.show("2026-11-30T21:59:00+00:00") == "2026-12-01 04:59:00"  # git's %aI
    assert clock.show(datetime(2026, 12, 1, 4, 59, tzinfo=clock.BANGKOK)) == "2026-12-01 04:59:00"
    assert clock.show("2026-11-30T21:59:00Z", seconds=False) == "2026-12-01 04:59"


@pytest.mark.parametrize(
    "text, end, utc, buddhist",
    [
        ("2026-12-01", False, "2026-11-30T17:00:00Z", False),
        ("2569-12-01", False, "2026-11-30T17:00:00Z", True),
        ("2569-12-01", True, "2026-12-01T16:59:59Z", True),
        ("2569-12-01T08:30", False, "2026-12-01T01:30:00Z", True),
        ("2569-12-01 08:30:15", False, "2026-12-01T01:30:15Z", True),
        ("2026-12-01T08:30Z", False, "2026-12-01T08:30:00Z", False),
        ("2026-12-01T08:30+00:00", False, "2026-12-01T08:30:00Z", False),
        ("1/12/2569", False, "2026-11-30T17:00:00Z", True),
        ("01/12/2026", False, "2026-11-30T17:00:00Z", False),
        ("2567-02-29", False, "2024-02-28T17:00:00Z", True),  # 2567 B.E. = 2024, a leap year
    ],
)
def test_officer_dates_in_either_era(text: str, end: bool, utc: str, buddhist: bool) -> None:
    read = clock.parse_user(text, end=end)
    assert clock.stamp(read.moment) == utc
    assert read.buddhist is buddhist
    assert bool(read.note) is buddhist


def test_buddhist_era_note_says_how_it_was_read() -> None:
    note = clock.parse_user("2569-12-01").note
    assert note == "'2569-12-01' read as Buddhist Era 2569: 2026-12-01 C.E. (1 ธันวาคม 2569)"


@pytest.mark.parametrize(
    "text, message",
    [
        ("yesterday", "--since: cannot read 'yesterday' as a date; write 2569-12-01 \\(B.E.\\)"),
        ("2026-02-30", r"--since: '2026-02-30' is not a real date or time"),
        ("2566-02-29", r"--since: '2566-02-29' is not a real date"),  # 2023: not a leap year
        ("2026-12-01T25:00", r"is not a real date or time"),
    ],
)
def test_unreadable_dates_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        clock.parse_user(text, what="--since")
