"""The director's report as data: frozen dataclasses built from plain inputs.

``ReportData.from_records`` takes audit-trail dicts, the compliance scores
(ictops.report.scores), backup freshness and patch states, so the report does not depend on
how those are produced. Nothing here guesses: a value that is not known is None, with the
reason where there is one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Literal, Mapping, Sequence

from ictops import clock
from ictops.audit.witness import Head
from ictops.clock import fiscal_year_be
from ictops.errors import InputError
from ictops.report.scores import HostScore, Scores
from ictops.report.wording import BOOKKEEPING
from ictops.results import Status
from ictops.schedule.catchup import RepairRequest

STATUS_ORDER = tuple(s.value for s in Status)  # ok, changed, failed, unreachable, skipped
STALE_BACKUP_DAYS = 7.0
NO_HOST = ("", "-")  # run-level records: not a host


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

    @property
    def bad(self) -> int:
        return self.failed + self.unreachable

    def get(self, status: str) -> int:
        return int(getattr(self, status))

    @classmethod
    def of(cls, statuses: Iterable[str]) -> StatusCounts:
        counts = dict.fromkeys(STATUS_ORDER, 0)
        for status in statuses:
            counts[status] += 1
        return cls(**counts)


@dataclass(frozen=True)
class Signer:
    """Who signs the report: a name and a position (either may be unknown: "")."""

    name: str = ""
    position: str = ""


@dataclass(frozen=True)
class StepSummary:
    """What was done in one step of one process of the work manual."""

    process: int
    step: int
    process_name: str
    step_name: str
    counts: StatusCounts
    hosts: int
    actions: tuple[str, ...]  # trail action names; the template shows the work they stand for


@dataclass(frozen=True)
class Failure:
    """One failed or unreachable action, with the text the system gave (for the appendix)."""

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
class FailureGroup:
    """Failures of one kind: how many, on which hosts, in which steps, from when to when."""

    kind: str | None
    count: int
    hosts: tuple[str, ...]
    places: tuple[tuple[int, int], ...]  # (process, step)
    first: datetime
    last: datetime


@dataclass(frozen=True)
class RunSummary:
    """One run (playbook execution or verb) in the period."""

    run_id: str
    operators: tuple[str, ...]
    started: datetime
    ended: datetime
    counts: StatusCounts
    actions: tuple[str, ...] = ()  # trail action names of its work, in order of first record
    untouched: tuple[str, ...] = ()  # hosts a stopped rollout never reached


@dataclass(frozen=True)
class BackupFreshness:
    """When a host's configuration was last backed up successfully (changed or not)."""

    host: str
    last_good: datetime | None
    age_days: float | None
    unsaved_changes: bool | None = None  # switches: running-config differs from startup
    last_failure_at: datetime | None = None

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > STALE_BACKUP_DAYS

    @property
    def failing(self) -> bool:
        """The last attempt failed (after the last good backup, or with none)."""
        return self.last_failure_at is not None and (
            self.last_good is None or self.last_failure_at > self.last_good
        )


PatchState = Literal["none", "pending", "unknown"]


