"""The director's report as data: frozen dataclasses built from plain inputs.

``ReportData.from_records`` takes audit-trail dicts and plain compliance, backup and patch
data, so the report does not depend on how those are produced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping, Sequence

from ictops import clock
from ictops.audit.witness import Head
from ictops.clock import fiscal_year_be
from ictops.errors import InputError
from ictops.results import Status

STATUS_ORDER = tuple(s.value for s in Status)  # ok, changed, failed, unreachable, skipped
STALE_BACKUP_DAYS = 7.0


@dataclass(frozen=True)
class StatusCounts:
    """How many actions ended in each status."""

    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.ok + self.changed + self.failed + self.unreachable + self.skipped

    def get(self, status: str) -> int:
        return int(getattr(self, status))

    @classmethod
    def of(cls, statuses: Iterable[str]) -> StatusCounts:
        counts = dict.fromkeys(STATUS_ORDER, 0)
        for status in statuses:
            counts[status] += 1
        return cls(**counts)


@dataclass(frozen=True)
class StepSummary:
    """What was done in one step of one process of the work manual."""

    process: int
    step: int
    process_name: str
    step_name: str
    counts: StatusCounts
    hosts: int
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Failure:
    """One failed or unreachable action, with the reason the officer can act on."""

    time: datetime
    run_id: str
    host: str
    process: int
    step: int
    action: str
    status: str
    error_kind: str | None
    reason: str


@dataclass(frozen=True)
class RunSummary:
    """One run (playbook execution) in the period."""

    run_id: str
    operators: tuple[str, ...]
    started: datetime
    ended: datetime
    counts: StatusCounts


@dataclass(frozen=True)
class ComplianceScore:
    """A host's (or the fleet's) compliance score in percent, with its history, oldest first."""

    host: str
    score: float
    trend: tuple[tuple[date, float], ...] = ()

    @property
    def delta(self) -> float | None:
        """Change since the previous measurement, None when there is only one."""
        if len(self.trend) < 2:
            return None
        return round(self.trend[-1][1] - self.trend[-2][1], 1)


@dataclass(frozen=True)
class BackupFreshness:
    """When a host's configuration was last backed up successfully."""

    host: str
    last_good: datetime | None
    age_days: float | None
    unsaved_changes: bool | None = None  # switches: running-config differs from startup

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > STALE_BACKUP_DAYS


@dataclass(frozen=True)
class PendingPatches:
    """Updates waiting on one server."""

    host: str
    count: int
    security: int


@dataclass(frozen=True)
class ReportData:
    """Everything the director's report shows, ready to render."""

    office: str
    period_from: date
    period_to: date
    fiscal_year_be: int
    generated_at: datetime
    totals: StatusCounts
    host_count: int
    runs: tuple[RunSummary, ...] = ()
    steps: tuple[StepSummary, ...] = ()
    failures: tuple[Failure, ...] = ()
    compliance: tuple[ComplianceScore, ...] = ()
    fleet_compliance: ComplianceScore | None = None
    backups: tuple[BackupFreshness, ...] = ()
    patches: tuple[PendingPatches, ...] = ()
    reporter: str = ""
    trail_head: Head | None = None  # the witness: the audit trail's last seq and hash
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        compliance: Mapping[str, Iterable[tuple[date | str, float]]] | None = None,
        backups: Iterable[BackupFreshness | Mapping[str, Any]] | None = None,
        patches: Iterable[PendingPatches | Mapping[str, Any]] | None = None,
        *,
        office: str = "",
        period: tuple[date, date] | None = None,
        now: datetime | None = None,
        reporter: str = "",
        process_names: Mapping[int, str] | None = None,
        step_names: Mapping[tuple[int, int], str] | None = None,
        trail_head: Head | None = None,
    ) -> ReportData:
        """Build the report.

        - records: audit-trail dicts (time, run_id, operator, process, step, host, action,
          status, summary, error_kind, duration);
        - compliance: host -> [(date or ISO date, score 0-100), ...];
        - backups: BackupFreshness, or dicts {host, taken_at (ISO UTC or None),
          running_equals_startup (bool or None)}; age is computed against ``now``;
        - patches: PendingPatches, or dicts {host, count, security};
        - period: shown dates; defaults to the span of the records (Bangkok dates).
        """
        now = now or clock.now()
        parsed = [_parse_record(i, r) for i, r in enumerate(records)]
        parsed.sort(key=lambda r: r["time"])
        if period is None:
            if parsed:
                period = (
                    clock.local(parsed[0]["time"]).date(),
                    clock.local(parsed[-1]["time"]).date(),
                )
            else:
                today = clock.local(now).date()
                period = (today, today)
        fleet, per_host = _compliance(compliance or {})
        return cls(
            office=office,
            period_from=period[0],
            period_to=period[1],
            fiscal_year_be=fiscal_year_be(period[1]),
            generated_at=now,
            totals=StatusCounts.of(r["status"] for r in parsed),
            host_count=len({r["host"] for r in parsed if r["host"]}),
            runs=_runs(parsed),
            steps=_steps(parsed, process_names or {}, step_names or {}),
            failures=tuple(_failure(r) for r in parsed if Status(r["status"]).is_failure),
            compliance=per_host,
            fleet_compliance=fleet,
            backups=tuple(sorted((_backup(b, now) for b in backups or ()), key=lambda b: b.host)),
            patches=tuple(sorted((_patches(p) for p in patches or ()), key=lambda p: p.host)),
            reporter=reporter,
            trail_head=trail_head,
        )


