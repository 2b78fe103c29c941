"""systemd timer and service: accepted by systemd's own parser (systemd-analyze verify), firing
at the Bangkok time asked for (systemd-analyze calendar), running the right command."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from datetime import datetime

import pytest

from ictops.clock import BANGKOK
from ictops.schedule import systemd
from ictops.schedule.entry import ScheduleError, make_schedule

ANALYZE = shutil.which("systemd-analyze")


def _require_analyze() -> str:
    # make test installs Debian's systemd package (it does not make systemd PID 1 or start
    # anything); without it this test cannot check anything, so it fails rather than skips
    assert ANALYZE, "systemd-analyze is missing: apt-get install systemd (make test does)"
    return ANALYZE


def _exe() -> list[str]:
    return [sys.executable, "-m", "ictops"]  # exists, so verify can check ExecStart


def test_units_verify_and_name_the_command(tmp_path):
    analyze = _require_analyze()
    project = tmp_path / "district office"
    schedule = make_schedule(project, "playbooks/nightly.yaml", "02:00", "mon-fri", "ictops")
    files = systemd.write(tmp_path / "units", schedule, _exe())
    assert files.timer.name == f"ictops-nightly-{schedule.project_tag}.timer"
    done = subprocess.run([analyze, "verify", str(files.timer), str(files.service)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(files.service)
    assert shlex.split(service["Service"]["ExecStart"]) == [
        *_exe(), "--project", str(project), "schedule", "run", "playbooks/nightly.yaml"]
    assert service["Service"]["WorkingDirectory"] == str(project)
    assert service["Service"]["Environment"] == "ICTOPS_OPERATOR=ictops"
    assert service["Service"]["StandardOutput"] == f"append:{project}/state/logs/schedule-nightly.log"
    timer = configparser.ConfigParser(interpolation=None, strict=False)
    timer.read(files.timer)
    assert timer["Timer"]["OnCalendar"] == "Mon..Fri *-*-* 02:00:00 Asia/Bangkok"
    assert timer["Timer"]["Unit"] == files.service.name


def test_timer_fires_at_bangkok_times(tmp_path):
    analyze = _require_analyze()
    schedule = make_schedule(tmp_path, "playbooks/nightly.yaml", "02:00", "sat,mon,tue", "ictops")
    spec = systemd.calendar(schedule)
    done = subprocess.run([analyze, "calendar", "--iterations=4", "--base-time=2026-11-27 12:00 UTC",
                           spec], capture_output=True, text=True, timeout=60,
                          env={"TZ": "Asia/Bangkok", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    elapses = [line.split(":", 1)[1].strip() for line in done.stdout.splitlines()
               if "Next elapse:" in line or "Iter. #" in line]
    assert elapses == ["Sat 2026-11-28 02:00:00 +07", "Mon 2026-11-30 02:00:00 +07",
                       "Tue 2026-12-01 02:00:00 +07", "Sat 2026-12-05 02:00:00 +07"]
    base = datetime(2026, 11, 27, 19, 0, tzinfo=BANGKOK)
    assert schedule.next_run(base) == datetime(2026, 11, 28, 2, 0, tzinfo=BANGKOK)


def test_a_unit_systemd_refuses_is_not_installed(tmp_path):
    _require_analyze()
    schedule = make_schedule(tmp_path, "playbooks/nightly.yaml", "02:00", None, "ictops")
    with pytest.raises(ScheduleError, match="systemd-analyze verify refused"):
        systemd.write(tmp_path / "units", schedule, [str(tmp_path / "no-such-ictops")])
    assert list((tmp_path / "units").iterdir()) == []


def test_write_twice_is_one_pair_and_list_reads_it_back(tmp_path):
    _require_analyze()
    units = tmp_path / "units"
    first = make_schedule(tmp_path, "playbooks/nightly.yaml", "02:00", None, "ictops")
    again = make_schedule(tmp_path, "playbooks/nightly.yaml", "01:30", "mon-fri", "pimchanok")
    systemd.write(units, first, _exe())
    systemd.write(units, again, _exe())
    assert sorted(p.name for p in units.iterdir()) == sorted(
        [f"ictops-nightly-{first.project_tag}.timer", f"ictops-nightly-{first.project_tag}.service"])
    [(found, _files)] = systemd.installed(units)
    assert found == again
    removed = systemd.remove(units, tmp_path, "playbooks/nightly.yaml")
    assert len(removed) == 1 and list(units.iterdir()) == []


@pytest.mark.parametrize("arg,quoted", [
    ("/srv/ictops", "/srv/ictops"),
    ("/srv/district office", '"/srv/district office"'),
    ("100%", '"100%%"'),
    ("$HOME", '"$$HOME"'),
])
def test_exec_arguments_are_quoted_for_systemd(arg, quoted):
    assert systemd.quote(arg) == quoted

