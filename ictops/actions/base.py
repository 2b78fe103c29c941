"""What an action is, for the engine and for playbooks.

A host action is any callable ``(HostContext) -> ActionResult``. An action that
needs work before or after all hosts of a step (open the backup store, commit it)
also has ``begin`` and ``end``. Check mode is the engine's business: an action
reads ``ctx.check`` and must change nothing when it is set (it reports what it
would do, as CHANGED with a diff, or OK).
"""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from ictops.engine.context import HostContext
from ictops.engine.runner import RunSettings
from ictops.results import ActionResult


@runtime_checkable
class StepAction(Protocol):
    """A per-host action with optional once-per-step set-up and tear-down."""

    name: str

    def begin(self, run: RunSettings) -> None:
        """Called once before the hosts of a step (or of an ad-hoc verb)."""
        ...

    def __call__(self, ctx: HostContext) -> ActionResult:
        """Act on one host; called in parallel for many hosts."""
        ...

    def end(self, run: RunSettings, results: Sequence[ActionResult]) -> str | None:
        """Called once after all hosts, also when some failed; returns a note for the
        recap (e.g. 'backup commit 1a2b3c'), or None."""
        ...
