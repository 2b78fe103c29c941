"""Read the audit trail back: filter records, show times in Asia/Bangkok.

Times are stored in UTC; the officer reads them in Thai time (ICT, UTC+7). A date
or a naive date-time given as a filter is taken as Thai time too, and a year from 2400 on
as Buddhist Era (ictops.clock).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit.record import is_record

When = dt.datetime | dt.date | str


def parse_when(value: When, end: bool = False) -> dt.datetime:
    """A filter bound as an aware datetime. A bare date means its start (or end) in Bangkok;
    text is read by ``clock.parse_user`` (B.E. or C.E.)."""
    if isinstance(value, str):
        return clock.parse_user(value, end=end).moment
    if not isinstance(value, dt.datetime):
        moment = dt.datetime.combine(value, dt.time.max if end else dt.time.min)
        return moment.replace(tzinfo=clock.BANGKOK)
    return value if value.tzinfo else value.replace(tzinfo=clock.BANGKOK)


def read_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every parseable record of the trail, in file order (torn lines are skipped)."""
    path = Path(path)
    if not path.exists():
        return
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                return  # a torn last line
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if is_record(value):
                yield value


def _matcher(wanted: Any) -> Callable[[Any], bool]:
    """A test for one filter: equal as text to an option, or (text) matching a glob option."""
    options = wanted if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
    exact: set[Any] = {str(o) for o in options if o is not None}
    exact |= {int(o) for o in exact if o.isdigit()}  # "2" matches the number 2 without str()
    globs = [o for o in options if isinstance(o, str) and any(c in o for c in "*?[")]
    none_ok = any(o is None for o in options)

    def match(value: Any) -> bool:
        if value is None:
            return none_ok
        if value in exact or str(value) in exact:
            return True
        return isinstance(value, str) and any(fnmatch.fnmatchcase(value, g) for g in globs)

    return match


def show(path: str | Path, **filters: Any) -> Iterator[dict[str, Any]]:
    """Records of the trail at ``path`` matching every filter of ``filter_records``."""
    return filter_records(read_records(path), **filters)


def filter_records(
    records: Iterable[dict[str, Any]],
    *,
    process: int | Iterable[int] | None = None,
    step: int | Iterable[int] | None = None,
    host: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    run: str | Iterable[str] | None = None,
    operator: str | Iterable[str] | None = None,
    action: str | Iterable[str] | None = None,
    kind: str | Iterable[str] | None = None,
    since: When | None = None,
    until: When | None = None,
) -> Iterator[dict[str, Any]]:
    """Records matching every given filter (the dashboard filters the records it keeps in
    memory; ``show`` those of a file). Host, run and action accept globs (``sw-*``)."""
    start = parse_when(since) if since is not None else None
    stop = parse_when(until, end=True) if until is not None else None
    wanted = [  # only the filters given, each made a test once (not once per record)
        (key, _matcher(_listed(value))) for key, value in (
            ("process", process), ("step", step), ("host", host), ("status", status),
            ("run_id", run), ("operator", operator), ("action", action), ("kind", kind),
        ) if value is not None
    ]
    if not wanted and start is None and stop is None:
        yield from records
        return
    for rec in records:
        for key, match in wanted:
            if not match(rec.get(key)):
                break
        else:
            if not (start or stop):
                yield rec
                continue
            moment = clock.parse_stored(rec["time"])
            if (start and moment < start) or (stop and moment > stop):
                continue
            yield rec


def _listed(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    return list(value)


def format_record(rec: dict[str, Any]) -> str:
    """One terminal line: Bangkok time, seq, process.step, host, action, status, summary."""
    when = clock.show(rec["time"])
    ps = f"{rec.get('process') or '-'}.{rec.get('step') or '-'}"
    parts = [
        when, f"#{rec['seq']}", ps, rec.get("host") or "-", rec.get("action") or "-",
        rec.get("status") or "-", rec.get("operator") or "-",
    ]
    summary = rec.get("summary")
    return "  ".join(str(p) for p in parts) + (f"  {summary}" if summary else "")
