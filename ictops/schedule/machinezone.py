"""The machine's own time zone, which cron follows: Debian's cron has no per-entry zone.

Schedules are written in Asia/Bangkok. On a machine whose zone is not Bangkok the crontab
entry is written at the same instant in the machine's time (02:00 Bangkok is 19:00 UTC the
evening before, so ``mon-fri`` becomes ``sun-thu``). A zone with daylight saving moves its
offset during the year; the entry then follows the machine's clock and the warning says so.
"""

from __future__ import annotations

import os
import time as _time
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ictops.clock import BANGKOK
from ictops.schedule.days import format_days

# A Monday, to turn weekdays into instants.
_MONDAY = datetime(2026, 11, 30)
WEEK = 7 * 86400


@dataclass(frozen=True)
class MachineTime:
    """A Bangkok schedule written in the machine's clock."""

    at: time
    days: frozenset[int]
    zone: str  # the machine's zone, as named on this machine
    note: str  # '' when the machine is on Bangkok time; otherwise what was converted and why


def zone_name() -> str:
    """TZ, else the /etc/localtime link target (Etc/UTC), else the abbreviation."""
    if os.environ.get("TZ"):
        return os.environ["TZ"].lstrip(":")
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return _time.tzname[0]


def offsets(start: float, days: int = 366) -> set[int]:
    """UTC offsets (seconds) of the machine's zone over ``days`` from ``start`` (a timestamp)."""
    return {_time.localtime(start + d * 86400).tm_gmtoff for d in range(0, days, 7)} | {
        _time.localtime(start).tm_gmtoff}


def to_machine(at: time, days: frozenset[int], now: float) -> MachineTime:
    """``at`` on ``days`` in Bangkok, written in the machine's zone as of ``now``.

    The machine's clock is asked through ``time.localtime`` (what cron follows), so no zone
    is named here; the week used is the one of ``now``.
    """
    found = offsets(now)
    offset = _time.localtime(now).tm_gmtoff
    name = zone_name()
    local_days: set[int] = set()
    local_at = at
    monday = _MONDAY + timedelta(weeks=int((now - _MONDAY.replace(tzinfo=BANGKOK).timestamp()) // WEEK))
    for day in days:
        instant = datetime.combine(monday + timedelta(days=day), at, tzinfo=BANGKOK).timestamp()
        there = _time.localtime(instant)
        local_days.add(there.tm_wday)
        local_at = time(there.tm_hour, there.tm_min)
    bangkok = int(BANGKOK.utcoffset(_MONDAY).total_seconds())  # type: ignore[union-attr]
    if found == {bangkok}:
        return MachineTime(at, days, name, "")
    moved = frozenset(local_days)
    on = "" if moved == days else f" on {format_days(moved)} (Bangkok: {format_days(days)})"
    note = (f"this machine's clock is on {name} (UTC{_hours(offset)}), not Asia/Bangkok: the crontab "
            f"entry says {local_at:%H:%M}{on}, which is {at:%H:%M} Bangkok time")
    if len(found) > 1:
        note += (f"; {name} changes its UTC offset during the year (daylight saving), and cron follows "
                 "the machine's clock, so the run will start an hour off for part of the year (the "
                 "playbook's window still applies); set the machine's zone to Asia/Bangkok "
                 "(timedatectl set-timezone Asia/Bangkok) and install again")
    return MachineTime(local_at, moved, name, note)


def _hours(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
