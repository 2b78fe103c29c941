"""Check compliance with a rule pack (read-only): evaluate a rule pack on each host, save the audit at the end.

``ictops audit`` and the playbook step run :class:`AuditAction` through the engine the same
way: ``begin``, ``read(ctx)`` per host (in parallel), ``end`` which writes
``state/compliance/<run_id>.json`` (format in docs/rules.md). Each host's result carries its
:class:`HostCompliance` as a ``ComplianceData`` payload (``compliance_of(result)``).

Compliance verdicts and transport trouble are kept apart: a host that was evaluated is OK
whatever its verdicts; a host with no backup yet is SKIPPED (its rules ERROR "no backup yet");
a host that cannot be reached for live evidence is UNREACHABLE (with ``--live-rules`` its
backup-based verdicts are still there).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import model_validator

from ictops import clock
from ictops.actions.base import Context, RunSettings, StepNote
from ictops.backup.store import host_backup_dir
from ictops.compliance import (
    BackupEvidence,
    HostCompliance,
    LiveEvidence,
    RulePack,
    RuleResult,
    Verdict,
    evaluate,
    fleet_summary,
    load_pack,
    pack_path,
)
from ictops.connections.base import SessionError
from ictops.errors import InputError
from ictops.inventory.host import Host
from ictops.masking import mask_line
from ictops.patchlog import save_listing
from ictops.project import Project
from ictops.results import ActionResult, Outcome, Payload, Status, attach
from ictops.validation import StrictModel

NO_BACKUP = "no backup yet: run ictops backup"
COMPLIANCE_DIR = "compliance"


class Args(StrictModel):
    pack: str = "th-baseline"
    from_backup: bool | None = None  # default: from the backups unless live
    live: bool = False  # read every rule from the device
    live_rules: bool = False  # from the backups, plus the rules that need the device, live
    rules: list[str] | None = None  # only these rule ids

    @model_validator(mode="after")
    def _one_source(self) -> Args:
        if self.live and self.from_backup:
            raise ValueError("'live' and 'from_backup' exclude each other; use from_backup "
                             "with live_rules for live rules only")
        return self


def build(args: Args, project: Project) -> AuditAction:
    """The playbook's ``audit:`` step."""
    return AuditAction(pack=load_pack(pack_path(project.root, args.pack)), live=args.live,
                       live_rules=args.live_rules,
                       rule_ids=tuple(args.rules) if args.rules else None)


def validate(args: Args, project: Project, names: Collection[str] = ()) -> None:
    """At load time: the pack loads and names every rule asked for."""
    build(args, project)


def compliance_dir(project: Project) -> Path:
    """``state/compliance/``: one JSON file per audit run."""
    return project.state_dir / COMPLIANCE_DIR


@dataclass
class AuditAction:
    """Audit hosts against ``pack``.

    ``live``: read every rule from the device. Otherwise the host's latest backup is read
    (the nightly way) and rules marked ``live`` are ERROR, unless ``live_rules`` is set: then
    those rules alone are read from the device. ``rule_ids``: only these rules.
    """

    pack: RulePack
    live: bool = False
    live_rules: bool = False
    rule_ids: tuple[str, ...] | None = None
    save: bool = True
    name: str = "audit"
    saved_to: Path | None = field(default=None, init=False)
    _time: datetime | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.rule_ids is not None:
            known = {rule.id for rule in self.pack.rules}
            unknown = [r for r in self.rule_ids if r not in known]
            if unknown:
                raise InputError(
                    f"pack '{self.pack.name}' has no rule {', '.join(unknown)}; "
                    f"rules: {', '.join(sorted(known))}"
                )

    @property
    def mode(self) -> str:
        """``backup``, ``live`` or ``backup+live-rules`` (for messages and the saved audit)."""
        if self.live:
            return "live"
        return "backup+live-rules" if self.live_rules else "backup"

    # --- step hooks and the read ---------------------------------------------------------
    def begin(self, run: RunSettings) -> None:
        self._time = clock.now()
        self.saved_to = None

    def read(self, ctx: Context) -> Outcome:
        host = ctx.host
        backup = BackupEvidence(host_backup_dir(ctx.project.backups_dir, host))
        has_backup = (backup.host_dir / "meta.json").is_file()
        if self.live:
            try:
                ctx.facts.session("switch" if host.is_switch else "server")
            except SessionError as exc:
                raise self._unreachable(host, exc, None) from None
            evidence = LiveEvidence(ctx.facts, host, backup=backup if has_backup else None)
            compliance = evaluate(self.pack, host, evidence, rule_ids=self.rule_ids)
            _keep_listing(ctx, evidence)
            return self._done(compliance)
        if not has_backup:
            compliance = unavailable(self.pack, host, NO_BACKUP, "no backup", self.rule_ids)
            return self._done(compliance, Status.SKIPPED, NO_BACKUP)
        live_evidence = None
        if self.live_rules and self._needs_device(host):
            try:
                ctx.facts.session("switch" if host.is_switch else "server")
            except SessionError as exc:
                compliance = evaluate(self.pack, host, backup, rule_ids=self.rule_ids)
                raise self._unreachable(host, exc, compliance) from None
            live_evidence = LiveEvidence(ctx.facts, host, backup=backup)
        compliance = evaluate(
            self.pack, host, backup, live_evidence=live_evidence, rule_ids=self.rule_ids
        )
        if live_evidence is not None:
            _keep_listing(ctx, live_evidence)
        return self._done(compliance)

    def end(self, run: RunSettings, results: Sequence[ActionResult]) -> StepNote | None:
        """Save the audit to ``state/compliance/<run_id>.json``; the note names the file."""
        if not self.save or run.check:
            return None
        document = audit_document(
            run.run_id, self._time or clock.now(), self.pack.name, self.mode,
            [c for c in (compliance_of(r) for r in results) if c is not None],
        )
        directory = compliance_dir(run.project)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{run.run_id}.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        os.replace(temporary, path)
        self.saved_to = path
        fleet = document["fleet"]
        score = "-" if fleet["score"] is None else f"{fleet['score']:g}"
        return StepNote(f"audit saved to {run.project.relative(path)} (fleet score {score})")

    # --- helpers --------------------------------------------------------------------------
    def _needs_device(self, host: Host) -> bool:
        wanted = set(self.rule_ids) if self.rule_ids is not None else None
        return any(
            rule.live
            and rule.check_for(host.platform_name) is not None
            and (wanted is None or rule.id in wanted)
            for rule in self.pack.rules
        )

    def _done(self, compliance: HostCompliance, status: Status = Status.OK,
              message: str | None = None) -> Outcome:
        return Outcome(status, message or summary_line(compliance),
                       payload=ComplianceData(compliance))

    def _unreachable(self, host: Host, exc: SessionError,
                     compliance: HostCompliance | None) -> SessionError:
        """The device cannot be read: live rules (or all of them) ERROR; the engine makes the
        host UNREACHABLE/FAILED from the SessionError, with this compliance attached."""
        reason = f"cannot reach the device: {exc.message}"
        if compliance is None:
            compliance = unavailable(self.pack, host, reason, "live", self.rule_ids)
        else:
            compliance = _replace_live_errors(self.pack, compliance, reason)
        return attach(exc, ComplianceData(compliance))


