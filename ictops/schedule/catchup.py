"""What the trail says about hosts that were missed: catch-up order and nights unreachable.

Pure functions over audit records (dicts as ``ictops.audit`` reads them):

- ``catch_up_order``: the hosts whose latest attempt in a playbook was unreachable, or skipped
  because the window closed, go first in its next run; the others keep their order;
- ``unreachable_streaks``: per host, how many nights in a row it could not be reached, since
  when, and the last error; a night is noon to noon (Bangkok), a night with no attempt on the
  host neither breaks nor extends its streak;
- ``repair_requests``: the data of a repair request (แบบแจ้งซ่อม) for each host unreachable at
  least N nights in a row (the report draws it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ictops.clock import local, parse_stored
from ictops.inventory.host import Host

WINDOW_SKIP = "window_closed"  # data.skipped_by of a host skipped because the window closed
DEFAULT_NIGHTS = 3

Record = Mapping[str, Any]


def _data(record: Record) -> Mapping[str, Any]:
    data = record.get("data")
    return data if isinstance(data, Mapping) else {}


def _host_result(record: Record) -> bool:
    """A result on a host in a real (not check-mode) run."""
    return (record.get("kind") == "action" and bool(record.get("host"))
            and record.get("host") != "-" and not _data(record).get("check"))


def missed(record: Record) -> bool:
    """Unreachable, or skipped because the maintenance window closed."""
    return record.get("status") == "unreachable" or (
        record.get("status") == "skipped" and _data(record).get("skipped_by") == WINDOW_SKIP)


def catch_up_order(records: Iterable[Record], playbook: str, hosts: Sequence[str]) -> list[str]:
    """``hosts`` with those missed in their latest run of ``playbook`` first (order kept)."""
    latest: dict[str, str] = {}  # host -> run id of its latest run of the playbook
    was_missed: dict[tuple[str, str], bool] = defaultdict(bool)
    for record in records:
        if not _host_result(record) or _data(record).get("playbook") != playbook:
            continue
        host, run = str(record["host"]), str(record.get("run_id"))
        latest[host] = run
        was_missed[(host, run)] |= missed(record)
    first = [h for h in hosts if h in latest and was_missed[(h, latest[h])]]
    return first + [h for h in hosts if h not in first]


def night_of(moment: datetime) -> date:
    """The night a moment belongs to, named by its evening: 02:00 on 2 Dec is the night of 1 Dec."""
    return (local(moment) - timedelta(hours=12)).date()


@dataclass(frozen=True)
class Streak:
    """A host unreachable ``nights`` nights in a row, up to its latest attempt."""

    host: str
    nights: int
    since: datetime  # the first unreachable attempt of the streak
    last_attempt: datetime
    last_error: str
    error_kind: str | None


def unreachable_streaks(records: Iterable[Record], playbook: str | None = None) -> dict[str, Streak]:
    """Hosts whose latest night was unreachable, with the length of that run of nights."""
    nights: dict[str, dict[date, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        if not _host_result(record) or (playbook and _data(record).get("playbook") != playbook):
            continue
        try:
            when = parse_stored(str(record["time"]))
        except (KeyError, ValueError):
            continue
        nights[str(record["host"])][night_of(when)].append({**record, "_when": when})
    found: dict[str, Streak] = {}
    for host, by_night in nights.items():
        count, first, last = 0, None, None
        for night in sorted(by_night, reverse=True):
            attempts = by_night[night]
            if not all(r.get("status") == "unreachable" for r in attempts):
                break
            count += 1
            first = min(attempts, key=lambda r: r["_when"])
            last = last or max(attempts, key=lambda r: r["_when"])
        if count and first is not None and last is not None:
            found[host] = Streak(host, count, first["_when"], last["_when"], str(last.get("summary") or ""),
                                 last.get("error_kind"))
    return found


@dataclass(frozen=True)
class RepairRequest:
    """The data of one repair request (แบบแจ้งซ่อม), for the report to draw in Thai."""

    host: str
    school: str  # the school's Thai name ('' when the host has none: the area office itself)
    school_code: str
    site: str
    device: str  # role and platform: "switch (cisco_ios)"
    address: str
    nights: int
    since: datetime
    last_attempt: datetime
    last_error: str
    error_kind: str | None
    last_good_backup: datetime | None


def repair_requests(streaks: Mapping[str, Streak], hosts: Iterable[Host],
                    last_good_backup: Mapping[str, datetime | None],
                    nights: int = DEFAULT_NIGHTS) -> list[RepairRequest]:
    """One request per inventory host unreachable ``nights`` nights in a row or more.

    ``last_good_backup``: host -> time of its last successful backup (the backup store's
    status, as the report shows it). Longest streak first.
    """
    out = []
    for host in hosts:
        streak = streaks.get(host.name)
        if streak is None or streak.nights < nights:
            continue
        out.append(RepairRequest(
            host=host.name,
            school=host.school.name if host.school else "",
            school_code=host.school.code if host.school else "",
            site=host.site or "",
            device=f"{host.role or host.platform.kind} ({host.platform_name})",
            address=f"{host.hostname}:{host.port}",
            nights=streak.nights, since=streak.since, last_attempt=streak.last_attempt,
            last_error=streak.last_error,
            error_kind=streak.error_kind, last_good_backup=last_good_backup.get(host.name),
        ))
    return sorted(out, key=lambda r: (-r.nights, r.host))
