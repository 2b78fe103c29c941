"""Buddhist-Era dates, Thai month names, fiscal years, Bangkok time."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from ictops.report.thai import (
    be_year,
    fiscal_year_be,
    fiscal_year_bounds,
    fiscal_year_ce,
    format_date_en,
    format_date_th,
    format_date_th_short,
    format_datetime_th,
    parse_utc,
    thai_digits,
    to_bangkok,
)


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
    moment = parse_utc("2026-11-21T07:05:00Z")
    assert moment.tzinfo is not None
    assert to_bangkok(moment).hour == 14
    assert format_datetime_th(moment) == "21 พ.ย. 2569 14:05 น."
    # Late evening UTC is the next day in Bangkok.
    assert format_date_th(parse_utc("2026-11-21T18:30:00Z")) == "22 พฤศจิกายน 2569"


def test_naive_time_is_utc() -> None:
    assert to_bangkok(datetime(2026, 1, 1, 0, 0)).hour == 7
    assert parse_utc("2026-01-01T00:00:00").tzinfo is not None


def test_english_date() -> None:
    assert format_date_en(date(2026, 11, 21)) == "21 November 2026"
