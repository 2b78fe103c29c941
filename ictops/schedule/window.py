"""A playbook's maintenance window: when its unattended work may start (Asia/Bangkok).

``window: "22:00-05:00"`` (every night), or ``window: {hours: "22:00-05:00", days: mon-fri}``:
the days are those on which the window *opens* (mon-fri 22:00-05:00 closes Saturday 05:00).
A window may cross midnight; its end is exclusive. The run driver asks ``closes_at`` before
each host: a host not started before the close is SKIPPED, never started late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from ictops.clock import BANGKOK, local
from ictops.schedule.days import ALL_DAYS, format_days, parse_days, parse_hhmm


@dataclass(frozen=True)
class Window:
    start: time
    end: time
    days: frozenset[int] = ALL_DAYS  # weekdays (Monday 0) on which the window opens

    @property
    def length(self) -> timedelta:
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return timedelta(minutes=minutes % (24 * 60))

    def describe(self) -> str:
        days = "" if self.days == ALL_DAYS else f" ({format_days(self.days)})"
        return f"{self.start:%H:%M}-{self.end:%H:%M}{days} Bangkok time"

    def _opening(self, moment: datetime) -> datetime | None:
        """The opening of the window that ``moment`` is in, or None when outside every window."""
        at = local(moment)
        for back in (0, 1):
            day = at.date() - timedelta(days=back)
            opens = datetime.combine(day, self.start, tzinfo=BANGKOK)
            if day.weekday() in self.days and opens <= at < opens + self.length:
                return opens
        return None

    def contains(self, moment: datetime) -> bool:
        """Is ``moment`` (aware) inside the window?"""
        return self._opening(moment) is not None

    def closes_at(self, moment: datetime) -> datetime | None:
        """When the window ``moment`` is in closes (aware, Bangkok); None when outside."""
        opens = self._opening(moment)
        return None if opens is None else opens + self.length

    def next_opening(self, moment: datetime) -> datetime:
        """The next time the window opens after ``moment`` (for 'outside the window' messages)."""
        at = local(moment)
        for ahead in range(8):
            day = at.date() + timedelta(days=ahead)
            opens = datetime.combine(day, self.start, tzinfo=BANGKOK)
            if day.weekday() in self.days and opens > at:
                return opens
        raise AssertionError("a window with no day")  # pragma: no cover - days is never empty


def parse_window(value: Any) -> Window:
    """``"22:00-05:00"`` or ``{hours: "22:00-05:00", days: "mon-fri"}``; ValueError (one line)."""
    days: Any = None
    hours = value
    if isinstance(value, dict):
        unknown = set(value) - {"hours", "days"}
        if unknown or "hours" not in value:
            raise ValueError("window: a mapping takes hours: \"22:00-05:00\" and optionally days: mon-fri")
        hours, days = value["hours"], value.get("days")
    if not isinstance(hours, str) or hours.count("-") != 1:
        raise ValueError(f"window '{hours}' must be two times, like \"22:00-05:00\" (Bangkok time), quoted")
    first, last = (part.strip() for part in hours.split("-"))
    start, end = parse_hhmm(first, "window start"), parse_hhmm(last, "window end")
    if start == end:
        raise ValueError(f"window '{hours}' opens and closes at the same time; leave window: out "
                         "for no limit")
    found = parse_days(days) if days is not None else ALL_DAYS
    if not found:
        raise ValueError("window: days is empty")
    return Window(start, end, found)
