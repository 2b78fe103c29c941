"""Helpers for the crash tests: a worker process to kill, and polling with a deadline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ictops.backup.store import BackupStore


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.01) -> None:
    """Poll ``condition`` until it holds; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def config(host: int, version: int) -> str:
    """A complete config whose size varies with the version (a partial one lacks 'end')."""
    lines = [f"hostname sw-{host:02d}", "!"]
    lines += [
        f"interface Gi1/0/{n}\n description v{version} port {n}\n!"
        for n in range(1, 40 + version % 7)
    ]
    return "\n".join(lines) + "\nend\n"


WORKER = r"""
import os, sys, time
from pathlib import Path
sys.path.insert(0, {helpers_dir!r})
from backup_crash_helpers import config
from backup_fakes import switch_host
import ictops.backup.files as files
from ictops.backup.store import BackupStore

store = BackupStore(Path({store!r}))
progress = Path({progress!r})
mode = {mode!r}
if mode == "block-in-write":
    # Stop for good in the middle of an atomic write: the temp file is written, not renamed.
    real_fsync, calls = os.fsync, [0]
    def fsync(fd):
        calls[0] += 1
        real_fsync(fd)
        if calls[0] == 7:
            progress.write_text("blocked")
            time.sleep(3600)
    files.os.fsync = fsync
version = 0
while True:
    version += 1
    with store.begin_run(f"run-{{version}}", "worker") as txn:
        for host in range(5):
            txn.stage(switch_host(f"sw-{{host:02d}}"),
                      {{"running-config.txt": config(host, version).encode()}},
                      {{"platform": "cisco_ios", "run_id": f"run-{{version}}"}})
        txn.commit()
    progress.write_text(str(version))
"""


def start_worker(store: BackupStore, progress: Path, mode: str) -> subprocess.Popen[bytes]:
    code = WORKER.format(
        helpers_dir=str(Path(__file__).parent),
        store=str(store.path),
        progress=str(progress),
        mode=mode,
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_worker(proc: subprocess.Popen[bytes]) -> None:
    """kill -9 the worker and every process it started (its own process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)
    if proc.stderr:
        proc.stderr.close()
