"""A small simulated district in a temporary project, for integration tests.

Addresses are picked per test module so that fixtures never collide with each other
or with a demo lab running from the repository (127.0.1.x / 127.0.2.x).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ictops.connections.hostkeys import scan_host_key, trust_many
from ictops.inventory import Inventory, load_inventory
from ictops.lab.fleet import Lab
from ictops.project import Project

ICTOPS = [sys.executable, "-m", "ictops"]

GROUPS = """
servers:
  platform: linux
  role: server
  username: ictops
  ssh_key: state/lab/id_ed25519
  sudo: true
switches:
  role: switch
  username: admin
  password: {file: state/lab/switch-password}
  enable_secret: {file: state/lab/enable-secret}
cisco: {groups: [switches], platform: cisco_ios}
huawei: {groups: [switches], platform: huawei_vrp}
school_a:
  site: school-a
  district: ภูเขียว
  school: {name: โรงเรียนทดสอบวิทยา, code: "1036399901"}
"""

# inventory/team.yaml for a lab project: the operator "tester", the approver "wichian"
TEAM = """\
office: test office
unknown_operator: refuse
appointment: {number: "ที่ 1/2568", date: 2024-10-01, signed_by: director}
members:
  - {name: Tester, username: tester}
approvers:
  - {name: Director Wichian, position: area director, username: wichian}
"""

DEFAULTS = """
port: 2222
timeouts: {connect: 3, banner: 3, auth: 3, channel: 3, command: 20}
"""


@dataclass
class District:
    project: Project
    inventory: Inventory
    lab: Lab

    def ictops(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run the real ictops command in this project."""
        env = dict(os.environ, ICTOPS_PROJECT=str(self.project.root), COLUMNS="200")
        return subprocess.run(
            [*ICTOPS, *args], capture_output=True, text=True, env=env, timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def ictops_json(self, *args: str, timeout: float = 120) -> tuple[int, dict]:
        proc = self.ictops(*args, "--json", timeout=timeout)
        try:
            return proc.returncode, json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"not JSON (exit {proc.returncode}): {proc.stdout}\n{proc.stderr}") from None

    def running_config(self, name: str) -> str:
        """The switch's running-config, read over SSH now."""
        from ictops.connections.factory import open_session

        session = open_session(self.inventory.hosts[name], self.project)
        try:
            return session.running_config()  # type: ignore[union-attr]
        finally:
            session.close()

    def trust_all(self) -> None:
        hosts = [h for h in self.inventory.hosts.values()]
        pairs = [(h, scan_host_key(h, timeout=5)) for h in hosts]
        trust_many(self.project.known_hosts, pairs)


def make_project(root: Path, servers: list[str], cisco: list[str], huawei: list[str], extra_hosts: str = "") -> Project:
    """Write an ops project with these loopback addresses."""
    inv = root / "inventory"
    inv.mkdir(parents=True)
    lines = []
    for i, addr in enumerate(servers, 1):
        lines.append(f"srv-{i}:\n  hostname: {addr}\n  groups: [servers, school_a]\n")
    for i, addr in enumerate(cisco, 1):
        lines.append(f"sw-cisco-{i}:\n  hostname: {addr}\n  groups: [cisco, school_a]\n")
    for i, addr in enumerate(huawei, 1):
        lines.append(f"sw-huawei-{i}:\n  hostname: {addr}\n  groups: [huawei, school_a]\n")
    (inv / "hosts.yaml").write_text("".join(lines) + extra_hosts, encoding="utf-8")
    (inv / "groups.yaml").write_text(GROUPS, encoding="utf-8")
    (inv / "defaults.yaml").write_text(DEFAULTS, encoding="utf-8")
    return Project.at(root)


def register_routine(project: Project, approver: str = "wichian", years: tuple[int, ...] = ()) -> None:
    """Register the project's routine playbooks, as they are now, in its team file's routine
    register (replacing the one last written): for this fiscal year and for ``years`` (those of
    the ICTOPS_NOW a test sets)."""
    from ictops.audit.team import Team
    from ictops.clock import fiscal_year_be, today
    from ictops.playbook.loader import load_playbook
    from ictops.playbook.routine import routine_status

    inventory = load_inventory(project.inventory_dir, project.root)
    team = Team.load(project.inventory_dir / "team.yaml")
    lines = ["routine:"]
    for path in sorted(project.playbooks_dir.glob("*.yaml")):
        book = load_playbook(path, project, inventory)
        if book.routine:
            for year in sorted({fiscal_year_be(today()), *years}):
                lines.append(routine_status(book, project, team, year).entry_yaml(approver, "ที่ 7/2569"))
    path = project.inventory_dir / "team.yaml"
    before = path.read_text(encoding="utf-8").split("\nroutine:\n", 1)[0]  # the register last written
    path.write_text(before.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def start_district(project: Project, trust: bool = True) -> District:
    inventory = load_inventory(project.inventory_dir, project.root)
    lab = Lab(project, inventory)
    district = District(project, inventory, lab)
    try:
        lab.up(timeout=30)
        if trust:
            district.trust_all()
    except BaseException:
        lab.down()
        raise
    return district


def stop_district(district: District) -> None:
    district.lab.down()
    shutil.rmtree(district.project.root, ignore_errors=True)