def _parse_record(index: int, record: Mapping[str, Any]) -> dict[str, Any]:
    where = f"audit record {index + 1} (run {record.get('run_id', '?')})"
    try:
        status = Status(str(record.get("status", ""))).value
        moment = clock.parse_stored(str(record["time"]))
        process = int(record.get("process") or 0)
        step = int(record.get("step") or 0)
    except (KeyError, ValueError) as exc:
        raise InputError(
            f"{where}: unusable time, status, process or step ({exc}); "
            "run 'ictops log verify' to check the audit trail"
        ) from None
    return {
        "time": moment,
        "run_id": str(record.get("run_id") or ""),
        "operator": str(record.get("operator") or ""),
        "process": process,
        "step": step,
        "host": str(record.get("host") or ""),
        "action": str(record.get("action") or ""),
        "status": status,
        "summary": str(record.get("summary") or ""),
        "error_kind": record.get("error_kind") or None,
    }


def _runs(records: Sequence[dict[str, Any]]) -> tuple[RunSummary, ...]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        grouped[r["run_id"]].append(r)
    runs = [
        RunSummary(
            run_id=run_id,
            operators=tuple(sorted({r["operator"] for r in rs if r["operator"]})),
            started=rs[0]["time"],
            ended=rs[-1]["time"],
            counts=StatusCounts.of(r["status"] for r in rs),
        )
        for run_id, rs in grouped.items()
    ]
    return tuple(sorted(runs, key=lambda r: r.started))


def _steps(
    records: Sequence[dict[str, Any]],
    process_names: Mapping[int, str],
    step_names: Mapping[tuple[int, int], str],
) -> tuple[StepSummary, ...]:
    grouped: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        grouped[(r["process"], r["step"])].append(r)
    return tuple(
        StepSummary(
            process=process,
            step=step,
            process_name=process_names.get(process, ""),
            step_name=step_names.get((process, step), ""),
            counts=StatusCounts.of(r["status"] for r in rs),
            hosts=len({r["host"] for r in rs if r["host"]}),
            actions=tuple(sorted({r["action"] for r in rs if r["action"]})),
        )
        for (process, step), rs in sorted(grouped.items())
    )


def _failure(r: dict[str, Any]) -> Failure:
    return Failure(
        time=r["time"],
        run_id=r["run_id"],
        host=r["host"],
        process=r["process"],
        step=r["step"],
        action=r["action"],
        status=r["status"],
        error_kind=r["error_kind"],
        reason=r["summary"],
    )


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return clock.local(value).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _compliance(
    data: Mapping[str, Iterable[tuple[date | str, float]]],
) -> tuple[ComplianceScore | None, tuple[ComplianceScore, ...]]:
    hosts: list[ComplianceScore] = []
    by_date: dict[date, list[float]] = defaultdict(list)
    for host, history in sorted(data.items()):
        trend = tuple(sorted((_as_date(d), round(float(s), 1)) for d, s in history))
        if not trend:
            continue
        hosts.append(ComplianceScore(host=host, score=trend[-1][1], trend=trend))
        for d, s in trend:
            by_date[d].append(s)
    if not hosts:
        return None, ()
    fleet_trend = tuple((d, round(sum(v) / len(v), 1)) for d, v in sorted(by_date.items()))
    fleet_score = round(sum(h.score for h in hosts) / len(hosts), 1)
    return ComplianceScore(host="", score=fleet_score, trend=fleet_trend), tuple(hosts)


def _backup(item: BackupFreshness | Mapping[str, Any], now: datetime) -> BackupFreshness:
    if isinstance(item, BackupFreshness):
        return item
    taken = item.get("taken_at") or item.get("last_good")
    when = clock.parse_stored(taken) if isinstance(taken, str) else taken
    age = round((now - when).total_seconds() / 86400, 1) if when else None
    equal = item.get("running_equals_startup")
    return BackupFreshness(
        host=str(item["host"]),
        last_good=when,
        age_days=age,
        unsaved_changes=None if equal is None else not equal,
    )


def _patches(item: PendingPatches | Mapping[str, Any]) -> PendingPatches:
    if isinstance(item, PendingPatches):
        return item
    return PendingPatches(
        host=str(item["host"]),
        count=int(item.get("count", 0)),
        security=int(item.get("security", 0)),
    )
