"""Every command of the README's tour runs as written, on a copy of the sample district.

The sample project (inventory, playbooks, tasks, templates, rules) is copied as it is; only
the loopback addresses move to this run's lab network (servers 127.N.61.x, switches
127.N.62.x). The commands are read from README.md itself, so a tour that names a missing
playbook or an approver the team refuses fails here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from ictops.schedule import systemd
from tests.integration.district import ICTOPS
from tests.integration.schedule.helpers import PrivateCrontab
from tests.net import LAB

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
NOW = "2026-12-01T09:00:00+07:00"  # in fiscal year 2570, for which the sample team registers


def tour_commands() -> list[str]:
    """The `ictops ...` lines of the README's tour, in order, comments removed."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    tour = text.split("## A short tour", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```\n(.*?)```", tour, re.DOTALL):
        for line in block.splitlines():
            if line.startswith("ictops "):
                lines.append(re.sub(r"\s+#.*$", "", line).strip())
    return lines


def test_the_tour_names_only_what_the_project_has() -> None:
    commands = tour_commands()
    assert len(commands) >= 20
    for command in commands:
        for word in shlex.split(command):
            if word.startswith(("playbooks/", "rules/", "tasks/")):
                assert (REPO / word).is_file(), f"{command}: {word} does not exist"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("tour")
    root.chmod(0o755)
    for name in ("inventory", "playbooks", "tasks", "templates", "rules"):
        shutil.copytree(REPO / name, root / name)
    hosts = root / "inventory" / "hosts.yaml"
    text = hosts.read_text(encoding="utf-8")
    text = re.sub(r"127\.0\.1\.(\d+)", rf"{LAB}.61.\1", text)
    text = re.sub(r"127\.0\.2\.(\d+)", rf"{LAB}.62.\1", text)
    hosts.write_text(text, encoding="utf-8")
    env = dict(os.environ, ICTOPS_PROJECT=str(root), ICTOPS_NOW=NOW, ICTOPS_OPERATOR="root",
               COLUMNS="200")
    up = subprocess.run([*ICTOPS, "lab", "up"], env=env, capture_output=True, text=True,
                        timeout=900, stdin=subprocess.DEVNULL)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        trust = subprocess.run([*ICTOPS, "hostkeys", "trust"], env=env, capture_output=True,
                               text=True, timeout=300, stdin=subprocess.DEVNULL)
        assert trust.returncode == 0, trust.stdout + trust.stderr
        yield root, env
    finally:
        subprocess.run([*ICTOPS, "lab", "down"], env=env, capture_output=True, timeout=300,
                       stdin=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


def test_every_tour_command_runs_as_written(sample, tmp_path) -> None:
    _root, env = sample
    crontab = PrivateCrontab(tmp_path)
    plan_id = None
    for command in tour_commands():
        words = shlex.split(command)
        if words[1] == "web":  # serves until Ctrl-C, one example on a LAN address: tests/integration/web
            continue
        if "PLAN_ID" in words:
            assert plan_id, f"{command}: the tour makes no plan before it"
            words = [plan_id if w == "PLAN_ID" else w for w in words]
        if words[1] == "schedule":  # in a private crontab, never the machine's (nor its timers)
            via = ["--via", "cron"] if words[2] == "install" and systemd.booted() else []
            proc = crontab.run(*ICTOPS, *words[1:], *via, env=env, timeout=600)
        else:
            proc = subprocess.run([*ICTOPS, *words[1:]], env=env, capture_output=True, text=True,
                                  timeout=600, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, f"{command}: exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, command
        if words[1] == "plan":
            plan_id = proc.stdout.strip().splitlines()[-1]
            assert plan_id.startswith("plan-"), proc.stdout
    assert plan_id is not None
    motd = subprocess.run([*ICTOPS, "cmd", "cat /etc/motd", "-l", "role=server", "--json"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert motd.returncode == 0, motd.stdout + motd.stderr
    servers = json.loads(motd.stdout)["results"]
    assert servers and {r["output"] for r in servers} == {
        "ระบบของสำนักงานเขตพื้นที่การศึกษา: ใช้งานเฉพาะผู้ได้รับอนุญาต\nAuthorised use only.\n"}
