"""May an unattended run start now? The school calendar and the playbook's window decide.

``gate()`` is pure: the calendar, the window and the moment in, a ``Gate`` out. A run on an
excluded date, or outside its window, does nothing and says why (``stop``); otherwise it
may start, and ``deadline`` is when its window closes (hosts not started by then are
SKIPPED). A run started by hand is the officer's decision: the caller only shows ``stop``
as a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from ictops.clock import local, show
from ictops.results import Payload
from ictops.schedule.calendar import Exclusion, SchoolCalendar
from ictops.schedule.catchup import WINDOW_SKIP
from ictops.schedule.window import Window

EXCLUDED = "excluded_date"
OUTSIDE = "outside_window"


@dataclass(frozen=True)
class Gate:
    stop: str | None = None  # why nothing may run now; None: go
    kind: str | None = None  # EXCLUDED | OUTSIDE
    exclusions: tuple[Exclusion, ...] = ()
    deadline: datetime | None = None  # when the window closes (aware); None: no window

    def data(self) -> dict[str, object]:
        """For the trail record of a run that did not start."""
        return {"reason": self.kind, "excluded": [
            {"first": e.first.isoformat(), "last": e.last.isoformat(), "kind": e.kind,
             "reason": e.reason, "source": e.source} for e in self.exclusions]}


def gate(calendar: SchoolCalendar, window: Window | None, moment: datetime) -> Gate:
    day = local(moment).date()
    excluded = tuple(calendar.excluded_on(day))
    if excluded:
        why = "; ".join(e.describe() for e in excluded)
        return Gate(f"{day.isoformat()} is an excluded date of the school calendar: {why}; nothing "
                    "was run", EXCLUDED, excluded)
    if window is None:
        return Gate()
    deadline = window.closes_at(moment)
    if deadline is None:
        return Gate(f"outside the maintenance window {window.describe()} (now {show(moment, seconds=False)}); "
                    f"it opens next at {show(window.next_opening(moment), seconds=False)}; nothing was run",
                    OUTSIDE)
    return Gate(deadline=deadline)


@dataclass(frozen=True)
class WindowClosed(Payload):
    """A host not started because its run's maintenance window had closed."""

    kind: ClassVar[str] = "window"
    window: str
    closed_at: str  # stored time (UTC)

    def record(self) -> dict[str, Any]:
        return {"skipped_by": WINDOW_SKIP, "window": self.window, "closed_at": self.closed_at}


def closed_message(window: Window, deadline: datetime) -> str:
    return (f"not started: the maintenance window {window.describe()} closed at "
            f"{show(deadline, seconds=False)}")
