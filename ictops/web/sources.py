"""What the dashboard reads, each through the module that owns it (nothing parsed twice).

- the inventory: ``ictops.inventory.load_inventory`` (a broken inventory is a banner, not a crash);
- the audit trail: ``ictops.audit.show.read_records`` and ``ictops.audit.verify``;
- backups: ``ictops.backup.store.BackupStore`` (status, history, masked diffs);
- plans: ``ictops.playbook.plans.PlanStore``;
- reports: the files in ``state/reports`` (``ictops.report.collect`` names them).

Every function here only reads: the dashboard never creates, locks or writes a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit import VerifyReport, verify
from ictops.audit.recorder import trail_key, trail_path
from ictops.audit.show import read_records
from ictops.backup.store import BackupStore
from ictops.errors import IctopsError
from ictops.inventory.host import Host
from ictops.playbook.plans import Plan, PlanStore
from ictops.project import Project

REPORT_SUFFIXES = (".pdf", ".html")


@dataclass(frozen=True)
class HostInfo:
    """What the dashboard shows about a host besides its state (from the inventory)."""

    name: str
    platform: str = ""
    role: str = ""
    site: str = ""
    district: str = ""
    school: str = ""
    school_code: str = ""
    in_inventory: bool = True
    host: Host | None = None  # the inventory's host, for the backup store's path function

    @classmethod
    def of(cls, host: Host) -> HostInfo:
        return cls(
            name=host.name, platform=host.platform_name, role=host.role or "",
            site=host.site or "", district=host.district or "",
            school=host.school.name if host.school else "",
            school_code=host.school.code if host.school else "", host=host,
        )


@dataclass(frozen=True)
class ReportFile:
    """One report written by ``ictops report`` (or the nightly's report step)."""

    name: str
    path: Path
    size: int
    modified: dt.datetime  # UTC


def read_inventory(project: Project) -> tuple[dict[str, HostInfo], str | None]:
    """The inventory's hosts, and the error that stopped reading it (None when it read)."""
    from ictops.inventory import load_inventory

    try:
        inventory = load_inventory(project.inventory_dir, project.root)
    except IctopsError as exc:
        return {}, str(exc).splitlines()[0]
    return {name: HostInfo.of(host) for name, host in inventory.hosts.items()}, None


def read_trail(project: Project) -> list[dict[str, Any]]:
    """Every record of the trail, in file order."""
    return list(read_records(trail_path(project)))


def catalogue_names(project: Project) -> dict[str, dict[tuple[int, int | None], str]]:
    """lang -> (process, step) -> name, from the office's work manual ((p, None): the process)."""
    from ictops.audit.catalogue import load_catalogue

    try:
        catalogue = load_catalogue(project)
    except IctopsError:
        return {}
    names: dict[str, dict[tuple[int, int | None], str]] = {}
    for lang in ("th", "en"):
        found = names[lang] = {}
        for process in catalogue.processes:
            found[(process.number, None)] = process.name(lang)
            for step in process.steps:
                found[(process.number, step.number)] = step.name(lang)
    return names


def archive_dir(project: Project) -> Path:
    return project.state_dir / "audit" / "archive"


def verify_trail(project: Project) -> tuple[VerifyReport | None, str | None]:
    """``ictops log verify``'s check, and the error when the key cannot be read."""
    try:
        key = trail_key(project)
    except IctopsError as exc:
        return None, str(exc).splitlines()[0]
    archive = archive_dir(project)
    return verify(trail_path(project), key=key, archive_dir=archive if archive.is_dir() else None), None


def backup_store(project: Project) -> BackupStore:
    return BackupStore(project.backups_dir)


def backup_status(project: Project) -> dict[str, dict[str, Any]]:
    """Per host: last successful backup and last failure (the store's status file)."""
    return backup_store(project).status()


def read_plans(project: Project) -> list[Plan]:
    return PlanStore(project).all()


def read_reports(project: Project) -> list[ReportFile]:
    """The reports in ``state/reports``, newest first."""
    folder = project.state_dir / "reports"
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.suffix in REPORT_SUFFIXES and path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            moment = dt.datetime.fromtimestamp(stat.st_mtime, clock.UTC)
            found.append(ReportFile(path.name, path, stat.st_size, moment))
    return sorted(found, key=lambda r: (r.modified, r.name), reverse=True)
