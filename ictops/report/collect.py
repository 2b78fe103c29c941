"""Gather the director's report from the project's state: the trail, audits, backups.

- actions and events: the audit trail, filtered by run or by time (``ictops.audit.show``);
- process and step names: the work manual (the office's catalogue or the built-in one);
- compliance scores and their trend: ``state/compliance/*.json``, one file per audit run
  (``{"time", "hosts": {host: {"score", "results": [{"rule", "status", ...}]}}}``, as
  ictops.actions.audit saves it, or ``"hosts": [{"host", ...}]`` as ``ictops audit --json``
  prints it); unreadable files are skipped;
- pending patches: the latest result of rule LNX-PATCH-01 on each server;
- backup freshness: ``state/backups/<site>/<host>/meta.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit import show
from ictops.audit.catalogue import load_catalogue
from ictops.audit.record import ACTION, EVENT
from ictops.audit.recorder import trail_path
from ictops.audit.team import load_team
from ictops.audit.witness import trail_head
from ictops.project import Project
from ictops.report.model import ReportData
from ictops.report.sources import backups_from_store
from ictops.settings import load_settings

log = logging.getLogger("ictops.report")

PATCH_RULE = "LNX-PATCH-01"
_TIME_KEYS = ("time", "finished", "generated_at", "started", "date")


@dataclass(frozen=True)
class Compliance:
    """Compliance history read from state/compliance."""

    scores: dict[str, list[tuple[dt.date, float]]]
    patches: list[dict[str, Any]]


def _file_time(doc: dict[str, Any], path: Path) -> dt.datetime:
    for key in _TIME_KEYS:
        value = doc.get(key) or (doc.get("summary") or {}).get(key)
        if isinstance(value, str):
            try:
                return clock.parse_stored(value)
            except ValueError:
                continue
    return dt.datetime.fromtimestamp(path.stat().st_mtime, clock.UTC)


def _pending_count(result: dict[str, Any]) -> int:
    for text in (result.get("evidence"), result.get("message")):
        found = re.search(r"\d+", str(text or ""))
        if found:
            return int(found.group())
    return 1  # failed, count unknown: at least one


def compliance_history(
    state_dir: Path, until: dt.datetime | None = None,
) -> Compliance:
    """Scores per host (one point per audit day, the last of the day) and pending patches."""
    folder = state_dir / "compliance"
    points: dict[str, dict[dt.date, tuple[dt.datetime, float]]] = {}
    latest_patch: dict[str, tuple[dt.datetime, dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            hosts = doc.get("hosts") if isinstance(doc, dict) else None
            if isinstance(hosts, dict):  # the saved audit: {host: {score, results...}}
                hosts = [{**v, "host": k} for k, v in hosts.items() if isinstance(v, dict)]
            if not isinstance(hosts, list):
                raise TypeError("no 'hosts' mapping or list")
            when = _file_time(doc, path)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("report: skipping %s (%s)", path, exc)
            continue
        if until is not None and when > until:
            continue
        day = clock.local(when).date()
        for entry in hosts:
            if not isinstance(entry, dict) or not entry.get("host"):
                continue
            host = str(entry["host"])
            score = entry.get("score")
            if isinstance(score, (int, float)):
                known = points.setdefault(host, {}).get(day)
                if known is None or known[0] <= when:
                    points[host][day] = (when, float(score))
            for result in entry.get("results") or []:
                newer = host not in latest_patch or latest_patch[host][0] <= when
                if isinstance(result, dict) and result.get("rule") == PATCH_RULE and newer:
                    latest_patch[host] = (when, result)
    scores = {h: sorted((d, s) for d, (_, s) in days.items()) for h, days in points.items()}
    patches = []
    for host, (_, result) in sorted(latest_patch.items()):
        status = str(result.get("status", "")).lower()
        if status in ("fail", "failed"):
            count = _pending_count(result)
            patches.append({"host": host, "count": count, "security": count})
        elif status in ("pass", "passed", "warn"):
            patches.append({"host": host, "count": 0, "security": 0})
    return Compliance(scores, patches)


def trail_records(
    project: Project, *, run: str | None = None, since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Action and event records of the period that belong to a process step."""
    return [
        r for r in show(trail_path(project), run=run, since=since, until=until,
                        kind=[ACTION, EVENT])
        if r.get("process") and r.get("step")
    ]


def office_name(project: Project) -> str:
    """The office: ``data.office`` of inventory/defaults.yaml, else the team file's."""
    office = load_settings(project).office
    if office:
        return office
    try:
        team = load_team(project)
    except Exception:  # noqa: BLE001 - a broken team file must not stop the report
        team = None
    return team.office if team else ""


def reporter_name(project: Project, operator: str) -> str:
    try:
        team = load_team(project)
    except Exception:  # noqa: BLE001
        team = None
    if team:
        for member in team.members:
            if operator in (member.username, member.name):
                return member.name
    return operator


def collect_report(
    project: Project, *, run: str | None = None, since: dt.datetime | None = None,
    until: dt.datetime | None = None, lang: str = "th", operator: str = "",
    now: dt.datetime | None = None,
) -> ReportData:
    """The ReportData of a run (``run``) or a period (``since``/``until``)."""
    now = now or clock.now()
    records = trail_records(project, run=run, since=since, until=until)
    history = compliance_history(project.state_dir, until)
    catalogue = load_catalogue(project)
    process_names = {p.number: p.name(lang) for p in catalogue.processes}
    step_names = {(p.number, s.number): s.name(lang) for p in catalogue.processes for s in p.steps}
    period = None
    if since or until:
        start = clock.local(since if since else records[0]["time"] if records else now).date()
        end = clock.local(until or now).date()
        period = (start, end)
    return ReportData.from_records(
        records, history.scores, backups_from_store(project.backups_dir), history.patches,
        office=office_name(project), period=period, now=now,
        reporter=reporter_name(project, operator), process_names=process_names,
        step_names=step_names, trail_head=trail_head(trail_path(project)),
    )


def report_base(
    project: Project, run: str | None, since: dt.datetime | None, now: dt.datetime
) -> Path:
    """state/reports/<Bangkok date>-<run id or 'since-DATE' or 'all'> (no suffix)."""
    day = clock.local(now).strftime("%Y-%m-%d")
    tag = run or (f"since-{clock.local(since).date().isoformat()}" if since else "all")
    tag = re.sub(r"[^A-Za-z0-9._-]+", "_", tag)
    return project.state_dir / "reports" / f"{day}-{tag}"

