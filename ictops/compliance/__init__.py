"""Configuration compliance: rule packs, evidence, evaluation, golden configs, reports.

Typical use (what ``ictops audit`` does)::

    pack = load_pack(pack_path(project.root, "th-baseline"))
    evidence = BackupEvidence(host_backup_dir(project.backups_dir, host))  # ictops.backup.store
    result = evaluate(pack, host, evidence)
"""

from __future__ import annotations

from ictops.compliance.evaluate import (
    FleetSummary,
    HostCompliance,
    RuleResult,
    evaluate,
    exit_code,
    fleet_summary,
    parse_severity,
)
from ictops.compliance.evidence import (
    BackupEvidence,
    Evidence,
    LiveEvidence,
    StaticEvidence,
)
from ictops.compliance.packs import RulePack, RulePackError, load_pack, pack_path, rules_dir
from ictops.compliance.rules import Severity
from ictops.compliance.verdicts import Finding, Verdict

__all__ = [
    "BackupEvidence",
    "Evidence",
    "Finding",
    "FleetSummary",
    "HostCompliance",
    "LiveEvidence",
    "RulePack",
    "RulePackError",
    "RuleResult",
    "Severity",
    "StaticEvidence",
    "Verdict",
    "evaluate",
    "exit_code",
    "fleet_summary",
    "load_pack",
    "pack_path",
    "parse_severity",
    "rules_dir",
]
