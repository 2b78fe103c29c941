"""Evaluate a rule pack on a host, score the host, summarise the fleet, decide the exit code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ictops import clock
from ictops.compliance.checks import CheckContext, evaluate_check
from ictops.compliance.evidence import Evidence
from ictops.compliance.packs import RulePack
from ictops.compliance.rules import Rule, Severity
from ictops.compliance.templating import host_context, render_lines
from ictops.compliance.verdicts import Finding, Verdict
from ictops.connections.base import SessionError
from ictops.errors import ExitCode
from ictops.facts import FactError
from ictops.inventory.host import Host
from ictops.masking import mask_line

LIVE_NEEDED = "needs the device; run with --live"


@dataclass(frozen=True)
class RuleResult:
    """One rule on one host."""

    rule_id: str
    title_th: str
    title_en: str
    status: Verdict
    severity: Severity
    message: str
    evidence: str = ""  # the deciding line, secrets masked
    where: str = ""  # "running-config:42", "/etc/ssh/sshd_config:12", "sshd_effective"
    remediation: tuple[str, ...] = ()  # config lines for SwitchSession.configure()
    remediation_text_th: str = ""
    remediation_text_en: str = ""
    feature: str | None = None
    basis: tuple[str, ...] = ()  # "Computer Crime Act B.E. 2550 s.26 [verified]"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "title": {"th": self.title_th, "en": self.title_en},
            "status": self.status.value,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": self.evidence,
            "where": self.where,
            "remediation": list(self.remediation),
            "remediation_text": {"th": self.remediation_text_th, "en": self.remediation_text_en},
            "feature": self.feature,
            "basis": list(self.basis),
        }


def weighted_score(verdicts: Iterable[tuple[Verdict, Severity]]) -> float | None:
    """The score of a host's results (docs/rules.md): severity-weighted share of PASS, a WARN
    counting half; N/A and ERROR are not scored. None when nothing was scored."""
    earned = total = 0.0
    for status, severity in verdicts:
        weight = severity.weight
        if status == Verdict.PASS:
            earned += weight
        elif status == Verdict.WARN:
            earned += weight / 2
        elif status != Verdict.FAIL:
            continue  # N/A and ERROR are not scored (ERROR is reported apart)
        total += weight
    return round(100 * earned / total, 1) if total else None


@dataclass(frozen=True)
class HostCompliance:
    """Every rule of a pack on one host, with the host's score."""

    host: str
    platform: str
    pack: str
    source: str  # "backup of 2025-...", "live"
    results: tuple[RuleResult, ...]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(result.status.value for result in self.results)
        return {verdict.value: counted.get(verdict.value, 0) for verdict in Verdict}

    @property
    def score(self) -> float | None:
        """0-100: severity-weighted share of passed rules, a WARN counting half (docs/rules.md)."""
        return weighted_score((r.status, r.severity) for r in self.results)

    def failed(self, at_least: Severity = Severity.INFO) -> list[RuleResult]:
        return [
            r for r in self.results if r.status == Verdict.FAIL and r.severity.rank >= at_least.rank
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "platform": self.platform,
            "pack": self.pack,
            "source": self.source,
            "score": self.score,
            "counts": self.counts,
            "results": [r.to_dict() for r in self.results],
        }


@dataclass(frozen=True)
class FleetSummary:
    """All hosts of an audit at a glance."""

    hosts: int
    counts: dict[str, int]
    average_score: float | None
    failing_hosts: tuple[str, ...]
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> verdict -> hosts

    def to_dict(self) -> dict[str, Any]:
        return {
            "hosts": self.hosts,
            "counts": self.counts,
            "average_score": self.average_score,
            "failing_hosts": list(self.failing_hosts),
            "by_rule": self.by_rule,
        }


def _remediation(
    rule: Rule, platform: str, finding: Finding, variables: dict[str, Any], host: Host
) -> tuple[str, ...]:
    template = rule.remediation.commands.get(platform)
    if template is None or finding.verdict not in (Verdict.FAIL, Verdict.WARN):
        return ()
    context = {**variables, "host": host_context(host), "sections": list(finding.sections)}
    try:
        return tuple(render_lines(template, context))
    except Exception as exc:  # a template error must not stop the audit  # noqa: BLE001
        return (f"! cannot render the remediation: {exc}",)


