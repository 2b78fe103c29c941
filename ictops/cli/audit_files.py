"""``ictops audit --files``: audit configuration files that are not in the backup store."""

from __future__ import annotations

from collections.abc import Sequence

from ictops.audit.catalogue import verb_record
from ictops.audit.recorder import new_run_id, record_event
from ictops.audit.team import resolve_operator
from ictops.compliance import HostCompliance, RulePack
from ictops.compliance.files import audit_files, load_files
from ictops.project import Project


def audit_files_cmd(
    project: Project, pack: RulePack, paths: Sequence[str], platform: str | None,
    rules: Sequence[str],
) -> tuple[list[HostCompliance], list[str]]:
    """(the audit of each file, notes to show). Recorded as one event of the audit verb's step."""
    operator = resolve_operator(project)
    configs, skipped = load_files(paths, platform)
    compliances = audit_files(pack, configs, rules or None)
    process, step = verb_record("audit") or (7, 4)
    scores = ", ".join(f"{c.host} {c.score if c.score is not None else '-'}" for c in compliances)
    record_event(
        project, run_id=new_run_id(), operator=operator.name, action="audit.files", status="ok",
        process=process, step=step,
        summary=f"{len(configs)} configuration file(s) audited against {pack.name}: {scores}",
        data={"files": [c.shown for c in configs], "platforms": sorted({c.platform for c in configs}),
              "skipped": len(skipped), **operator.flags},
    )
    detected = [f"{c.shown}: recognised as {c.platform}" for c in configs if c.detected]
    return compliances, [*detected, *(f"skipped {s}" for s in skipped)]
