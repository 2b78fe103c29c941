"""Install, list and remove scheduled playbooks, by cron or a systemd timer.

``via="auto"`` picks a systemd timer when systemd is PID 1, the user's crontab otherwise.
Installing the same playbook of the same project again replaces its entry: never two.
"""

from __future__ import annotations

import shutil
import time as _time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ictops.schedule import cron, systemd
from ictops.schedule.entry import Schedule
from ictops.schedule.machinezone import to_machine

Via = Literal["auto", "cron", "systemd"]


@dataclass(frozen=True)
class Installed:
    """What an install did, for the officer to read."""

    schedule: Schedule
    via: str  # cron | systemd
    where: list[str]  # the crontab line, or the unit files
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Listed:
    schedule: Schedule
    via: str
    detail: str  # the cron line, or the timer file


def choose(via: Via) -> str:
    if via == "auto":
        return "systemd" if systemd.booted() else "cron"
    return via


def install(schedule: Schedule, via: Via = "auto", unit_dir: Path | None = None,
            exe: list[str] | None = None) -> Installed:
    how = choose(via)
    schedule.log_path.parent.mkdir(parents=True, exist_ok=True)  # cron's >> needs the directory
    if how == "cron":
        machine = to_machine(schedule.at, schedule.days, _time.time())
        line = cron.cron_line(schedule, machine, exe)
        cron.write(cron.with_entry(cron.read(), schedule, line))
        return Installed(schedule, "cron", [line], [machine.note] if machine.note else [])
    target = unit_dir or systemd.SYSTEM_DIR
    files = systemd.write(target, schedule, exe)
    notes: list[str] = []
    timer = files.timer.name
    if target == systemd.SYSTEM_DIR and systemd.booted():
        systemd.systemctl("daemon-reload")
        systemd.systemctl("enable", "--now", timer)
    else:
        why = "systemd is not running here" if not systemd.booted() else f"written to {target}"
        notes.append(f"{why}: not enabled; where it should run: copy both files to "
                     f"{systemd.SYSTEM_DIR}, then systemctl daemon-reload && systemctl enable --now {timer}")
    return Installed(schedule, "systemd", [str(files.timer), str(files.service)], notes)


def listing(project: Path | None, unit_dir: Path | None = None) -> list[Listed]:
    """Scheduled playbooks (of ``project``, or of every project when None), cron and systemd."""
    found: list[Listed] = []
    if _has_crontab():
        found += [Listed(e.schedule, "cron", e.line) for e in cron.entries(cron.read())]
    directory = unit_dir or systemd.SYSTEM_DIR
    if directory.is_dir():
        found += [Listed(s, "systemd", str(f.timer)) for s, f in systemd.installed(directory)]
    return [x for x in found if project is None or x.schedule.project == project]


def remove(project: Path, playbook: str, unit_dir: Path | None = None) -> list[str]:
    """Remove the playbook's entries (cron and systemd); what was removed."""
    removed: list[str] = []
    if _has_crontab():
        text, count = cron.without(cron.read(), str(project), playbook)
        if count:
            cron.write(text)
            removed.append(f"crontab entry ({count})" if count > 1 else "crontab entry")
    directory = unit_dir or systemd.SYSTEM_DIR
    if directory.is_dir():
        enabled = directory == systemd.SYSTEM_DIR and systemd.booted()
        for schedule, files in systemd.installed(directory):
            if schedule.project == project and schedule.playbook == playbook and enabled:
                systemd.systemctl("disable", "--now", files.timer.name)
        for files in systemd.remove(directory, project, playbook):
            removed += [str(files.timer), str(files.service)]
        if enabled and removed:
            systemd.systemctl("daemon-reload")
    return removed


def _has_crontab() -> bool:
    return shutil.which(cron.CRONTAB) is not None
