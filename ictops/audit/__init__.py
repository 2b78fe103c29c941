"""The work procedure in the audit trail: the manual's catalogue, the team, the trail.

- ``Catalogue``: processes and steps of the work manual (built-in or an office's own file).
- ``Team``: the working team of process 2 step 1; ``check_operator`` refuses or flags.
- ``AuditTrail``: append-only, hash-chained JSON Lines; ``verify``, ``show``, ``prune``.
"""

from __future__ import annotations

from ictops.audit.catalogue import Catalogue, CatalogueError, Process, Step
from ictops.audit.keys import AuditKeyError, key_path, load_key
from ictops.audit.mask import Masker
from ictops.audit.record import diff_digest
from ictops.audit.retention import MIN_KEEP_DAYS, PruneResult, RetentionError, prune
from ictops.audit.show import format_record, show
from ictops.audit.team import Member, OperatorRefused, Team, TeamError, current_operator
from ictops.audit.trail import AuditTrail
from ictops.audit.verify import Problem, TornLine, VerifyReport, verify

__all__ = [
    "MIN_KEEP_DAYS",
    "AuditKeyError",
    "AuditTrail",
    "Catalogue",
    "CatalogueError",
    "Masker",
    "Member",
    "OperatorRefused",
    "Problem",
    "Process",
    "PruneResult",
    "RetentionError",
    "Step",
    "Team",
    "TeamError",
    "TornLine",
    "VerifyReport",
    "current_operator",
    "diff_digest",
    "format_record",
    "key_path",
    "load_key",
    "prune",
    "show",
    "verify",
]
