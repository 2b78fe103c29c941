"""Runs as the trail tells them: one summary per run id, and each host's last real run.

A run is every record with the same ``run_id``: a playbook (``playbook.start`` ...
``playbook.end``), or a verb run by hand (``ictops backup``, ``ictops audit``). Check-mode
records (``data.check``, what ``ictops plan`` does) are what *would* happen: they make a run
of kind "check", and never count as a host's last run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ictops import clock
from ictops.audit.record import ACTION

# The worst status of a host in a run decides how the host's run is shown.
SEVERITY = {"unreachable": 4, "failed": 3, "changed": 2, "ok": 1, "skipped": 0}
RUN_LEVEL_HOSTS = (None, "", "-")


def is_host_record(rec: dict[str, Any]) -> bool:
    """An action on one host (not a run event, not a run-level step such as the report)."""
    return rec.get("kind") == ACTION and rec.get("host") not in RUN_LEVEL_HOSTS


def is_check(rec: dict[str, Any]) -> bool:
    return bool((rec.get("data") or {}).get("check"))


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: SEVERITY.get(s, -1), default="")


@dataclass
class RunSummary:
    """One run: when, who, what, and its hosts' results."""

    run_id: str
    started: dt.datetime
    ended: dt.datetime
    operator: str = ""
    title: str = ""  # the playbook, or the verbs run (backup, audit)
    check: bool = False
    routine: bool | None = None
    process: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # host statuses (worst per host)
    hosts: dict[str, str] = field(default_factory=dict)  # host -> worst status
    actions: list[str] = field(default_factory=list)
    records: int = 0
    plan: str | None = None  # the plan it carried out, or the plan it made
    finished: bool = False  # a playbook.end was written

    @property
    def status(self) -> str:
        return worst(self.hosts.values()) or ("ok" if self.finished else "")


@dataclass(frozen=True)
class HostRun:
    """A host's last run that was not a check."""

    run_id: str
    time: dt.datetime
    status: str
    actions: tuple[str, ...]


def summarise_runs(records: Iterable[dict[str, Any]]) -> list[RunSummary]:
    """One summary per run id, newest first."""
    runs: dict[str, RunSummary] = {}
    for rec in records:
        run_id = rec.get("run_id")
        if not run_id:
            continue
        moment = clock.parse_stored(rec["time"])
        run = runs.get(run_id)
        if run is None:
            run = runs[run_id] = RunSummary(run_id, moment, moment, rec.get("operator") or "")
        run.ended = max(run.ended, moment)
        run.records += 1
        data = rec.get("data") or {}
        action = rec.get("action") or ""
        if action == "playbook.start":
            run.title = str(data.get("playbook") or run.title)
            run.check = bool(data.get("check"))
            run.routine = data.get("routine")
            run.process = rec.get("process")
        elif action == "playbook.end":
            run.finished = True
        elif action == "plan.make":
            run.plan = data.get("plan")
        if data.get("plan") and action != "plan.make":
            run.plan = str(data["plan"])
        if rec.get("kind") != ACTION:
            continue
        if is_check(rec):
            run.check = True
        if action not in run.actions:
            run.actions.append(action)
        if run.process is None:
            run.process = rec.get("process")
        if is_host_record(rec):
            host = str(rec["host"])
            run.hosts[host] = worst([run.hosts.get(host, ""), rec.get("status") or ""])
    for run in runs.values():
        run.title = run.title or ", ".join(run.actions)
        run.counts = {s: 0 for s in SEVERITY}
        for status in run.hosts.values():
            run.counts[status] = run.counts.get(status, 0) + 1
    return sorted(runs.values(), key=lambda r: (r.started, r.run_id), reverse=True)


def last_runs(records: Iterable[dict[str, Any]]) -> dict[str, HostRun]:
    """Each host's last run that was not a check: its worst status there and what ran."""
    last: dict[str, tuple[str, dt.datetime, list[str], list[str]]] = {}
    for rec in records:
        if not is_host_record(rec) or is_check(rec) or not rec.get("run_id"):
            continue
        host, run_id = str(rec["host"]), str(rec["run_id"])
        moment = clock.parse_stored(rec["time"])
        known = last.get(host)
        if known is None or known[0] != run_id:
            if known is not None and moment < known[1]:
                continue  # an older run's record written late
            known = last[host] = (run_id, moment, [], [])
        known[2].append(rec.get("status") or "")
        if rec.get("action") not in known[3]:
            known[3].append(rec.get("action") or "")
    return {
        host: HostRun(run_id, moment, worst(statuses), tuple(actions))
        for host, (run_id, moment, statuses, actions) in last.items()
    }
