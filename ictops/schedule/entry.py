"""One scheduled playbook: what runs, when (Asia/Bangkok), as which operator, where it logs.

The command a scheduler starts is always the same: in the project directory, with
``ICTOPS_OPERATOR`` set to the operator named in the entry,
``ictops --project DIR schedule run PLAYBOOK`` (``ictops run PLAYBOOK`` with its output
appended, line by line, to ``state/logs/schedule-NAME.log``).
"""

from __future__ import annotations

import hashlib
import shlex
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ictops.clock import BANGKOK, local
from ictops.errors import IctopsError, InputError
from ictops.schedule.days import ALL_DAYS, format_days, parse_days, parse_hhmm

ZONE_NAME = "Asia/Bangkok"


class ScheduleError(IctopsError):
    """The scheduler (crontab, systemctl) refused or failed; the message says what it said."""


@dataclass(frozen=True)
class Schedule:
    """A playbook to run at ``at`` (Bangkok time) on ``days`` (0 = Monday)."""

    project: Path  # absolute
    playbook: str  # relative to the project, e.g. playbooks/nightly.yaml
    at: time
    days: frozenset[int]
    operator: str

    @property
    def slug(self) -> str:
        return slug(self.playbook)

    @property
    def log_path(self) -> Path:
        return log_path(self.project, self.playbook)

    @property
    def project_tag(self) -> str:
        """8 hex digits naming the project, so two projects' entries never collide."""
        return hashlib.sha256(str(self.project).encode()).hexdigest()[:8]

    def argv(self, exe: list[str] | None = None) -> list[str]:
        """The command the scheduler runs (without the environment and the directory)."""
        return [*(exe or ictops_command()), "--project", str(self.project), "schedule", "run",
                self.playbook]

    def shell(self, exe: list[str] | None = None) -> str:
        """The same as one /bin/sh line: cd, operator, exec (cron's form)."""
        command = " ".join(shlex.quote(a) for a in self.argv(exe))
        return (f"cd {shlex.quote(str(self.project))} && "
                f"ICTOPS_OPERATOR={shlex.quote(self.operator)} exec {command}")

    def meta(self) -> dict[str, Any]:
        """What the entry records about itself (read back by ``schedule list``)."""
        return {"project": str(self.project), "playbook": self.playbook, "at": self.at.strftime("%H:%M"),
                "days": format_days(self.days), "zone": ZONE_NAME, "operator": self.operator}

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Schedule:
        return cls(Path(str(meta["project"])), str(meta["playbook"]), parse_hhmm(str(meta["at"])),
                   parse_days(str(meta.get("days") or "daily")), str(meta.get("operator") or ""))

    def next_run(self, after: datetime) -> datetime:
        """The first start after ``after`` (aware), as an aware Bangkok time."""
        start = local(after)
        for offset in range(8):
            day: date = start.date() + timedelta(days=offset)
            moment = datetime.combine(day, self.at, tzinfo=BANGKOK)
            if day.weekday() in self.days and moment > start:
                return moment
        raise AssertionError("a schedule with no day")  # pragma: no cover - days is never empty


def slug(playbook: str) -> str:
    """playbooks/nightly.yaml -> nightly; playbooks/sub/x.yaml -> sub-x."""
    path = Path(playbook)
    parts = path.parts[1:] if len(path.parts) > 1 and path.parts[0] == "playbooks" else path.parts
    stem = "-".join((*parts[:-1], Path(parts[-1]).stem)) if parts else "playbook"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem.lstrip("/"))


def log_path(project: Path, playbook: str) -> Path:
    """Where the scheduled runs of ``playbook`` write: state/logs/schedule-NAME.log."""
    return project / "state" / "logs" / f"schedule-{slug(playbook)}.log"


def make_schedule(project: Path, playbook: str, at: str, days: str | None, operator: str) -> Schedule:
    """Validate what the officer typed (InputError, exit 2, otherwise)."""
    try:
        when = parse_hhmm(at, "--at")
        on = parse_days(days) if days else ALL_DAYS
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return Schedule(project, playbook, when, on, operator)


def ictops_command() -> list[str]:
    """How to start this ictops: the console script beside this Python, else ``python -m``."""
    script = Path(sys.executable).with_name("ictops")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "ictops"]
