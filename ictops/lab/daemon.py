"""The lab's own long-running Python processes (switch simulator, supervisor): start, find, stop.

Each runs as ``python -m MODULE ARGS`` in its own session (Ctrl-C in the terminal that ran
``ictops lab up`` must not stop the lab), logs to a file and is known by a pid file; a pid file
is believed only when that process's command line names the module (pids are reused).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from threading import Event


def pid_of(pid_file: Path, module: str) -> int | None:
    """The live process the pid file names, if it runs ``module``; else None."""
    try:
        pid = int(pid_file.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if module.encode() in cmdline and not _zombie(pid) else None


def spawn(
    module: str, args: list[str], pid_file: Path, log_file: Path, timeout: float = 10.0
) -> subprocess.Popen:
    """Start ``python -m module args`` detached, its output appended to ``log_file``.

    Returns once the new process shows its own command line (Popen may return while the
    exec is still under way, when /proc shows an empty one), so that :func:`pid_of` knows it.
    """
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    pid_file.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + timeout
    waiter = Event()
    while pid_of(pid_file, module) is None and proc.poll() is None:
        if time.monotonic() > deadline:
            break  # the caller's own readiness check reports it
        waiter.wait(0.01)
    return proc


def stop(pid_file: Path, module: str, timeout: float) -> bool:
    """SIGTERM the process, SIGKILL it at the deadline; remove the pid file. True if it ran."""
    pid = pid_of(pid_file, module)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        if not wait_gone(pid, timeout):
            os.kill(pid, signal.SIGKILL)
            wait_gone(pid, 2.0)
    pid_file.unlink(missing_ok=True)
    return pid is not None


def wait_gone(pid: int, timeout: float) -> bool:
    """Poll until ``pid`` has exited (reaping it if it is our child). True if it did in time."""
    deadline = time.monotonic() + timeout
    waiter = Event()
    while time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        except ChildProcessError:
            pass
        if not Path(f"/proc/{pid}").exists() or _zombie(pid):
            return True
        waiter.wait(0.02)
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True
