"""Playbooks: YAML steps tied to the work manual, run with plan / approve / run.

- ``load_playbook``: validate a playbook file (file:line errors), includes flattened.
- ``Executor``: steps in order, batches, handlers, through the engine's driver.
- ``PlanStore``, ``plan_from_run``, ``check_usable``: plans and their approval.
- The action keys a step may use: ictops/actions/registry.py. See docs/playbooks.md.
"""

from __future__ import annotations

from ictops.playbook.executor import Executor
from ictops.playbook.loader import PlaybookError, load_playbook
from ictops.playbook.model import Playbook, PlayStep
from ictops.playbook.outcome import PlaybookRun, batch_sizes, batches
from ictops.playbook.plans import Plan, PlanError, PlanStore, check_usable, plan_from_run

__all__ = [
    "Executor", "Plan", "PlanError", "PlanStore", "PlayStep", "Playbook", "PlaybookError",
    "PlaybookRun", "batch_sizes", "batches", "check_usable", "load_playbook", "plan_from_run",
]
