"""One read of the project's state, kept in memory so that every page answers at once.

``Snapshot.build`` reads everything the pages show (through ``ictops.web.sources``) and
derives the fleet view. ``SnapshotCache`` keeps the current snapshot and builds a new one in
the background when a file of the state changed (a nightly run, a new plan): pages keep
showing the previous snapshot meanwhile, and say so. A snapshot is never changed once built.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit import VerifyReport
from ictops.playbook.plans import Plan
from ictops.project import Project
from ictops.web import sources
from ictops.web.compliance_data import ComplianceData, read_compliance
from ictops.web.runs import HostRun, RunSummary, last_runs, summarise_runs
from ictops.web.sources import HostInfo, ReportFile

log = logging.getLogger("ictops.web")

CHECK_EVERY = 2.0  # seconds between looks at the state's files


@dataclass(frozen=True)
class FleetRow:
    """One host on the fleet page."""

    info: HostInfo
    last_run: HostRun | None
    last_good_backup: dt.datetime | None
    backup_failure: str | None
    backup_failure_at: dt.datetime | None
    score: float | None


@dataclass
class Snapshot:
    """Everything the pages show, read at ``built_at``."""

    built_at: dt.datetime
    seconds: float
    hosts: dict[str, HostInfo]
    inventory_error: str | None
    records: list[dict[str, Any]]
    verify: VerifyReport | None
    verify_error: str | None
    runs: list[RunSummary]
    fleet: list[FleetRow]
    compliance: ComplianceData
    plans: list[Plan]
    reports: list[ReportFile]
    backups_known: bool = False  # the backup store's status file names any host
    catalogue_names: dict[str, dict[tuple[int, int | None], str]] = field(default_factory=dict)
    choices: dict[str, list[Any]] = field(default_factory=dict)  # what the trail filters offer
    by_host: dict[str, list[int]] = field(default_factory=dict)  # host -> record positions
    by_run: dict[str, list[int]] = field(default_factory=dict)  # run id -> record positions

    @classmethod
    def build(cls, project: Project) -> Snapshot:
        started = time.perf_counter()
        hosts, inventory_error = sources.read_inventory(project)
        records = sources.read_trail(project)
        verify, verify_error = sources.verify_trail(project)
        status = sources.backup_status(project)
        compliance = read_compliance(project, hosts)
        runs = summarise_runs(records)
        last = last_runs(records)
        names = sorted(set(hosts) | set(last) | set(status) | set(compliance.hosts))
        fleet = []
        for name in names:
            info = hosts.get(name) or HostInfo(name, in_inventory=False)
            entry = status.get(name) or {}
            score = compliance.hosts.get(name)
            fleet.append(FleetRow(
                info=info, last_run=last.get(name),
                last_good_backup=_time(entry.get("last_seen") or entry.get("taken_at")),
                backup_failure=entry.get("last_failure"),
                backup_failure_at=_time(entry.get("last_failure_at")),
                score=score.score if score else None,
            ))
        return cls(
            built_at=clock.now(), seconds=time.perf_counter() - started,
            hosts=hosts, inventory_error=inventory_error, records=records, verify=verify,
            verify_error=verify_error, runs=runs, fleet=fleet, compliance=compliance,
            plans=sorted(sources.read_plans(project), key=lambda p: p.planned_at, reverse=True),
            reports=sources.read_reports(project),
            backups_known=bool(status), catalogue_names=sources.catalogue_names(project),
            choices=trail_choices(records), by_host=_positions(records, "host"),
            by_run=_positions(records, "run_id"),
        )

    def host(self, name: str) -> HostInfo | None:
        row = next((r for r in self.fleet if r.info.name == name), None)
        return row.info if row else None


def trail_choices(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The values the trail page's filters offer: what the trail holds."""
    found: dict[str, set[Any]] = {k: set() for k in ("process", "status", "action", "operator")}
    for rec in records:
        for key, values in found.items():
            value = rec.get(key)
            if value not in (None, ""):
                values.add(value)
    return {k: sorted(v, key=str) for k, v in found.items()}


def _positions(records: list[dict[str, Any]], key: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        value = rec.get(key)
        if value is not None:
            found.setdefault(str(value), []).append(i)
    return found


def _time(value: Any) -> dt.datetime | None:
    """A stored time of the backup status file; None when absent or not a time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return clock.parse_stored(value)
    except ValueError:
        return None


def signature(project: Project) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of every file a snapshot is built from (a cheap change test)."""
    state, inventory = project.state_dir, project.inventory_dir
    paths: list[Path] = [
        state / "audit" / "trail.jsonl", state / "audit" / "head.json",
        project.backups_dir.with_name(project.backups_dir.name + ".status.json"),
        project.backups_dir / ".git" / "HEAD", project.backups_dir / ".git" / "refs" / "heads",
    ]
    for folder in (state / "compliance", state / "plans", state / "reports", inventory):
        paths.append(folder)
        if folder.is_dir():
            paths.extend(folder.iterdir())
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


class SnapshotCache:
    """The current snapshot; a newer one is built in the background when the state changes."""

    def __init__(self, project: Project, builder: Callable[[Project], Snapshot] = Snapshot.build):
        self.project = project
        self.builder = builder
        self._lock = threading.Lock()
        self._signature = signature(project)
        self._current = builder(project)
        self._checked = time.monotonic()
        self._building: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def updating(self) -> bool:
        return self._building is not None and self._building.is_alive()

    def current(self) -> Snapshot:
        """The latest snapshot; starts a rebuild when the state changed since it was built."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked >= CHECK_EVERY and not self.updating:
                self._checked = now
                seen = signature(self.project)
                if seen != self._signature:
                    self._building = threading.Thread(
                        target=self._rebuild, args=(seen,), name="ictops-web-snapshot", daemon=True)
                    self._building.start()
            return self._current

    def _rebuild(self, seen: tuple[tuple[str, int, int], ...]) -> None:
        try:
            fresh = self.builder(self.project)
        except Exception as exc:  # noqa: BLE001 - keep serving the last good snapshot
            log.exception("web: reading the state failed")
            self.last_error = f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            self._current, self._signature, self.last_error = fresh, seen, None

    def wait_idle(self, timeout: float) -> bool:
        """Wait for a rebuild in progress (tests, the benchmark); True when none is left."""
        thread = self._building
        if thread is not None:
            thread.join(timeout)
        return not self.updating
