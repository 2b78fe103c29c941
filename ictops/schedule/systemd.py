"""The systemd path: a ``.timer`` and a ``.service`` per (project, playbook).

Used when systemd is PID 1 (``/run/systemd/system`` exists, as sd_booted() checks). The timer
names its zone (``OnCalendar=... Asia/Bangkok``), so the machine's own zone does not matter.
Units are checked with ``systemd-analyze verify`` before they are installed, then enabled with
``systemctl``. With another unit directory (``--unit-dir``), or where systemd is not running,
the files are only written (to copy to the machine that runs them).
"""

from __future__ import annotations

import configparser
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ictops.schedule.days import DAY_NAMES
from ictops.schedule.entry import ZONE_NAME, Schedule, ScheduleError

SYSTEM_DIR = Path("/etc/systemd/system")
META = "X-Ictops"
HEADER = "# Written by 'ictops schedule install'; change it with the same command, not by hand.\n"
_TIMEOUT = 60


def booted() -> bool:
    """Is systemd PID 1 here? (sd_booted(): /run/systemd/system exists.)"""
    return Path("/run/systemd/system").is_dir()


def unit_name(schedule: Schedule) -> str:
    """``ictops-nightly-1a2b3c4d``: the playbook and its project (unit names allow [A-Za-z0-9:_.-])."""
    return f"ictops-{schedule.slug}-{schedule.project_tag}"


def calendar(schedule: Schedule) -> str:
    """``Mon..Fri *-*-* 02:00:00 Asia/Bangkok`` (no weekday part when every day)."""
    when = f"*-*-* {schedule.at:%H:%M}:00 {ZONE_NAME}"
    if len(schedule.days) == 7:
        return when
    runs: list[list[int]] = []
    for day in sorted(schedule.days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    name = [d.capitalize() for d in DAY_NAMES]
    weekdays = ",".join(name[r[0]] if len(r) == 1 else f"{name[r[0]]}..{name[r[-1]]}" for r in runs)
    return f"{weekdays} {when}"


def quote(arg: str) -> str:
    """One ExecStart= argument: specifiers (%) and variables ($) escaped, quoted when needed."""
    text = arg.replace("%", "%%").replace("$", "$$")
    if text and all(c.isalnum() or c in "/._-:=+,@" for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_service(schedule: Schedule, exe: list[str] | None = None, user: str | None = None) -> str:
    user = user or pwd.getpwuid(os.getuid()).pw_name
    command = " ".join(quote(a) for a in schedule.argv(exe))
    project = str(schedule.project).replace("%", "%%")
    log = str(schedule.log_path).replace("%", "%%")
    return (
        f"{HEADER}[Unit]\n"
        f"Description=ictops: {schedule.playbook} in {project}\n"
        "\n[Service]\n"
        "Type=oneshot\n"
        f"User={user}\n"
        f"WorkingDirectory={project}\n"
        f"Environment={quote('ICTOPS_OPERATOR=' + schedule.operator)}\n"
        f"ExecStart={command}\n"
        f"StandardOutput=append:{log}\n"
        "StandardError=inherit\n"
        "# On stop, SIGTERM to 'schedule run' only (mixed), which passes it on to the run once:\n"
        "# no new host starts, the remote commands are stopped, 'interrupted' is recorded and\n"
        "# the lock released (exit 143). SIGKILL for what is left after TimeoutStopSec.\n"
        "KillSignal=SIGTERM\n"
        "KillMode=mixed\n"
        "TimeoutStopSec=5min\n"
    )


def render_timer(schedule: Schedule) -> str:
    meta = "".join(f"{k.capitalize()}={v}\n" for k, v in schedule.meta().items())
    return (
        f"{HEADER}[Unit]\n"
        f"Description=ictops: {schedule.playbook} at {schedule.at:%H:%M} Bangkok time\n"
        "\n[Timer]\n"
        f"OnCalendar={calendar(schedule)}\n"
        "AccuracySec=1min\n"
        "# A night missed while the machine was off is not run in the morning: the playbook's\n"
        "# window decides, and the next night's run starts with the hosts that were missed.\n"
        "Persistent=false\n"
        f"Unit={unit_name(schedule)}.service\n"
        "\n[Install]\n"
        "WantedBy=timers.target\n"
        f"\n[{META}]\n{meta.replace('%', '%%')}"
    )


@dataclass(frozen=True)
class UnitFiles:
    timer: Path
    service: Path


def paths(unit_dir: Path, schedule: Schedule) -> UnitFiles:
    name = unit_name(schedule)
    return UnitFiles(unit_dir / f"{name}.timer", unit_dir / f"{name}.service")


def verify(files: UnitFiles) -> None:
    """``systemd-analyze verify`` the pair, where it is installed; ScheduleError with its words."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return
    done = _run([tool, "verify", str(files.timer), str(files.service)])
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split())
        raise ScheduleError(f"systemd-analyze verify refused the units: {said}")


def write(unit_dir: Path, schedule: Schedule, exe: list[str] | None = None) -> UnitFiles:
    """Write (or rewrite) the pair, verified first in a scratch directory beside them."""
    unit_dir.mkdir(parents=True, exist_ok=True)
    files = paths(unit_dir, schedule)
    scratch = unit_dir / f".{unit_name(schedule)}.new"
    scratch.mkdir(exist_ok=True)
    try:
        trial = paths(scratch, schedule)
        trial.service.write_text(render_service(schedule, exe), encoding="utf-8")
        trial.timer.write_text(render_timer(schedule), encoding="utf-8")
        verify(trial)
        os.replace(trial.service, files.service)
        os.replace(trial.timer, files.timer)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return files


def installed(unit_dir: Path) -> list[tuple[Schedule, UnitFiles]]:
    """Every ictops timer in ``unit_dir`` with the schedule it records."""
    found = []
    for timer in sorted(unit_dir.glob("ictops-*.timer")):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(timer, encoding="utf-8")
            meta = {k: v.replace("%%", "%") for k, v in parser[META].items()}
            found.append((Schedule.from_meta(meta), UnitFiles(timer, timer.with_suffix(".service"))))
        except (configparser.Error, KeyError, ValueError):
            continue
    return found


def remove(unit_dir: Path, project: Path, playbook: str) -> list[UnitFiles]:
    removed = []
    for schedule, files in installed(unit_dir):
        if schedule.project == project and schedule.playbook == playbook:
            for path in (files.timer, files.service):
                path.unlink(missing_ok=True)
            removed.append(files)
    return removed


def systemctl(*args: str) -> None:
    done = _run(["systemctl", *args])
    if done.returncode != 0:
        raise ScheduleError(f"systemctl {' '.join(args)} failed: {(done.stderr or done.stdout).strip()}")


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except FileNotFoundError:
        raise ScheduleError(f"{argv[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise ScheduleError(f"{' '.join(argv)} did not answer in {_TIMEOUT}s") from None
