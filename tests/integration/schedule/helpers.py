"""Helpers of the schedule tests: lab processes, waiting with a deadline, the team file (with an
approver, for district.register_routine). Run commands against a private crontab: the real
``crontab`` of Debian's cron package, with its spool directory bind-mounted from a test
directory in a mount namespace of its own, so a test never touches the machine's crontabs (nor
another test run's)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

SPOOL = "/var/spool/cron/crontabs"
ICTOPS = [sys.executable, "-m", "ictops"]


class PrivateCrontab:
    def __init__(self, root: Path):
        assert shutil.which("crontab"), "the crontab command is missing: apt-get install cron (make test does)"
        assert shutil.which("unshare"), "unshare (util-linux) is missing"
        self.spool = root / "crontabs"
        self.spool.mkdir()
        shutil.chown(self.spool, group="crontab")
        self.spool.chmod(0o1730)

    def run(self, *argv: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        wrapped = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                   f'mount --bind "$0" {SPOOL} && exec "$@"', str(self.spool), *argv]
        return subprocess.run(wrapped, capture_output=True, text=True, timeout=timeout, input=input,
                              env={**os.environ, "COLUMNS": "200", **(env or {})}, cwd=cwd,
                              stdin=None if input is not None else subprocess.DEVNULL)

    def ictops(self, project: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
        return self.run(*ICTOPS, "--project", str(project), *args, env=env)

    def table(self) -> str:
        """The crontab as the real ``crontab -l`` prints it ('' when there is none)."""
        done = self.run("crontab", "-l")
        return done.stdout if done.returncode == 0 else ""


TEAM = """\
office: test office
unknown_operator: refuse
appointment: {number: "ที่ 1/2568", date: 2024-10-01, signed_by: director}
members:
  - {name: Tester, username: tester}
  - {name: Nightly service, username: svc-nightly, role: service}
approvers:
  - {name: Director, position: director, username: director}
"""


def remote(pattern: str) -> list[str]:
    """Processes of the lab servers (they run on this machine) whose command line matches."""
    done = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True, timeout=30)
    return done.stdout.splitlines()


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    """Poll ``condition`` until it holds or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())
