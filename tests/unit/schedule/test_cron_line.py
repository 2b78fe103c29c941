"""Crontab entries: read back by an independent cron parser (croniter), they fire at the
Bangkok time asked for whatever the machine's zone; one entry per playbook, others kept."""

from __future__ import annotations

import os
import shlex
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from croniter import croniter

from ictops.clock import BANGKOK
from ictops.schedule import cron
from ictops.schedule.entry import make_schedule
from ictops.schedule.machinezone import to_machine

PROJECT = Path("/srv/ictops project")  # a space: every path must be quoted
EXE = ["/opt/ictops/.venv/bin/ictops"]


@pytest.fixture
def machine_zone():
    """Run a test with the process (and so 'the machine') in another zone; restore after."""
    saved = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def _fires(line: str, zone, start: datetime, n: int) -> list[datetime]:
    """The next ``n`` starts of a cron line, read by croniter in the machine's zone, in Bangkok."""
    minute, hour, dom, month, dow, _command = line.split(None, 5)
    it = croniter(" ".join([minute, hour, dom, month, dow]), start.astimezone(zone))
    return [it.get_next(datetime).astimezone(BANGKOK) for _ in range(n)]


@pytest.mark.parametrize("zone_name,offset_hours", [("Asia/Bangkok", 7), ("Etc/UTC", 0), ("Asia/Tokyo", 9)])
def test_line_fires_at_bangkok_time_on_bangkok_days(machine_zone, zone_name, offset_hours):
    machine_zone(zone_name)
    schedule = make_schedule(PROJECT, "playbooks/nightly.yaml", "02:00", "mon-fri", "ictops")
    machine = to_machine(schedule.at, schedule.days, time.time())
    line = cron.cron_line(schedule, machine, EXE)
    start = datetime(2026, 11, 28, 12, 0, tzinfo=BANGKOK)  # a Saturday noon
    fires = _fires(line, timezone(timedelta(hours=offset_hours)), start, 6)
    assert [f.strftime("%a %d %H:%M") for f in fires] == [
        "Mon 30 02:00", "Tue 01 02:00", "Wed 02 02:00", "Thu 03 02:00", "Fri 04 02:00", "Mon 07 02:00"]
    assert (machine.note == "") == (zone_name == "Asia/Bangkok")


def test_utc_machine_note_names_the_converted_time_and_days(machine_zone):
    machine_zone("Etc/UTC")
    schedule = make_schedule(PROJECT, "playbooks/nightly.yaml", "02:00", "mon-fri", "ictops")
    machine = to_machine(schedule.at, schedule.days, time.time())
    assert machine.note == ("this machine's clock is on Etc/UTC (UTC+00:00), not Asia/Bangkok: the "
                            "crontab entry says 19:00 on sun-thu (Bangkok: mon-fri), which is 02:00 "
                            "Bangkok time")


def test_daylight_saving_zone_is_warned(machine_zone):
    machine_zone("Europe/Berlin")
    schedule = make_schedule(PROJECT, "playbooks/nightly.yaml", "02:00", None, "ictops")
    note = to_machine(schedule.at, schedule.days, time.time()).note
    assert "daylight saving" in note and "timedatectl set-timezone Asia/Bangkok" in note


def test_command_runs_in_the_project_as_the_operator_and_logs(machine_zone):
    machine_zone("Asia/Bangkok")
    schedule = make_schedule(PROJECT, "playbooks/nightly.yaml", "02:00", None, "ictops")
    line = cron.cron_line(schedule, to_machine(schedule.at, schedule.days, time.time()), EXE)
    assert line.split(None, 5)[:5] == ["0", "2", "*", "*", "*"]
    words = shlex.split(line.split(None, 5)[5])
    assert words == ["cd", str(PROJECT), "&&", "ICTOPS_OPERATOR=ictops", "exec", *EXE, "--project",
                     str(PROJECT), "schedule", "run", "playbooks/nightly.yaml",
                     f">>{PROJECT}/state/logs/schedule-nightly.log", "2>&1"]


def test_percent_is_escaped_for_cron(machine_zone):
    machine_zone("Asia/Bangkok")
    schedule = make_schedule(Path("/srv/100%"), "playbooks/nightly.yaml", "02:00", None, "ictops")
    line = cron.cron_line(schedule, to_machine(schedule.at, schedule.days, time.time()), EXE)
    assert "%" not in line.replace("\\%", "")


def test_install_twice_keeps_one_entry_and_other_lines():
    mine = "MAILTO=officer@example.invalid\n# backups of the web server\n0 3 * * * /usr/local/bin/web-backup\n"
    first = make_schedule(PROJECT, "playbooks/nightly.yaml", "02:00", None, "ictops")
    again = make_schedule(PROJECT, "playbooks/nightly.yaml", "01:30", "mon-fri", "ictops")
    other = make_schedule(Path("/srv/other"), "playbooks/nightly.yaml", "03:00", None, "ictops")
    text = cron.with_entry(mine, first, "0 2 * * * first")
    text = cron.with_entry(text, other, "0 3 * * * other")
    text = cron.with_entry(text, again, "30 1 * * 1-5 again")
    assert text.startswith(mine)
    found = cron.entries(text)
    assert [(e.schedule.project, e.schedule.at.strftime("%H:%M"), e.line) for e in found] == [
        (Path("/srv/other"), "03:00", "0 3 * * * other"),
        (PROJECT, "01:30", "30 1 * * 1-5 again"),
    ]
    left, removed = cron.without(text, str(PROJECT), "playbooks/nightly.yaml")
    assert removed == 1
    assert left == mine + cron.MARK + text.split(cron.MARK)[1].split("\n")[0] + "\n0 3 * * * other\n"


def test_dow_field():
    assert cron.dow_field(frozenset({0, 1, 2, 3, 4})) == "1-5"
    assert cron.dow_field(frozenset({5, 6})) == "0,6"
    assert cron.dow_field(frozenset(range(7))) == "*"
    assert cron.dow_field(frozenset({6, 0, 1})) == "0-2"
