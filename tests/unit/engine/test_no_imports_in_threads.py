"""The actions' per-host work imports nothing in worker threads (first imports in threads
race and can deadlock: issue 8, item 10), backup and audit included; in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO
from tests.import_spy import SPY

PROBE = SPY + r"""
from pathlib import Path
from ictops.actions.audit import AuditAction
from ictops.actions.backup import BackupAction
from ictops.actions.command import RunCommand
from ictops.compliance import load_pack
from ictops.connections.base import CommandResult
from ictops.inventory.host import Host
from ictops.project import Project
from tests.drive import drive

CONFIG = "hostname sw-1\n!\ninterface Gi0/1\n description x\n!\nline vty 0 4\n transport input ssh\n!\nend\n"

class Switch:
    def running_config(self): return CONFIG
    def startup_config(self): return "garbage"  # refused: the quarantine path runs too
    def run(self, command, timeout=None, sink=None): return CommandResult(command, 0, "up\n", "", 0.0)
    def show(self, command, timeout=None): return ""
    def close(self): pass

project = Project(Path(sys.argv[1]))
hosts = [Host(name=f"sw-{i}", hostname="127.0.0.1", platform_name="cisco_ios", site="s") for i in range(4)]
sessions = {h.name: Switch() for h in hosts}
drive(project, BackupAction(), hosts, sessions, record=(4, 5))
pack = load_pack(Path(sys.argv[2]) / "rules" / "th-baseline.yaml")
drive(project, AuditAction(pack=pack), hosts, sessions, record=(7, 4))
drive(project, RunCommand("show clock"), hosts, sessions, record=(6, 5))
print(json.dumps(seen))
"""


def test_per_host_work_imports_nothing_in_threads(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path), str(REPO)],
                          capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [m for m in seen if m.startswith(("ictops", "paramiko", "netmiko", "nornir"))] == []
