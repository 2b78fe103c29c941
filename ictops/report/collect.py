"""Gather the director's report from the project's state: the trail, audits, backups, team.

- actions and events: the audit trail, filtered by run or by time (``ictops.audit.show``);
- process and step names: the work manual (the office's catalogue or the built-in one);
- compliance scores: each host's latest result for each rule (ictops.report.scores);
- pending patches: each server's latest real listing (state/patches/, ictops/patchlog.py)
  or LNX-PATCH-01 result, whichever is newer; backup freshness: ictops.report.sources;
- the office, the reporter and the director: inventory/team.yaml (the office falls back to
  ``data.office`` of inventory/defaults.yaml only when there is no team file);
- the witness: the trail's head when the report was made.

Anything that could not be read is said in ``ReportData.extra["notes"]`` for the command to
show, and never stops the report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit import show
from ictops.audit.catalogue import load_catalogue
from ictops.audit.record import ACTION, EVENT
from ictops.audit.recorder import trail_path
from ictops.audit.team import load_team
from ictops.audit.witness import trail_head
from ictops.errors import IctopsError
from ictops.inventory.host import Host
from ictops.patchlog import latest_listings
from ictops.project import Project
from ictops.report.model import ReportData, Signer
from ictops.report.scores import compliance_scores
from ictops.report.sources import backups_from_store, patch_states
from ictops.schedule.catchup import RepairRequest, repair_requests, unreachable_streaks
from ictops.settings import load_settings


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


def _team(project: Project, notes: list[str]):
    try:
        return load_team(project)
    except IctopsError as exc:
        notes.append(f"the team file cannot be read, so the report names no team: {exc}")
        return None


def office_name(project: Project, notes: list[str] | None = None) -> str:
    """The office: the team file's (one name everywhere); defaults.yaml data.office without one.
    A data.office that disagrees with the team file is said in ``notes``."""
    notes = [] if notes is None else notes
    team = _team(project, notes)
    configured = load_settings(project).office or ""
    if team is None:
        return configured
    if configured and configured != team.office:
        notes.append(f"inventory/defaults.yaml data.office ({configured}) differs from "
                     f"{team.file} office ({team.office}); the report uses the team file's: "
                     "remove data.office or make them agree")
    return team.office


def signers(team, operator: str) -> tuple[Signer, Signer]:
    """(reporter, director): the operator as the team names them; the first approver."""
    reporter, director = Signer(operator), Signer()
    if team is None:
        return reporter, director
    for member in team.members:
        if operator in (member.username, member.name):
            reporter = Signer(member.name, member.position or "")
    if team.approvers:
        first = team.approvers[0]
        director = Signer(first.name, first.position)
    else:
        director = Signer(team.appointment.signed_by)
    return reporter, director


def _inventory(project: Project, notes: list[str]) -> list[Host]:
    """The inventory's hosts; empty with a note when it cannot be read."""
    from ictops.inventory import load_inventory

    try:
        return list(load_inventory(project.inventory_dir, project.root).hosts.values())
    except IctopsError as exc:
        notes.append(f"the inventory cannot be read, so hosts never backed up are not listed: {exc}")
        return []


def _repairs(project: Project, hosts: list[Host], data: ReportData, nights: int) -> tuple[RepairRequest, ...]:
    """Hosts unreachable ``nights`` nights in a row up to now, from the whole trail (not only
    the report's period), each with its last good backup as the backup section shows it."""
    streaks = unreachable_streaks(show(trail_path(project), kind=[ACTION]))
    good = {b.host: b.last_good for b in data.backups}
    return tuple(repair_requests(streaks, hosts, good, nights))


def collect_report(
    project: Project, *, run: str | None = None, since: dt.datetime | None = None,
    until: dt.datetime | None = None, lang: str = "th", operator: str = "",
    now: dt.datetime | None = None,
) -> ReportData:
    """The ReportData of a run (``run``) or a period (``since``/``until``)."""
    now = now or clock.now()
    notes: list[str] = []
    records = trail_records(project, run=run, since=since, until=until)
    scores = compliance_scores(project.state_dir, until)
    catalogue = load_catalogue(project)
    team = _team(project, notes)
    inventory = _inventory(project, notes)
    hosts, servers = [h.name for h in inventory], [h.name for h in inventory if h.is_server]
    reporter, director = signers(team, operator)
    period = None
    if since or until:
        start = clock.local(since if since else records[0]["time"] if records else now).date()
        period = (start, clock.local(until or now).date())
    data = ReportData.from_records(
        records, scores, backups_from_store(project.backups_dir, hosts),
        patch_states(scores, servers, lang, latest_listings(project), until),
        office=office_name(project, notes), period=period, now=now,
        reporter=reporter, director=director,
        process_names={p.number: p.name(lang) for p in catalogue.processes},
        step_names={(p.number, s.number): s.name(lang) for p in catalogue.processes for s in p.steps},
        trail_head=trail_head(trail_path(project)),
    )
    nights = load_settings(project).unreachable_nights
    return dataclasses.replace(data, extra={"notes": notes}, repair_nights=nights,
                               repairs=_repairs(project, inventory, data, nights))


def report_base(
    project: Project, run: str | None, since: dt.datetime | None, now: dt.datetime
) -> Path:
    """state/reports/<Bangkok date>-<run id or 'since-DATE' or 'all'> (no suffix)."""
    day = clock.local(now).strftime("%Y-%m-%d")
    tag = run or (f"since-{clock.local(since).date().isoformat()}" if since else "all")
    tag = re.sub(r"[^A-Za-z0-9._-]+", "_", tag)
    return project.state_dir / "reports" / f"{day}-{tag}"
