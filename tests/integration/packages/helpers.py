"""Running ictops against lab servers in their own Debian roots, as an officer does: check,
plan, approve, run; and reading the servers' state to prove what changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.integration.district import ICTOPS, District
from tests.integration.lab.rooted import ok
from tests.integration.playbook.test_playbook_lab import TEAM  # the same test team

REPO = Path(__file__).resolve().parents[3]


def prepare(lab: District) -> None:
    """The team, and the repository's shipped playbooks and templates, in the lab's project."""
    root = lab.project.root
    (root / "inventory" / "team.yaml").write_text(TEAM, encoding="utf-8")
    shutil.copytree(REPO / "playbooks", root / "playbooks", dirs_exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
    shutil.copytree(REPO / "tasks", root / "tasks", dirs_exist_ok=True)


def ictops(lab: District, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ICTOPS_PROJECT=str(lab.project.root), COLUMNS="250",
               ICTOPS_OPERATOR="tester")
    return subprocess.run([*ICTOPS, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def ictops_json(lab: District, *args: str, timeout: float = 300) -> tuple[int, dict]:
    proc = ictops(lab, *args, "--json", timeout=timeout)
    try:
        return proc.returncode, json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"not JSON (exit {proc.returncode}): {proc.stdout}\n{proc.stderr}") from None


def plan_id(lab: District, playbook: str, *args: str) -> str:
    """``ictops plan`` then ``ictops approve``: the approved plan's id."""
    code, plan = ictops_json(lab, "plan", playbook, *args)
    assert code == 0, plan
    approved = ictops(lab, "approve", plan["id"], "--by", "wichian")
    assert approved.returncode == 0, approved.stderr
    return plan["id"]


def run_planned(lab: District, playbook: str, *args: str, timeout: float = 600) -> tuple[int, dict]:
    """Plan, approve and run ``playbook`` (args: -l ...): the run's JSON."""
    found = plan_id(lab, playbook, *args)
    return ictops_json(lab, "run", playbook, "--plan", found, timeout=timeout)


def results(run: dict, action: str | None = None) -> dict[str, dict]:
    """host -> its (last) result of ``action`` in a run's JSON."""
    found = {}
    for step in run["steps"]:
        if action is None or step["action"] == action:
            for r in step["results"]:
                found[r["host"]] = r
    return found


def installed(lab: District, name: str) -> dict[str, str]:
    out = ok(lab, name, "dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' "
                        "'ictops-lab-*' 2>/dev/null; true")
    return {p: v for p, v, status in (line.split(None, 2) for line in out.splitlines())
            if status.strip() == "ii"}
