"""The routine register: playbooks pre-approved for the fiscal year (work manual step 3).

``routine: true`` in a playbook is only a claim: any author can write it. A playbook runs
without a plan only when ``routine:`` in inventory/team.yaml registers it with its current
content (the SHA-256 of the playbook and every file it includes), an approver, the approval's
reference and the current fiscal year (Buddhist Era, 1 October - 30 September). Otherwise it
is refused (exit 2) or, with the setting ``routine_unregistered: flag``, run and flagged on
every record. ``ictops plans --routine`` shows the register and the entry to add.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ictops.audit.team import Routine, Team
from ictops.errors import InputError
from ictops.playbook.model import Playbook
from ictops.project import Project


class RoutineError(InputError):
    """A playbook says routine but is not registered as it is now."""


def routine_digest(playbook: Playbook, project: Project) -> str:
    """SHA-256 over the playbook and every file it includes (their paths and contents)."""
    outer = hashlib.sha256()
    for rel in playbook.files:
        inner = hashlib.sha256((project.root / rel).read_bytes()).hexdigest()
        outer.update(f"{rel}\0{inner}\n".encode())
    return outer.hexdigest()


@dataclass(frozen=True)
class RoutineStatus:
    """Where a routine playbook stands in the register."""

    playbook: str
    digest: str  # its content now
    fiscal_year: int  # now
    entry: Routine | None  # the entry that registers it now, if one does
    problem: str | None  # why it is not registered now (None: it is)

    def entry_yaml(self, approver: str = "USERNAME", order: str = "ที่ .../...") -> str:
        """The register entry that would make it routine now (for team.yaml)."""
        return (f"  - {{playbook: {self.playbook}, sha256: {self.digest}, "
                f"approved_by: {approver}, order: \"{order}\", fiscal_year: {self.fiscal_year}}}")


def routine_status(playbook: Playbook, project: Project, team: Team | None,
                   fiscal_year: int) -> RoutineStatus:
    """Is the playbook registered, with its current content, for ``fiscal_year``?"""
    digest = routine_digest(playbook, project)
    entries = team.routine_entries(playbook.path) if team else []
    current = [e for e in entries if e.sha256 == digest and e.fiscal_year == fiscal_year]
    if current:
        return RoutineStatus(playbook.path, digest, fiscal_year, current[0], None)
    if team is None:
        problem = "there is no inventory/team.yaml, so no routine register"
    elif not entries:
        problem = "it is not in the routine register (routine: in inventory/team.yaml)"
    elif all(e.sha256 != digest for e in entries):
        problem = ("its content changed since it was registered (the register has sha256 "
                   f"{entries[-1].sha256[:12]}..., it is now {digest[:12]}...)")
    else:
        years = ", ".join(str(e.fiscal_year) for e in entries)
        problem = f"it is registered for fiscal year {years}, not for {fiscal_year} (renew it)"
    return RoutineStatus(playbook.path, digest, fiscal_year, None, problem)


def check_routine(status: RoutineStatus, policy: str) -> dict[str, str]:
    """Refuse (RoutineError) a routine playbook that is not registered now, or, with the
    policy 'flag', let it run: the flags every record of the run then carries."""
    if status.problem is None:
        return {}
    if policy == "flag":
        return {"routine_unregistered": status.problem}
    raise RoutineError(
        f"{status.playbook} says routine: true but {status.problem}; register it "
        f"(see: ictops plans --routine) or run it as a change: ictops plan {status.playbook}"
    )
