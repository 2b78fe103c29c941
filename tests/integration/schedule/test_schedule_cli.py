"""``ictops schedule install / list / remove`` through the real crontab command (a private
spool) and into a systemd unit directory checked by systemd-analyze."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from datetime import datetime, timezone

import pytest
from croniter import croniter

from ictops.clock import BANGKOK
from tests.integration.district import make_project, register_routine
from tests.integration.schedule.helpers import TEAM, PrivateCrontab
from tests.net import LAB

ROUTINE = """\
name: Nightly
process: 2
routine: true
steps:
  - name: uptime
    step: 5
    cmd: {command: uptime, changes: false}
"""
CHANGE = ROUTINE.replace("routine: true\n", "")


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "office project"
    project = make_project(root, servers=[f"{LAB}.70.1"], cisco=[], huawei=[])
    (root / "inventory" / "team.yaml").write_text(TEAM, encoding="utf-8")
    (root / "playbooks").mkdir()
    (root / "playbooks" / "nightly.yaml").write_text(ROUTINE, encoding="utf-8")
    (root / "playbooks" / "change.yaml").write_text(CHANGE, encoding="utf-8")
    register_routine(project, "director")
    (root / "playbooks" / "rogue.yaml").write_text(ROUTINE, encoding="utf-8")  # says routine, not registered
    return project.root


@pytest.fixture
def crontab(tmp_path):
    return PrivateCrontab(tmp_path)


def _entries(table: str) -> list[tuple[dict, str]]:
    lines = table.splitlines()
    return [(json.loads(line.split(" ", 2)[2]), lines[i + 1]) for i, line in enumerate(lines)
            if line.startswith("# ictops-schedule ")]


def test_install_twice_gives_one_entry_that_runs_the_playbook(project, crontab):
    crontab.run("crontab", "-", input="MAILTO=''\n15 4 * * * /usr/local/bin/keep-me\n")
    for at in ("02:00", "02:00", "01:30"):
        done = crontab.ictops(project, "schedule", "install", "playbooks/nightly.yaml", "--at", at,
                              "--days", "mon-fri", env={"TZ": "Etc/UTC"})
        assert done.returncode == 0, done.stderr
    table = crontab.table()
    assert "15 4 * * * /usr/local/bin/keep-me" in table  # the officer's own line is kept
    [(meta, line)] = _entries(table)
    assert meta == {"project": str(project), "playbook": "playbooks/nightly.yaml", "at": "01:30",
                    "days": "mon-fri", "zone": "Asia/Bangkok", "operator": "svc-nightly"}
    minute, hour, dom, month, dow, command = line.split(None, 5)
    # the machine is on UTC here: 01:30 Bangkok Monday is 18:30 UTC Sunday
    it = croniter(" ".join([minute, hour, dom, month, dow]),
                  datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc))
    fires = [it.get_next(datetime).astimezone(BANGKOK).strftime("%a %H:%M") for _ in range(6)]
    assert fires == ["Mon 01:30", "Tue 01:30", "Wed 01:30", "Thu 01:30", "Fri 01:30", "Mon 01:30"]
    words = shlex.split(command)
    assert words[:5] == ["cd", str(project), "&&", "ICTOPS_OPERATOR=svc-nightly", "exec"]
    assert words[-7:] == ["--project", str(project), "schedule", "run", "playbooks/nightly.yaml",
                          f">>{project}/state/logs/schedule-nightly.log", "2>&1"]
    assert (project / "state" / "logs").is_dir()  # cron's >> needs it before the first run
    assert done.stderr.strip() == (
        "note: this machine's clock is on Etc/UTC (UTC+00:00), not Asia/Bangkok: the crontab entry "
        "says 18:30 on sun-thu (Bangkok: mon-fri), which is 01:30 Bangkok time")


def test_list_and_remove(project, crontab):
    crontab.ictops(project, "schedule", "install", "playbooks/nightly.yaml", "--at", "02:00",
                   env={"TZ": "Asia/Bangkok"})
    done = crontab.ictops(project, "schedule", "list", "--json",
                          env={"ICTOPS_NOW": "2026-12-01T04:59:00+07:00"})
    assert done.returncode == 0, done.stderr
    [entry] = json.loads(done.stdout)
    assert (entry["playbook"], entry["at"], entry["days"], entry["via"], entry["operator"],
            entry["next_run"]) == ("playbooks/nightly.yaml", "02:00", "daily", "cron", "svc-nightly",
                                   "2026-12-02T02:00:00+07:00")
    shown = crontab.ictops(project, "schedule", "list",
                           env={"ICTOPS_NOW": "2026-12-01T04:59:00+07:00"}).stdout.splitlines()
    row = next(line for line in shown if "playbooks/nightly.yaml" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == [
        "playbooks/nightly.yaml", "02:00", "daily", "2026-12-02 02:00", "svc-nightly", "cron",
        "state/logs/schedule-nightly.log"]
    gone = crontab.ictops(project, "schedule", "remove", "playbooks/nightly.yaml")
    assert gone.returncode == 0, gone.stderr
    assert _entries(crontab.table()) == []
    again = crontab.ictops(project, "schedule", "remove", "playbooks/nightly.yaml")
    assert again.returncode == 2
    assert again.stderr.strip() == ("ictops: error: playbooks/nightly.yaml is not scheduled in this "
                                    "project; see: ictops schedule list")


@pytest.mark.parametrize("args,message", [
    (["playbooks/change.yaml", "--at", "02:00"],
     "playbooks/change.yaml is not routine: an unattended run cannot wait for an approval"),
    (["playbooks/rogue.yaml", "--at", "02:00"],
     "playbooks/rogue.yaml says routine: true but it is not in the routine register"),
    (["playbooks/nightly.yaml", "--at", "25:00"], "--at '25:00' is not a time of day"),
    (["playbooks/nightly.yaml", "--at", "02:00", "--days", "mon-fry"], "'fry' is not a day"),
    (["playbooks/nightly.yaml", "--at", "02:00", "--operator", "mallory"],
     "operator 'mallory' is not on the working team"),
    (["playbooks/missing.yaml", "--at", "02:00"], "playbooks/missing.yaml: file not found"),
])
def test_bad_input_is_one_line_and_exit_2_and_nothing_installed(project, crontab, args, message):
    done = crontab.ictops(project, "schedule", "install", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert _entries(crontab.table()) == []


def test_systemd_path_writes_verified_units(project, crontab, tmp_path):
    assert shutil.which("systemd-analyze"), "systemd-analyze is missing (make test installs systemd)"
    units = tmp_path / "units"
    for _ in range(2):
        done = crontab.ictops(project, "schedule", "install", "playbooks/nightly.yaml", "--at", "02:00",
                              "--via", "systemd", "--unit-dir", str(units))
        assert done.returncode == 0, done.stderr
    timers = sorted(units.glob("*.timer"))
    services = sorted(units.glob("*.service"))
    assert len(timers) == 1 and len(services) == 1
    verified = subprocess.run(["systemd-analyze", "verify", str(timers[0]), str(services[0])],
                              capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert "note: systemd is not running here: not enabled" in done.stderr
    assert _entries(crontab.table()) == []  # --via systemd writes no crontab entry
    listed = crontab.ictops(project, "schedule", "list", "--json", "--unit-dir", str(units),
                            env={"ICTOPS_NOW": "2026-12-01T04:59:00+07:00"})
    assert [(e["playbook"], e["via"], e["next_run"]) for e in json.loads(listed.stdout)] == [
        ("playbooks/nightly.yaml", "systemd", "2026-12-02T02:00:00+07:00")]
    removed = crontab.ictops(project, "schedule", "remove", "playbooks/nightly.yaml", "--unit-dir", str(units))
    assert removed.returncode == 0, removed.stderr
    assert list(units.iterdir()) == []
