"""Parsers for command outputs and computed values (log retention, time spans).

Each returns plain fields plus, per field, the line that gave it (the evidence line).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

# A parsed source: field -> value, field -> the line it came from, and where that is.
Fields = dict[str, object]


@dataclass
class Parsed:
    """Fields read from one output or file set, with the line each came from."""

    values: Fields = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # field -> "path:line" when known
    note: str = ""


def parse_keyvalue(text: str, separator: str | None, lowercase: bool) -> Parsed:
    """``key value`` (sshd -T) or ``key=value`` (timedatectl show) lines; repeated keys join with ','."""
    parsed = Parsed()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if separator:
            if separator not in line:
                continue
            key, value = line.split(separator, 1)
        else:
            key, _, value = line.partition(" ")
        key, value = key.strip(), value.strip()
        if lowercase:
            key = key.lower()
        if key in parsed.values:
            parsed.values[key] = f"{parsed.values[key]},{value}"
        else:
            parsed.values[key] = value
            parsed.lines[key] = line
    return parsed


def parse_regex(text: str, fields: dict[str, re.Pattern[str]]) -> Parsed:
    """Each field is the first group (or the whole match) of its regex, searched line by line."""
    parsed = Parsed()
    lines = text.splitlines()
    for name, pattern in fields.items():
        for line in lines:
            match = pattern.search(line)
            if match:
                parsed.values[name] = match.group(1) if pattern.groups else match.group(0)
                parsed.lines[name] = line.strip()
                break
    return parsed


def parse_lines(text: str) -> Parsed:
    """count (non-empty lines), first (the first one), text (all of it)."""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    parsed = Parsed(
        values={"count": len(kept), "first": kept[0] if kept else "", "text": "\n".join(kept)}
    )
    parsed.lines = {"count": kept[0] if kept else "", "first": kept[0] if kept else ""}
    return parsed


# --- time spans (systemd.time) ----------------------------------------------------------

_SPAN_UNITS = {
    "us": 1e-6,
    "ms": 1e-3,
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
    "M": 2629800,
    "month": 2629800,
    "months": 2629800,
    "y": 31557600,
    "year": 31557600,
    "years": 31557600,
}
_SPAN_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Za-z]*)")


def timespan_seconds(text: str) -> float:
    """systemd time span -> seconds ("3month", "90d", "1y 2w", "0"). Raises ValueError."""
    total = 0.0
    rest = text.strip()
    if not rest:
        raise ValueError("empty time span")
    pos = 0
    for match in _SPAN_PART.finditer(rest):
        if rest[pos : match.start()].strip():
            raise ValueError(f"bad time span {text!r}")
        unit = match.group(2) or "s"
        if unit not in _SPAN_UNITS:
            raise ValueError(f"unknown time unit {unit!r} in {text!r}")
        total += float(match.group(1)) * _SPAN_UNITS[unit]
        pos = match.end()
    if rest[pos:].strip():
        raise ValueError(f"bad time span {text!r}")
    return total


# --- journald ---------------------------------------------------------------------------


def journald_retention(sources: list[tuple[str, str]]) -> Parsed:
    """Storage and MaxRetentionSec (days, 0 = no time limit) from journald.conf texts, in order."""
    parsed = Parsed(values={"storage": "auto", "max_retention_days": 0.0})
    parsed.lines = {
        "storage": "Storage= (not set: default auto)",
        "max_retention_days": "MaxRetentionSec= (not set)",
    }
    section = "Journal"
    for path, text in sources:
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            if section != "Journal" or "=" not in line:
                continue
            key, value = (part.strip() for part in line.split("=", 1))
            if key == "Storage":
                parsed.values["storage"] = value or "auto"
                parsed.lines["storage"], parsed.where["storage"] = line, f"{path}:{number}"
            elif key == "MaxRetentionSec":
                parsed.values["max_retention_days"] = (
                    timespan_seconds(value) / 86400 if value else 0.0
                )
                parsed.lines["max_retention_days"] = line
                parsed.where["max_retention_days"] = f"{path}:{number}"
    return parsed


# --- logrotate --------------------------------------------------------------------------

_PERIODS = {"hourly": 1 / 24, "daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}


@dataclass
class _Stanza:
    paths: list[str]
    directives: dict[str, tuple[str, str]]  # name -> (value, "path:line")


def _logrotate_stanzas(
    sources: list[tuple[str, str]],
) -> tuple[dict[str, tuple[str, str]], list[_Stanza]]:
    defaults: dict[str, tuple[str, str]] = {}
    stanzas: list[_Stanza] = []
    for path, text in sources:
        current: _Stanza | None = None
        pending: list[str] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if current is None and "{" in line:
                head = line.split("{", 1)[0]
                names = pending + head.replace('"', " ").split()
                current = _Stanza(paths=names, directives={})
                pending = []
                continue
            if current is not None and line.startswith("}"):
                stanzas.append(current)
                current = None
                continue
            if current is None and line.startswith("/"):
                pending.extend(line.replace('"', " ").split())
                continue
            word, _, value = line.partition(" ")
            target = current.directives if current is not None else defaults
            if word in _PERIODS:
                target["period"] = (word, f"{path}:{number}")
            elif word in ("rotate", "maxage", "size"):
                target[word] = (value.strip(), f"{path}:{number}")
    return defaults, stanzas


def logrotate_retention(sources: list[tuple[str, str]], logs: list[str]) -> Parsed:
    """Days each log is kept: period x rotate, capped by maxage. Field ``retention_days`` is the
    smallest over the logs found; ``not_configured`` lists logs no stanza names."""
    defaults, stanzas = _logrotate_stanzas(sources)
    parsed = Parsed()
    worst: tuple[float, str, str, str] | None = None
    missing: list[str] = []
    for log in logs:
        stanza = next((s for s in stanzas if any(fnmatch.fnmatch(log, p) for p in s.paths)), None)
        if stanza is None:
            missing.append(log)
            continue
        merged = {**defaults, **stanza.directives}
        period_name, _ = merged.get("period", ("weekly", "default"))
        rotate_text, rotate_where = merged.get("rotate", ("0", "default"))
        try:
            days = _PERIODS[period_name] * float(rotate_text)
        except ValueError:
            days = 0.0
        detail = f"{log}: {period_name} x rotate {rotate_text} = {days:g} days"
        where = rotate_where
        if "maxage" in merged:
            try:
                maxage = float(merged["maxage"][0])
            except ValueError:
                maxage = days
            if maxage < days:
                days, detail, where = maxage, f"{log}: maxage {maxage:g} days", merged["maxage"][1]
        if worst is None or days < worst[0]:
            worst = (days, log, detail, where)
    parsed.values["not_configured"] = ",".join(missing)
    if worst is not None:
        parsed.values["retention_days"] = worst[0]
        parsed.values["log"] = worst[1]
        parsed.lines["retention_days"] = worst[2]
        parsed.where["retention_days"] = worst[3]
    return parsed
