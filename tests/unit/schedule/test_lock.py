"""The project lock, between real processes: refused at once naming the holder, waited for,
taken over from a killed run (and said so), re-entrant within one process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ictops.errors import ExitCode
from ictops.schedule.lock import LOCK_NAME, Holder, LockBusy, ProjectLock, current_holder

HOLD = """
import sys
from pathlib import Path
from ictops.schedule.lock import ProjectLock
lock = ProjectLock(Path(sys.argv[1]), operator="svc-nightly", what="run playbooks/nightly.yaml",
                   run_id="20261130T190000Z-abc123").acquire()
print("held", flush=True)
sys.stdin.readline()   # hold until told (or killed)
lock.release()
print("released", flush=True)
"""


@pytest.fixture
def holder(tmp_path):
    """Start a real process that holds the lock; yields it; always stopped."""
    procs: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "ICTOPS_NOW": "2026-12-01T02:00:03+07:00"})
        procs.append(proc)
        assert proc.stdout.readline() == "held\n"  # blocks until it holds the lock
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def _mine(tmp_path) -> ProjectLock:
    return ProjectLock(tmp_path, operator="pimchanok", what="backup")


def test_second_run_is_refused_at_once_naming_the_holder(tmp_path, holder):
    proc = holder()
    start = time.monotonic()
    with pytest.raises(LockBusy) as caught:
        _mine(tmp_path).acquire()
    assert time.monotonic() - start < 2
    assert caught.value.exit_code == ExitCode.LOCKED == 75
    assert str(caught.value) == (
        f"another ictops run holds the project lock: pid {proc.pid}, operator svc-nightly, run "
        "playbooks/nightly.yaml, since 2026-12-01 02:00:03; wait for it (--wait [SECONDS]) or see "
        f"what it is doing: ps -p {proc.pid}")
    assert current_holder(tmp_path) == Holder(proc.pid, "svc-nightly", "run playbooks/nightly.yaml",
                                              "2026-11-30T19:00:03Z", os.uname().nodename,
                                              "20261130T190000Z-abc123")


def test_wait_gives_up_after_its_seconds(tmp_path, holder):
    holder()
    start = time.monotonic()
    with pytest.raises(LockBusy, match=r"holds the project lock \(waited 1s\)"):
        _mine(tmp_path).acquire(wait=1.0)
    assert 1.0 <= time.monotonic() - start < 5


def test_wait_gets_the_lock_when_the_holder_finishes(tmp_path, holder):
    proc = holder()
    told: list[Holder | None] = []

    def finish_holder(who: Holder | None) -> None:
        told.append(who)
        proc.stdin.write("\n")
        proc.stdin.flush()

    lock = _mine(tmp_path).acquire(wait=60, on_wait=finish_holder)
    try:
        assert [h.pid for h in told if h] == [proc.pid]
        assert proc.stdout.readline() == "released\n"
        assert lock.takeover is None  # released properly: nothing to take over
        assert current_holder(tmp_path).operator == "pimchanok"
    finally:
        lock.release()
    assert current_holder(tmp_path) is None
    assert (tmp_path / LOCK_NAME).read_text() == ""


def test_lock_of_a_killed_run_is_taken_over_and_says_from_whom(tmp_path, holder):
    proc = holder()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    lock = _mine(tmp_path).acquire()
    try:
        takeover = lock.takeover
        assert takeover is not None and takeover.alive is False
        assert takeover.previous.pid == proc.pid and takeover.previous.operator == "svc-nightly"
        assert takeover.summary() == (
            f"project lock taken over from a run that did not release it: pid {proc.pid}, operator "
            "svc-nightly, run playbooks/nightly.yaml, since 2026-12-01 02:00:03; that process is gone")
        assert takeover.data()["previous"]["run_id"] == "20261130T190000Z-abc123"
    finally:
        lock.release()


def test_reentrant_in_one_process(tmp_path):
    outer = _mine(tmp_path).acquire()
    inner = ProjectLock(tmp_path, operator="pimchanok", what="backup (inside the run)").acquire()
    inner.release()
    assert current_holder(tmp_path) is not None  # still held by the outer
    outer.release()
    assert current_holder(tmp_path) is None