def _keep_listing(ctx: Context, evidence: LiveEvidence) -> None:
    """A patch listing read live (LNX-PATCH-01) is the server's latest: kept for the report."""
    if evidence.listing is not None and not ctx.check:
        save_listing(ctx.project, ctx.host.name, evidence.listing, "audit", ctx.run.run_id)


@dataclass(frozen=True)
class ComplianceData(Payload):
    """An audit result's compliance: every rule's verdict on the host."""

    kind: ClassVar[str] = "compliance"
    compliance: HostCompliance

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.compliance.score, "counts": _counts(self.compliance)}

    def record(self) -> dict[str, Any]:
        return {"score": self.compliance.score}


def compliance_of(result: ActionResult) -> HostCompliance | None:
    """The HostCompliance an audit result carries (None for a result of another action)."""
    payload = result.payload
    return payload.compliance if isinstance(payload, ComplianceData) else None


def summary_line(compliance: HostCompliance) -> str:
    """``score 72.5: 10 pass, 3 fail, 1 warn, 2 error``."""
    counts = compliance.counts
    parts = [f"{counts[v.value]} {v.value}" for v in Verdict if counts[v.value] and v != Verdict.NA]
    score = "-" if compliance.score is None else f"{compliance.score:g}"
    return f"score {score}: " + (", ".join(parts) or "no rule applies")


def unavailable(
    pack: RulePack, host: Host, reason: str, source: str, rule_ids: Sequence[str] | None = None
) -> HostCompliance:
    """Every applicable rule ERROR with ``reason`` (N/A where the rule has no check)."""
    wanted = set(rule_ids) if rule_ids is not None else None
    results = []
    for rule in pack.rules:
        if wanted is not None and rule.id not in wanted:
            continue
        applies = rule.check_for(host.platform_name) is not None
        results.append(
            RuleResult(
                rule_id=rule.id,
                title_th=rule.title.th,
                title_en=rule.title.en,
                status=Verdict.ERROR if applies else Verdict.NA,
                severity=rule.severity,
                message=reason if applies else rule.na_reason(host.platform_name),
                feature=rule.feature,
            )
        )
    return HostCompliance(
        host=host.name, platform=host.platform_name, pack=pack.name, source=source,
        results=tuple(results),
    )


def _replace_live_errors(pack: RulePack, compliance: HostCompliance, reason: str) -> HostCompliance:
    live = {rule.id for rule in pack.rules if rule.live}
    results = tuple(
        dataclasses.replace(r, message=reason)
        if r.rule_id in live and r.status == Verdict.ERROR
        else r
        for r in compliance.results
    )
    return HostCompliance(
        host=compliance.host, platform=compliance.platform, pack=compliance.pack,
        source=compliance.source, results=results,
    )


def _counts(compliance: HostCompliance) -> dict[str, int]:
    counts = compliance.counts
    return {("na" if key == "n/a" else key): value for key, value in counts.items()}


def audit_document(
    run_id: str, moment: datetime, pack: str, mode: str, hosts: Sequence[HostCompliance]
) -> dict[str, Any]:
    """The saved audit (docs/rules.md, "The saved audit"); evidence masked again for safety."""
    summary = fleet_summary(hosts)
    fleet_counts = {("na" if k == "n/a" else k): v for k, v in summary.counts.items()}
    return {
        "run_id": run_id,
        "time": clock.stamp(moment),
        "pack": pack,
        "mode": mode,
        "fleet": {
            "score": summary.average_score,
            "counts": fleet_counts,
            "hosts": summary.hosts,
            "failing_hosts": list(summary.failing_hosts),
        },
        "hosts": {
            host.host: {
                "platform": host.platform,
                "source": host.source,
                "score": host.score,
                "counts": _counts(host),
                "results": [
                    {
                        "rule": r.rule_id,
                        "status": r.status.value,
                        "severity": r.severity.value,
                        "message": mask_line(r.message, host.platform),
                        "evidence": mask_line(r.evidence, host.platform),
                    }
                    for r in host.results
                ],
            }
            for host in hosts
        },
    }
