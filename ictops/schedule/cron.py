"""The crontab path: one tagged entry per (project, playbook) in the user's crontab.

Edited through the real ``crontab`` command (``crontab -l`` / ``crontab -``), never by writing
the spool file. Each entry is two lines: a marker comment holding the schedule as JSON, then the
cron line. Lines ictops did not write are kept as they are.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass

from ictops.schedule.entry import Schedule, ScheduleError
from ictops.schedule.machinezone import MachineTime

MARK = "# ictops-schedule "
CRONTAB = "crontab"
# Debian's cron ignores longer command lines (MAX_COMMAND in its source).
MAX_LINE = 1000
_TIMEOUT = 30


@dataclass(frozen=True)
class CronEntry:
    schedule: Schedule
    line: str  # the cron line as installed
    machine_at: str  # HH:MM in the machine's clock
    machine_days: str  # cron's day-of-week field


def dow_field(days: frozenset[int]) -> str:
    """Python weekdays (Mon 0) as cron's day-of-week field (Sun 0): ``1-5``, ``0,6``, ``*``."""
    if len(days) == 7:
        return "*"
    cron = sorted((d + 1) % 7 for d in days)
    runs: list[list[int]] = []
    for day in cron:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def cron_line(schedule: Schedule, machine: MachineTime, exe: list[str] | None = None) -> str:
    """``M H * * DOW command >> log 2>&1``; ``%`` escaped (cron reads it as a newline)."""
    command = f"{schedule.shell(exe)} >>{shlex.quote(str(schedule.log_path))} 2>&1"
    line = (f"{machine.at.minute} {machine.at.hour} * * {dow_field(machine.days)} "
            + command.replace("%", "\\%"))
    if len(line) >= MAX_LINE:
        raise ScheduleError(f"the cron line would be {len(line)} characters, more than cron reads "
                            f"({MAX_LINE}); move the project to a shorter path")
    return line


def read(crontab: str = CRONTAB) -> str:
    """The current user's crontab ('' when there is none)."""
    done = _crontab([crontab, "-l"], None)
    if done.returncode != 0:
        if "no crontab for" in done.stderr:
            return ""
        raise ScheduleError(f"crontab -l failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def write(text: str, crontab: str = CRONTAB) -> None:
    done = _crontab([crontab, "-"], text)
    if done.returncode != 0:
        raise ScheduleError(f"crontab refused the new table: {done.stderr.strip() or done.returncode}")


def _crontab(argv: list[str], text: str | None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, input=text, capture_output=True, text=True, timeout=_TIMEOUT,
                              check=False)
    except FileNotFoundError:
        raise ScheduleError("the crontab command is not installed; install Debian's cron package "
                            "(apt-get install cron) or use a systemd timer (--via systemd)") from None
    except subprocess.TimeoutExpired:
        raise ScheduleError(f"{' '.join(argv)} did not answer in {_TIMEOUT}s") from None


def entries(text: str) -> list[CronEntry]:
    """ictops entries of a crontab: each marker line and the cron line after it."""
    lines = text.splitlines()
    found: list[CronEntry] = []
    for i, line in enumerate(lines):
        if not line.startswith(MARK) or i + 1 >= len(lines):
            continue
        try:
            meta = json.loads(line[len(MARK):])
            schedule = Schedule.from_meta(meta)
        except (ValueError, KeyError, TypeError):
            continue  # a damaged marker: the entry is shown by crontab -l, not by us
        fields = lines[i + 1].split(None, 5)
        if len(fields) == 6:
            found.append(CronEntry(schedule, lines[i + 1], f"{int(fields[1]):02d}:{int(fields[0]):02d}"
                                   if fields[0].isdigit() and fields[1].isdigit() else "?", fields[4]))
    return found


def _same(meta_line: str, project: str, playbook: str) -> bool:
    try:
        meta = json.loads(meta_line[len(MARK):])
    except ValueError:
        return False
    return meta.get("project") == project and meta.get("playbook") == playbook


def without(text: str, project: str, playbook: str) -> tuple[str, int]:
    """``text`` without the entries of (project, playbook); how many were removed."""
    lines = text.splitlines()
    kept: list[str] = []
    removed = 0
    skip_next = False
    for line in lines:
        if skip_next:
            skip_next = False
            continue
        if line.startswith(MARK) and _same(line, project, playbook):
            removed += 1
            skip_next = True
            continue
        kept.append(line)
    return "".join(f"{line}\n" for line in kept), removed


def with_entry(text: str, schedule: Schedule, line: str) -> str:
    """``text`` with exactly one entry for the schedule's (project, playbook): this one."""
    rest, _ = without(text, str(schedule.project), schedule.playbook)
    marker = MARK + json.dumps(schedule.meta(), ensure_ascii=False, sort_keys=True)
    return f"{rest}{marker}\n{line}\n"