@dataclass(frozen=True)
class PendingPatches:
    """Updates waiting on one server: none, pending (how many), or unknown (why); with
    the details when they come from a real patch listing (ictops.report.sources)."""

    host: str
    state: PatchState
    count: int | None = None
    reason: str = ""
    checked_at: datetime | None = None
    security: int | None = None  # how many of ``count`` are security fixes
    updates: tuple[str, ...] = ()  # "kernel 1.0-1 -> 1.1-1 [security]", security first
    held: tuple[str, ...] = ()
    reboot: tuple[str, ...] | None = None  # packages asking for a reboot; None: not needed


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
    failure_groups: tuple[FailureGroup, ...] = ()
    scores: Scores | None = None
    backups: tuple[BackupFreshness, ...] = ()
    patches: tuple[PendingPatches, ...] = ()
    reporter: Signer = Signer()
    director: Signer = Signer()
    trail_head: Head | None = None  # the witness: the audit trail's last seq and hash
    # hosts unreachable N nights in a row, each with the data of a repair request
    repairs: tuple[RepairRequest, ...] = ()
    repair_nights: int = 3
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def compliance(self) -> tuple[HostScore, ...]:
        return self.scores.hosts if self.scores else ()

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        scores: Scores | None = None,
        backups: Iterable[BackupFreshness | Mapping[str, Any]] | None = None,
        patches: Iterable[PendingPatches] | None = None,
        *,
        office: str = "",
        period: tuple[date, date] | None = None,
        now: datetime | None = None,
        reporter: Signer | str = "",
        director: Signer | None = None,
        process_names: Mapping[int, str] | None = None,
        step_names: Mapping[tuple[int, int], str] | None = None,
        trail_head: Head | None = None,
    ) -> ReportData:
        """Build the report.

        - records: audit-trail dicts (time, run_id, operator, process, step, host, action,
          status, summary, error_kind); run bookkeeping (playbook.start/end) counts as no work;
        - scores: the compliance scores (ictops.report.scores.compliance_scores);
        - backups: BackupFreshness, or dicts {host, last_good or taken_at (ISO UTC or None),
          running_equals_startup, last_failure_at}; age is computed against ``now``;
        - patches: PendingPatches (ictops.report.sources.patch_states);
        - period: shown dates; defaults to the span of the records (Bangkok dates).
        """
        now = now or clock.now()
        parsed = [_parse_record(i, r) for i, r in enumerate(records)]
        parsed.sort(key=lambda r: r["time"])
        work = [r for r in parsed if r["action"] not in BOOKKEEPING]
        if period is None:
            days = [clock.local(r["time"]).date() for r in parsed] or [clock.local(now).date()]
            period = (days[0], days[-1])
        failures = tuple(_failure(r) for r in work if Status(r["status"]).is_failure)
        return cls(
            office=office,
            period_from=period[0],
            period_to=period[1],
            fiscal_year_be=fiscal_year_be(period[1]),
            generated_at=now,
            totals=StatusCounts.of(r["status"] for r in work),
            host_count=len({r["host"] for r in work if r["host"] not in NO_HOST}),
            runs=_runs(parsed),
            steps=_steps(work, process_names or {}, step_names or {}),
            failures=failures,
            failure_groups=_groups(failures),
            scores=scores,
            backups=tuple(sorted((_backup(b, now) for b in backups or ()), key=lambda b: b.host)),
            patches=tuple(sorted(patches or (), key=lambda p: p.host)),
            reporter=reporter if isinstance(reporter, Signer) else Signer(reporter),
            director=director or Signer(),
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
        "untouched": _names((record.get("data") or {}).get("untouched")),
    }


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


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
            counts=StatusCounts.of(r["status"] for r in rs if r["action"] not in BOOKKEEPING),
            actions=tuple(dict.fromkeys(r["action"] for r in rs
                                        if r["action"] and r["action"] not in BOOKKEEPING)),
            untouched=tuple(dict.fromkeys(h for r in rs for h in r["untouched"])),
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
            hosts=len({r["host"] for r in rs if r["host"] not in NO_HOST}),
            actions=tuple(sorted({r["action"] for r in rs if r["action"]})),
        )
        for (process, step), rs in sorted(grouped.items())
    )


def _failure(r: dict[str, Any]) -> Failure:
    return Failure(
        time=r["time"], run_id=r["run_id"], host=r["host"], process=r["process"],
        step=r["step"], action=r["action"], status=r["status"],
        error_kind=r["error_kind"] or ("unreachable" if r["status"] == "unreachable" else None),
        reason=r["summary"],
    )


def _groups(failures: Sequence[Failure]) -> tuple[FailureGroup, ...]:
    """Failures by kind, the commonest first."""
    grouped: dict[str | None, list[Failure]] = defaultdict(list)
    for f in failures:
        grouped[f.error_kind].append(f)
    groups = [
        FailureGroup(
            kind=kind,
            count=len(fs),
            hosts=tuple(sorted({f.host for f in fs if f.host not in NO_HOST})),
            places=tuple(sorted({(f.process, f.step) for f in fs})),
            first=min(f.time for f in fs),
            last=max(f.time for f in fs),
        )
        for kind, fs in grouped.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.count, g.kind or "~")))


def _when(value: Any) -> datetime | None:
    if isinstance(value, str) and value:
        return clock.parse_stored(value)
    return value if isinstance(value, datetime) else None


def _backup(item: BackupFreshness | Mapping[str, Any], now: datetime) -> BackupFreshness:
    if isinstance(item, BackupFreshness):
        return item
    when = _when(item.get("last_good") or item.get("taken_at"))
    age = round((now - when).total_seconds() / 86400, 1) if when else None
    equal = item.get("running_equals_startup")
    return BackupFreshness(
        host=str(item["host"]),
        last_good=when,
        age_days=age,
        unsaved_changes=None if equal is None else not equal,
        last_failure_at=_when(item.get("last_failure_at")),
    )
