"""What the scheduler starts: ``ictops schedule run`` against a real lab server writes a stamped,
line-oriented log and never a progress display, even when started on a terminal."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.district import make_project, register_routine, start_district, stop_district
from tests.integration.schedule.helpers import TEAM
from tests.net import LAB

pytestmark = pytest.mark.lab

NIGHTLY = """\
name: Nightly
process: 2
routine: true
steps:
  - name: say hello
    step: 5
    cmd: {command: "echo สวัสดี from $(hostname)", changes: false}
"""
STAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} "


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    if not Path("/usr/sbin/sshd").exists():
        pytest.fail("openssh-server is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("schedule-run")
    project = make_project(root, servers=[f"{LAB}.70.1", f"{LAB}.70.2"], cisco=[], huawei=[])
    (root / "inventory" / "team.yaml").write_text(TEAM, encoding="utf-8")
    (root / "playbooks").mkdir()
    (root / "playbooks" / "nightly.yaml").write_text(NIGHTLY, encoding="utf-8")
    register_routine(project, "director", years=(2570,))  # ICTOPS_NOW of these tests: Dec 2026
    d = start_district(project)
    try:
        yield d
    finally:
        stop_district(d)


def test_scheduled_run_logs_stamped_lines_and_no_progress_on_a_terminal(district):
    root = district.project.root
    command = [sys.executable, "-m", "ictops", "--project", str(root), "schedule", "run",
               "playbooks/nightly.yaml"]
    # `script` gives the command a real terminal, as a misconfigured scheduler might
    done = subprocess.run(["script", "-qec", shlex.join(command), "/dev/null"], capture_output=True,
                          text=True, timeout=180, cwd=root, stdin=subprocess.DEVNULL,
                          env={**os.environ, "ICTOPS_OPERATOR": "svc-nightly",
                               "ICTOPS_NOW": "2026-12-01T02:00:00+07:00"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""  # everything went to the log
    log = (root / "state" / "logs" / "schedule-nightly.log").read_text(encoding="utf-8")
    lines = log.splitlines()
    assert all(re.match(STAMP, line) for line in lines), log
    assert "\x1b" not in log and "\r" not in log  # no colours, no progress bar redrawn in place
    assert lines[0] == ("2026-12-01 02:00:00 start: ictops run playbooks/nightly.yaml "
                        f"(operator svc-nightly, pid {lines[0].split('pid ')[1][:-1]})")
    assert lines[-1] == "2026-12-01 02:00:00 end: exit 0 after " + lines[-1].split("after ")[1]
    text = "\n".join(line[20:] for line in lines)
    assert "ok: srv-1 - สวัสดี from" in text and "ok: srv-2 - สวัสดี from" in text
    assert re.search(r"srv-1\s+│\s+1\s+│\s+0\s+│", text), text  # the recap, line by line

    # a second night appends; a failure is in the log with its exit code
    (root / "playbooks" / "nightly.yaml").write_text(NIGHTLY.replace("echo สวัสดี from $(hostname)", "exit 3"), encoding="utf-8")
    register_routine(district.project, "director", years=(2570,))  # the edit is approved again
    again = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=root,
                           env={**os.environ, "ICTOPS_OPERATOR": "svc-nightly"})
    assert again.returncode == 1
    after = (root / "state" / "logs" / "schedule-nightly.log").read_text(encoding="utf-8")
    assert after.startswith(log)
    tail = after[len(log):].splitlines()
    assert "start: ictops run playbooks/nightly.yaml" in tail[0]
    assert re.match(STAMP + r"end: exit 1 after ", tail[-1])
    assert any("failed (command_failed): srv-1" in line for line in tail)


def test_bad_input_in_a_scheduled_run_is_in_the_log(district):
    root = district.project.root
    done = subprocess.run([sys.executable, "-m", "ictops", "--project", str(root), "schedule", "run",
                           "playbooks/gone.yaml"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ICTOPS_OPERATOR": "svc-nightly"})
    assert done.returncode == 2
    log = (root / "state" / "logs" / "schedule-gone.log").read_text(encoding="utf-8").splitlines()
    assert [line[20:] for line in log[1:]][:2] == [
        "ictops: error: playbooks/gone.yaml: file not found", "end: exit 2 after " + log[2].split("after ")[1]]
