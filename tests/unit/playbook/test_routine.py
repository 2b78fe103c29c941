"""The routine register: `routine: true` is a claim; the team file's register makes it true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ictops.audit.team import Team, TeamError
from ictops.inventory import load_inventory
from ictops.playbook.loader import load_playbook
from ictops.playbook.routine import RoutineError, check_routine, routine_digest, routine_status
from ictops.project import Project
from tests.net import LAB
from tests.unit.playbook.helpers import project

REPO = Path(__file__).resolve().parents[3]
BOOK = """\
name: routine thing
process: 4
routine: true
steps:
  - include: tasks/t.yaml
"""
TASKS = "- name: look\n  step: 5\n  cmd: {command: uptime, changes: false}\n"
TEAM = """\
office: Test office
appointment: {{number: "ที่ 1/2569", date: 2025-10-01, signed_by: Director}}
members:
  - {{name: Tester, username: tester}}
approvers:
  - {{name: Director Wichian, position: area director, username: wichian}}
routine:
{entries}
"""


def _book(tmp_path: Path, extra: str = ""):
    proj, inv = project(tmp_path, {"playbooks/r.yaml": BOOK, "tasks/t.yaml": TASKS + extra})
    return proj, load_playbook("playbooks/r.yaml", proj, inv)


def _team(tmp_path: Path, entries: str) -> Team:
    path = tmp_path / "inventory" / "team.yaml"
    path.write_text(TEAM.format(entries=entries), encoding="utf-8")
    return Team.load(path, "inventory/team.yaml")


def _entry(digest: str, year: int = 2570, by: str = "wichian") -> str:
    return (f"  - {{playbook: playbooks/r.yaml, sha256: {digest}, approved_by: {by}, "
            f"order: \"ที่ 9/2569\", fiscal_year: {year}}}")


def test_a_registered_playbook_runs_as_routine(tmp_path: Path) -> None:
    proj, book = _book(tmp_path)
    digest = routine_digest(book, proj)
    status = routine_status(book, proj, _team(tmp_path, _entry(digest)), 2570)
    assert status.problem is None and status.entry.order == "ที่ 9/2569"
    assert check_routine(status, "refuse") == {}


def test_the_digest_covers_the_included_files(tmp_path: Path) -> None:
    proj, book = _book(tmp_path)
    before = routine_digest(book, proj)
    (tmp_path / "tasks" / "t.yaml").write_text(TASKS + "- name: more\n  step: 5\n  cmd: {command: rm -rf /tmp/x}\n")
    assert routine_digest(book, proj) != before


@pytest.mark.parametrize(
    "entries, problem",
    [
        (None, "it is not in the routine register (routine: in inventory/team.yaml)"),
        ("digest-of-another-content", "its content changed since it was registered"),
        ("year-2569", "it is registered for fiscal year 2569, not for 2570 (renew it)"),
    ],
)
def test_an_unregistered_claim_is_refused_or_flagged(tmp_path: Path, entries, problem) -> None:
    proj, book = _book(tmp_path)
    digest = routine_digest(book, proj)
    text = {None: "  []", "digest-of-another-content": _entry("ab" * 32),
            "year-2569": _entry(digest, 2569)}[entries]
    team = _team(tmp_path, text)
    status = routine_status(book, proj, team, 2570)
    assert status.problem.startswith(problem)
    with pytest.raises(RoutineError) as caught:
        check_routine(status, "refuse")
    assert str(caught.value).startswith(f"playbooks/r.yaml says routine: true but {problem}")
    assert "ictops plans --routine" in str(caught.value)
    assert check_routine(status, "flag") == {"routine_unregistered": status.problem}
    assert status.entry_yaml("wichian", "ที่ 10/2569") == (
        f"  - {{playbook: playbooks/r.yaml, sha256: {digest}, approved_by: wichian, "
        "order: \"ที่ 10/2569\", fiscal_year: 2570}")


def test_no_team_file_means_no_register(tmp_path: Path) -> None:
    proj, book = _book(tmp_path)
    status = routine_status(book, proj, None, 2570)
    assert status.problem == "there is no inventory/team.yaml, so no routine register"


def test_the_approver_must_be_an_approver(tmp_path: Path) -> None:
    proj, book = _book(tmp_path)
    with pytest.raises(TeamError) as caught:
        _team(tmp_path, _entry(routine_digest(book, proj), by="mallory"))
    assert str(caught.value) == ("inventory/team.yaml:8: routine: 'mallory' is not an approver; "
                                 "approvers are wichian")


def test_the_sample_team_registers_the_shipped_routine_playbooks_as_they_are() -> None:
    """make demo runs the nightly playbook: the sample register must match it (edit a routine
    playbook, then update its sha256 in inventory/team.yaml: ictops plans --routine)."""
    repo = Project.at(REPO)
    inventory = load_inventory(repo.inventory_dir, repo.root)
    team = Team.load(repo.inventory_dir / "team.yaml", "inventory/team.yaml")
    routine = [p for p in sorted(repo.playbooks_dir.glob("*.yaml"))
               if load_playbook(p, repo, inventory).routine]
    assert [repo.relative(p) for p in routine] == [
        "playbooks/audit.yaml", "playbooks/backup.yaml", "playbooks/nightly.yaml"]
    for path in routine:
        status = routine_status(load_playbook(path, repo, inventory), repo, team, 2570)
        assert status.problem is None, status.entry_yaml()


def test_ictops_run_refuses_an_unregistered_routine_playbook_before_any_host(tmp_path: Path) -> None:
    _book(tmp_path)
    # one host where nothing listens (this run's lab network): the flagged run fails on it fast
    (tmp_path / "inventory" / "hosts.yaml").write_text(
        f"nobody: {{hostname: {LAB}.250.1, port: 1, platform: linux, role: server}}\n")
    _team(tmp_path, "  []")
    env = dict(os.environ, ICTOPS_PROJECT=str(tmp_path), ICTOPS_OPERATOR="tester",
               ICTOPS_NOW="2026-12-01T02:00:00+07:00")
    proc = subprocess.run([sys.executable, "-m", "ictops", "run", "playbooks/r.yaml"], env=env,
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("ictops: error: playbooks/r.yaml says routine: true but it is not "
                                  "in the routine register")
    assert not (tmp_path / "state" / "audit" / "trail.jsonl").exists()  # nothing was run
    (tmp_path / "inventory" / "defaults.yaml").write_text("data: {routine_unregistered: flag}\n")
    proc = subprocess.run([sys.executable, "-m", "ictops", "run", "playbooks/r.yaml", "--json"],
                          env=env, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert "runs as routine although it is not in the routine register" in proc.stderr
    records = (tmp_path / "state" / "audit" / "trail.jsonl").read_text()
    assert '"routine_unregistered":"it is not in the routine register' in records
