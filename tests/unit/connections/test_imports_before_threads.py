"""Worker threads must find every transport module already imported (issue 8, item 10).

Imports in threads race: a switch opened in one thread (netmiko first) while a server opened
in another imports classify (netmiko.exceptions first) deadlocked Python's import locks
(`_DeadlockError ... netmiko.exceptions`, then "cannot import name 'open_switch_session'")
in 12 of 100 runs of 50 threads. Timing-dependent races do not make reliable tests, so this
one watches the cause: it records every import made outside the main thread during a run.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO
from tests.import_spy import SPY
from tests.net import LAB

PROBE = SPY + r"""
from pathlib import Path
from ictops.actions.base import RunSettings
from ictops.engine.driver import Driver, Step
from ictops.inventory.host import Host, Timeouts
from ictops.platforms import platforms
from ictops.project import Project

class Connect:
    name = "probe"

    def read(self, ctx):
        ctx.facts.session("switch" if ctx.host.is_switch else "server")

platforms()  # as loading the inventory does
project = Project(Path(sys.argv[1]))
hosts = [
    Host(name=f"h{i}", hostname=sys.argv[2], port=1, platform_name=p, username="u",
         timeouts=Timeouts(connect=2))
    for i, p in enumerate(["linux", "cisco_ios", "huawei_vrp", "linux", "cisco_ios"])
]
with Driver(RunSettings(project=project), hosts) as driver:
    results = driver.run_step(Step(Connect(), "probe"), hosts).results
print(json.dumps({"kinds": [r.error_kind.value for r in results], "seen": seen}))
"""

TRANSPORT = ("ictops.", "paramiko", "netmiko", "cryptography", "nornir")


def test_run_threads_import_no_transport_module(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), f"{LAB}.250.1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["kinds"] == ["unreachable"] * 5  # the hosts were really tried
    in_threads = [m for m in report["seen"] if m.startswith(TRANSPORT)]
    assert in_threads == [], f"imported in worker threads: {in_threads[:10]}"
