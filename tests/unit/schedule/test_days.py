"""Days of the week and times of day as an officer writes them."""

from __future__ import annotations

from datetime import time

import pytest

from ictops.schedule.days import format_days, parse_days, parse_hhmm

DAYS = [  # (written, weekdays with Monday 0, shortest form)
    ("mon-fri", {0, 1, 2, 3, 4}, "mon-fri"),
    ("daily", set(range(7)), "daily"),
    ("sat,sun", {5, 6}, "sat-sun"),
    ("fri-mon", {4, 5, 6, 0}, "fri-mon"),
    ("mon,wed,fri", {0, 2, 4}, "mon,wed,fri"),
    ("Monday-Friday", {0, 1, 2, 3, 4}, "mon-fri"),
    (["tue", "thu"], {1, 3}, "tue,thu"),
    ("sun", {6}, "sun"),
]


@pytest.mark.parametrize("written,days,shortest", DAYS)
def test_days(written, days, shortest):
    assert parse_days(written) == frozenset(days)
    assert format_days(parse_days(written)) == shortest


@pytest.mark.parametrize("bad", ["mo", "monxyz", "", "mon,,fri", "mon-xyz", "0-4"])
def test_bad_days_say_how_to_write_them(bad):
    with pytest.raises(ValueError, match="mon-fri"):
        parse_days(bad)


@pytest.mark.parametrize("text,expected", [("02:00", time(2, 0)), ("2:05", time(2, 5)), ("23:59", time(23, 59))])
def test_times(text, expected):
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("bad", ["24:00", "2", "02:60", "2am", "02:00:00", ""])
def test_bad_times(bad):
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(bad)
