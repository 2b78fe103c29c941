"""Times of day and days of the week as an officer writes them: ``02:00``, ``mon-fri``.

Both the schedule (``--at 02:00 --days mon-fri``) and a playbook's maintenance window
(``window: {hours: "22:00-05:00", days: mon-fri}``) read them here. Days are numbered as
Python does (Monday 0 ... Sunday 6).
"""

from __future__ import annotations

import re
from datetime import time

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALL_DAYS: frozenset[int] = frozenset(range(7))
_ALIASES = {"daily": ALL_DAYS, "*": ALL_DAYS, "weekdays": frozenset(range(5)), "weekends": frozenset({5, 6})}
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


def parse_hhmm(text: str, what: str = "time") -> time:
    """``02:00`` -> time(2, 0). ValueError (one line, says how to write it) otherwise."""
    found = _HHMM.fullmatch(str(text).strip())
    if found:
        hour, minute = int(found[1]), int(found[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"{what} '{text}' is not a time of day; write it as HH:MM, 24-hour, e.g. 02:00")


def _day(name: str, spec: str) -> int:
    key = name.strip().lower()
    for number, full in enumerate(_FULL_NAMES):
        if key in (full, full[:3]):
            return number
    raise ValueError(f"days '{spec}': '{name.strip()}' is not a day; use mon tue wed thu fri sat sun, "
                     "ranges like mon-fri, lists like mon,wed,fri, or daily")


def parse_days(spec: str | list[str] | tuple[str, ...] | None) -> frozenset[int]:
    """``mon-fri``, ``mon,wed,fri``, ``fri-mon`` (wraps), ``daily`` or a list of those."""
    if spec is None:
        return ALL_DAYS
    parts = list(spec) if isinstance(spec, (list, tuple)) else str(spec).split(",")
    text = ",".join(str(p) for p in parts)
    days: set[int] = set()
    for part in parts:
        part = str(part).strip()
        if not part:
            raise ValueError(f"days '{text}': an empty item; write mon-fri or mon,wed,fri")
        if part.lower() in _ALIASES:
            days |= _ALIASES[part.lower()]
        elif "-" in part:
            first, _, last = part.partition("-")
            a, b = _day(first, text), _day(last, text)
            days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
        else:
            days.add(_day(part, text))
    return frozenset(days)


def format_days(days: frozenset[int] | set[int]) -> str:
    """The shortest way to write ``days``: ``daily``, ``mon-fri``, ``mon,wed,fri``, ``sat-mon``."""
    days = frozenset(days)
    if days == ALL_DAYS:
        return "daily"
    return ",".join(f"{DAY_NAMES[a]}-{DAY_NAMES[b]}" if a != b else DAY_NAMES[a] for a, b in _runs(days))


def _runs(days: frozenset[int]) -> list[tuple[int, int]]:
    """Consecutive runs of days, a run may wrap past Sunday (sat-mon); starts from a gap."""
    start = next(d for d in range(7) if d in days and (d - 1) % 7 not in days)
    runs: list[tuple[int, int]] = []
    d = start
    for _ in range(7):
        if d in days and (d - 1) % 7 not in days:
            end = d
            while (end + 1) % 7 in days and (end + 1) % 7 != d:
                end = (end + 1) % 7
            runs.append((d, end))
        d = (d + 1) % 7
    return runs
