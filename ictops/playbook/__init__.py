"""Playbooks: YAML steps tied to the work manual, run with plan / approve / run.

- ``load_playbook``: validate a playbook file (file:line errors), includes flattened.
- ``Executor`` / ``run_playbook``: steps in order, batches, check mode, handlers.
- ``PlanStore``, ``plan_from_run``, ``check_usable``: plans and their approval.
- ``default_registry``: the action keys a step may use. See docs/playbooks.md.
"""

from __future__ import annotations

from ictops.playbook.actions import ActionSpec, Registry, RunInfo, default_registry
from ictops.playbook.executor import Executor, PlaybookRun, batch_sizes, batches, run_playbook
from ictops.playbook.loader import PlaybookError, load_playbook
from ictops.playbook.model import Playbook, PlayStep
from ictops.playbook.plans import Plan, PlanError, PlanStore, check_usable, plan_from_run

__all__ = [
    "ActionSpec", "Executor", "Plan", "PlanError", "PlanStore", "PlayStep", "Playbook",
    "PlaybookError", "PlaybookRun", "Registry", "RunInfo", "batch_sizes", "batches", "check_usable",
    "default_registry", "load_playbook", "plan_from_run", "run_playbook",
]
