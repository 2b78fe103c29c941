"""Compliance as the director's report counts it, for the dashboard.

Scores come from ``ictops.report.scores`` (each host's latest result for each rule, over
every saved audit in ``state/compliance``); pending updates from ``ictops.report.sources``
(LNX-PATCH-01, "unknown" with the reason when it could not tell); rule titles from the rule
pack the audits name. The filters (school, district, platform, severity) work on these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from ictops.compliance import load_pack, pack_path
from ictops.compliance.evaluate import weighted_score
from ictops.compliance.rules import Severity
from ictops.compliance.verdicts import Verdict
from ictops.errors import IctopsError
from ictops.project import Project
from ictops.report.model import PendingPatches
from ictops.report.scores import HostScore, Result, Scores, compliance_scores
from ictops.report.sources import patch_states
from ictops.web.sources import HostInfo

SEVERITIES = tuple(s.value for s in Severity)
VERDICTS = tuple(v.value for v in Verdict)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title_th: str
    title_en: str
    severity: str

    def title(self, lang: str) -> str:
        return self.title_th if lang == "th" else self.title_en


@dataclass
class ComplianceData:
    """Each host's current results for the pack audited last, its trend, and the rules."""

    pack: str | None = None
    hosts: dict[str, HostScore] = field(default_factory=dict)
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    pending: dict[str, PendingPatches] = field(default_factory=dict)
    pending_en: dict[str, PendingPatches] = field(default_factory=dict)
    audits: int = 0
    last_audit: dt.datetime | None = None
    error: str | None = None

    def pending_for(self, host: str, lang: str) -> PendingPatches | None:
        return (self.pending if lang == "th" else self.pending_en).get(host)


def read_compliance(project: Project, hosts: dict[str, HostInfo]) -> ComplianceData:
    """The compliance state of the project (an empty one when nothing was audited yet)."""
    scores = compliance_scores(project.state_dir)
    if not scores.audits:
        return ComplianceData()
    pack = scores.audits[-1].pack
    current = {h.host: h for h in scores.hosts if h.pack == pack}
    servers = [n for n, info in hosts.items() if info.role == "server" or info.platform == "linux"]
    data = ComplianceData(
        pack=pack, hosts=current, audits=len(scores.audits), last_audit=scores.audits[-1].time,
        pending={p.host: p for p in patch_states(scores, servers, "th")},
        pending_en={p.host: p for p in patch_states(scores, servers, "en")},
    )
    data.rules = _rules(project, pack, scores, data)
    return data


def _rules(project: Project, pack: str, scores: Scores, data: ComplianceData) -> dict[str, RuleInfo]:
    """The pack's rules with their titles; rules no longer in the pack keep their id as title."""
    found: dict[str, RuleInfo] = {}
    try:
        for rule in load_pack(pack_path(project.root, pack)).rules:
            found[rule.id] = RuleInfo(rule.id, rule.title.th, rule.title.en, rule.severity.value)
    except IctopsError as exc:
        data.error = str(exc).splitlines()[0]
    for host in data.hosts.values():
        for result in host.results.values():
            if result.rule not in found:
                found[result.rule] = RuleInfo(result.rule, result.rule, result.rule,
                                              result.severity.value)
    return dict(sorted(found.items()))


def score_of(results: Iterable[Result]) -> float | None:
    """The engine's own score formula over some of a host's results (a severity filter)."""
    return weighted_score((r.status, r.severity) for r in results)


@dataclass(frozen=True)
class RuleRow:
    """One rule over the selected hosts: how many hosts are in each verdict."""

    rule: RuleInfo
    counts: dict[str, int]

    @property
    def checked(self) -> int:
        return sum(self.counts[v] for v in ("pass", "fail", "warn"))

    @property
    def passing(self) -> float | None:
        return round(100 * self.counts["pass"] / self.checked, 1) if self.checked else None


def rule_rows(data: ComplianceData, names: Iterable[str], severity: str | None) -> list[RuleRow]:
    """Per rule, the verdict counts over the hosts ``names`` (one severity, or all)."""
    counts: dict[str, dict[str, int]] = {}
    for name in names:
        host = data.hosts.get(name)
        for result in host.results.values() if host else ():
            if severity and result.severity.value != severity:
                continue
            row = counts.setdefault(result.rule, dict.fromkeys(VERDICTS, 0))
            row[result.status.value] += 1
    return [
        RuleRow(data.rules[rule], counts[rule])
        for rule in data.rules if rule in counts
    ]


def trend(data: ComplianceData, names: Iterable[str]) -> list[tuple[dt.date, float]]:
    """The average score of the hosts ``names`` on each day an audit scored any of them.

    A host counts on a day with its score of that day, or its last score before it."""
    series = [data.hosts[n].trend for n in names if n in data.hosts and data.hosts[n].trend]
    days = sorted({day for points in series for day, _ in points})
    sums, counts = [0.0] * len(days), [0] * len(days)
    for points in series:  # each sorted by day: carry the last score forward
        last, j = None, 0
        for i, day in enumerate(days):
            while j < len(points) and points[j][0] <= day:
                last, j = points[j][1], j + 1
            if last is not None:
                sums[i] += last
                counts[i] += 1
    return [(day, round(sums[i] / counts[i], 1)) for i, day in enumerate(days) if counts[i]]
