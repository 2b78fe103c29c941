"""Compliance scores for the report: each host's latest result for each rule, from every audit.

The saved audits (``state/compliance/*.json``, docs/rules.md "The saved audit") are replayed in
time order. An audit updates only what it checked: ``ictops audit --rule NET-MGMT-05 -l
role=switch`` changes that rule's result on the switches and nothing else, so the scores of
the rules it did not check stay as the last audit that did check them left them. A host's
score is computed from its current results with the engine's own formula
(``compliance.weighted_score``), and every score names the audits it comes from.

Both shapes are read: the saved audit (``"hosts": {host: {...}}``, with ``pack``, ``mode``,
``time``) and ``ictops audit --json`` output (``"hosts": [{"host", ...}]``). A file that cannot
be read is skipped with a warning in the log; it never stops the report.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.compliance.evaluate import weighted_score
from ictops.compliance.rules import Severity
from ictops.compliance.verdicts import Verdict

log = logging.getLogger("ictops.report")

PATCH_RULE = "LNX-PATCH-01"
_TIME_KEYS = ("time", "finished", "generated_at", "started", "date")


@dataclass(frozen=True)
class Audit:
    """One saved audit: when, which pack, how, which rules on how many hosts."""

    run_id: str
    time: dt.datetime
    pack: str
    mode: str
    rules: tuple[str, ...]
    hosts: int
    file: str


@dataclass(frozen=True)
class Result:
    """One rule's latest result on one host, and the audit it comes from."""

    rule: str
    status: Verdict
    severity: Severity
    message: str
    evidence: str
    audit: Audit


@dataclass(frozen=True)
class HostScore:
    """A host's current score for one pack, its history, and the audits it comes from."""

    host: str
    pack: str
    score: float | None
    trend: tuple[tuple[dt.date, float], ...]
    audits: tuple[Audit, ...]  # those that decided a current result, oldest first
    results: dict[str, Result] = field(default_factory=dict, compare=False)

    @property
    def delta(self) -> float | None:
        if len(self.trend) < 2:
            return None
        return round(self.trend[-1][1] - self.trend[-2][1], 1)

    @property
    def checked_at(self) -> dt.datetime:
        return max(a.time for a in self.audits)


@dataclass(frozen=True)
class Scores:
    """Every host's score, the fleet's, and the audits they come from (oldest first)."""

    hosts: tuple[HostScore, ...]
    fleet: float | None
    fleet_trend: tuple[tuple[dt.date, float], ...]
    audits: tuple[Audit, ...]
    pack_rules: dict[str, tuple[str, ...]]  # pack -> every rule any audit of it checked

    def complete(self, audit: Audit) -> bool:
        """True when the audit checked every rule of its pack."""
        return set(audit.rules) >= set(self.pack_rules.get(audit.pack, ()))


def _file_time(doc: dict[str, Any], path: Path) -> dt.datetime:
    for key in _TIME_KEYS:
        value = doc.get(key) or (doc.get("summary") or {}).get(key)
        if isinstance(value, str):
            try:
                return clock.parse_stored(value)
            except ValueError:
                continue
    return dt.datetime.fromtimestamp(path.stat().st_mtime, clock.UTC)


def _hosts_of(doc: Any) -> list[dict[str, Any]]:
    hosts = doc.get("hosts") if isinstance(doc, dict) else None
    if isinstance(hosts, dict):  # the saved audit: {host: {score, results...}}
        hosts = [{**v, "host": k} for k, v in hosts.items() if isinstance(v, dict)]
    if not isinstance(hosts, list):
        raise TypeError("no 'hosts' mapping or list")
    return [h for h in hosts if isinstance(h, dict) and h.get("host")]


def _result(raw: Any, audit: Audit) -> Result | None:
    if not isinstance(raw, dict) or not raw.get("rule"):
        return None
    try:
        status = Verdict.of(str(raw.get("status", "")).lower())
        severity = Severity(str(raw.get("severity") or "medium").lower())
    except ValueError:
        return None
    return Result(str(raw["rule"]), status, severity, str(raw.get("message") or ""),
                  str(raw.get("evidence") or ""), audit)


def load_audits(state_dir: Path, until: dt.datetime | None = None) -> list[tuple[Audit, list[dict]]]:
    """The saved audits up to ``until``, oldest first, with their host entries."""
    folder = state_dir / "compliance"
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            hosts = _hosts_of(doc)
            when = _file_time(doc, path)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("report: skipping %s (%s)", path, exc)
            continue
        if until is not None and when > until:
            continue
        rules = sorted({str(r.get("rule")) for h in hosts for r in h.get("results") or []
                        if isinstance(r, dict) and r.get("rule")})
        audit = Audit(
            run_id=str(doc.get("run_id") or path.stem), time=when,
            pack=str(doc.get("pack") or "th-baseline"), mode=str(doc.get("mode") or ""),
            rules=tuple(rules), hosts=len(hosts), file=path.name,
        )
        found.append((audit, hosts))
    found.sort(key=lambda pair: pair[0].time)
    return found


def replay(audits: Iterable[tuple[Audit, list[dict]]]) -> Scores:
    """Apply the audits in order: each rule's latest result per host, scores after each."""
    current: dict[tuple[str, str], dict[str, Result]] = {}  # (host, pack) -> rule -> result
    trend: dict[tuple[str, str], dict[dt.date, float]] = {}
    snapshots: list[tuple[dt.date, dict[tuple[str, str], float]]] = []
    pack_rules: dict[str, set[str]] = {}
    seen: list[Audit] = []
    for audit, hosts in audits:
        seen.append(audit)
        pack_rules.setdefault(audit.pack, set()).update(audit.rules)
        day = clock.local(audit.time).date()
        for entry in hosts:
            key = (str(entry["host"]), audit.pack)
            results = current.setdefault(key, {})
            for raw in entry.get("results") or []:
                result = _result(raw, audit)
                if result is not None:
                    results[result.rule] = result
            score = _score(results)
            if score is not None:
                trend.setdefault(key, {})[day] = score
        snapshots.append((day, {k: s for k, r in current.items() if (s := _score(r)) is not None}))
    hosts = []
    for (host, pack), results in sorted(current.items()):
        used = {id(r.audit): r.audit for r in results.values()}
        hosts.append(HostScore(
            host=host, pack=pack, score=_score(results),
            trend=tuple(sorted((trend.get((host, pack)) or {}).items())),
            audits=tuple(sorted(used.values(), key=lambda a: a.time)), results=dict(results),
        ))
    by_day: dict[dt.date, float] = {}
    for day, scores in snapshots:  # the last snapshot of a day is the day's fleet
        if scores:
            by_day[day] = round(sum(scores.values()) / len(scores), 1)
    scored = [h.score for h in hosts if h.score is not None]
    return Scores(
        hosts=tuple(hosts),
        fleet=round(sum(scored) / len(scored), 1) if scored else None,
        fleet_trend=tuple(sorted(by_day.items())),
        audits=tuple(seen),
        pack_rules={p: tuple(sorted(r)) for p, r in pack_rules.items()},
    )


def _score(results: dict[str, Result]) -> float | None:
    return weighted_score((r.status, r.severity) for r in results.values())


def compliance_scores(state_dir: Path, until: dt.datetime | None = None) -> Scores:
    """The scores as of ``until`` (default: every saved audit)."""
    return replay(load_audits(state_dir, until))