def evaluate_rule(rule: Rule, host: Host, ctx: CheckContext, *, live_ok: bool) -> RuleResult:
    """One rule on one host (never raises for host trouble)."""
    platform = host.platform_name
    check = rule.check_for(platform)
    if check is None:
        finding = Finding(Verdict.NA, rule.na_reason(platform))
    elif rule.live and not live_ok:
        finding = Finding(Verdict.ERROR, LIVE_NEEDED)
    else:
        try:
            finding = evaluate_check(check, ctx)
        except (SessionError, FactError) as exc:
            finding = Finding(Verdict.ERROR, f"cannot read the device: {exc.message}")
    basis = tuple(
        f"{b.ref} {b.clause}" + ("" if b.verified else " [unverified]") for b in rule.basis
    )
    return RuleResult(
        rule_id=rule.id,
        title_th=rule.title.th,
        title_en=rule.title.en,
        status=finding.verdict,
        severity=rule.severity,
        message=finding.message,
        evidence=mask_line(finding.evidence, host.platform)[:300],
        where=finding.where,
        remediation=_remediation(rule, platform, finding, ctx.vars, host),
        remediation_text_th=rule.remediation.text.th
        if finding.verdict in (Verdict.FAIL, Verdict.WARN)
        else "",
        remediation_text_en=rule.remediation.text.en
        if finding.verdict in (Verdict.FAIL, Verdict.WARN)
        else "",
        feature=rule.feature,
        basis=basis,
    )


def evaluate(
    pack: RulePack,
    host: Host,
    evidence: Evidence,
    *,
    live_evidence: Evidence | None = None,
    now: datetime | None = None,
    rule_ids: Iterable[str] | None = None,
) -> HostCompliance:
    """Evaluate ``pack`` on ``host``. Rules marked ``live`` read ``live_evidence`` (or ``evidence``
    when it is itself live); without one they are ERROR ("needs the device; run with --live")."""
    variables = pack.vars_for(host)
    moment = now or clock.now()
    ctx = CheckContext(evidence=evidence, platform=host.platform_name, vars=variables, now=moment)
    live = live_evidence or (evidence if evidence.is_live else None)
    live_ctx = (
        CheckContext(evidence=live, platform=host.platform_name, vars=variables, now=moment)
        if live
        else None
    )
    wanted = set(rule_ids) if rule_ids is not None else None
    results = []
    for rule in pack.rules:
        if wanted is not None and rule.id not in wanted:
            continue
        use = live_ctx if (rule.live and live_ctx is not None) else ctx
        results.append(evaluate_rule(rule, host, use, live_ok=live_ctx is not None))
    return HostCompliance(
        host=host.name,
        platform=host.platform_name,
        pack=pack.name,
        source=evidence.describe(),
        results=tuple(results),
    )


def fleet_summary(hosts: Iterable[HostCompliance]) -> FleetSummary:
    """Counts, average score and failing hosts of a whole audit."""
    hosts = list(hosts)
    counts: Counter[str] = Counter()
    by_rule: dict[str, Counter[str]] = {}
    for host in hosts:
        for result in host.results:
            counts[result.status.value] += 1
            by_rule.setdefault(result.rule_id, Counter())[result.status.value] += 1
    scores = [h.score for h in hosts if h.score is not None]
    return FleetSummary(
        hosts=len(hosts),
        counts={verdict.value: counts.get(verdict.value, 0) for verdict in Verdict},
        average_score=round(sum(scores) / len(scores), 1) if scores else None,
        failing_hosts=tuple(h.host for h in hosts if h.failed()),
        by_rule={rule: dict(c) for rule, c in by_rule.items()},
    )


def parse_severity(value: str | Severity | None) -> Severity | None:
    """``--fail-on`` text -> Severity (None/"never" -> None). Raises ValueError with the choices."""
    if value is None or isinstance(value, Severity):
        return value
    if value.lower() in ("never", "none", ""):
        return None
    try:
        return Severity(value.lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ValueError(f"unknown severity '{value}'; use one of: {choices}, never") from None


def exit_code(
    hosts: Iterable[HostCompliance], fail_on: str | Severity | None = Severity.INFO
) -> ExitCode:
    """ExitCode.FAILED when any rule FAILed at or above ``fail_on``; OK otherwise (or when None)."""
    threshold = parse_severity(fail_on)
    if threshold is None:
        return ExitCode.OK
    return ExitCode.FAILED if any(h.failed(threshold) for h in hosts) else ExitCode.OK
