"""A real kill -9 of a process appending to the trail: at most one torn line, and the next
writer carries on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ictops.audit.trail import AuditTrail
from ictops.audit.verify import verify

WRITER = """
import sys
from ictops.audit.trail import AuditTrail
trail = AuditTrail(sys.argv[1], run_id=sys.argv[2], operator="ictops", fsync=False)
i = 0
while True:  # until killed
    trail.append(action="cmd", status="ok", host="h%d" % (i % 7), process=2, step=5,
                 summary="x" * (i % 400), duration=0.01)
    i += 1
"""


def _wait_for_lines(path: Path, count: int, timeout: float) -> int:
    """Poll until ``path`` holds ``count`` lines or the deadline passes; the count seen."""
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        seen = path.read_bytes().count(b"\n") if path.exists() else 0
        if seen >= count:
            break
        time.sleep(0.02)  # poll interval of a deadline loop
    return seen


def _start(path: Path, run: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), run],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_kill_9_mid_write_leaves_at_most_one_torn_line(trail_path: Path) -> None:
    trail_path.parent.mkdir(parents=True)
    writers = [_start(trail_path, "run-a"), _start(trail_path, "run-b")]
    try:
        seen = _wait_for_lines(trail_path, 400, timeout=30)
        assert seen >= 400, f"writers produced only {seen} lines in 30 s"
        for proc in writers:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        for proc in writers:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
    assert all(p.returncode == -signal.SIGKILL for p in writers)

    report = verify(trail_path)
    assert report.ok, report.problems
    assert len(report.unrecovered_torn) <= 1
    assert not any(t.recovered for t in report.torn)
    last_before = report.last_seq

    with AuditTrail(trail_path, run_id="run-c", operator="root") as trail:
        rec = trail.append(action="cmd", status="ok", host="h1", summary="after the crash")
    after = verify(trail_path)
    assert after.ok, after.problems
    assert not after.unrecovered_torn
    expected_seq = last_before + 1 + (1 if report.unrecovered_torn else 0)
    assert rec["seq"] == after.last_seq == expected_seq


def test_simulated_partial_write_then_kill_then_carry_on(trail_path: Path) -> None:
    """The torn case kill -9 rarely produces on its own: a line cut mid-way, then a crash."""
    with AuditTrail(trail_path) as trail:
        for i in range(3):
            trail.append(action="cmd", status="ok", summary=str(i))
    full = trail_path.read_bytes()
    lines = full.split(b"\n")
    head = trail_path.with_name("head.json")
    checkpoint = head.read_bytes()
    # a 4th record whose write stopped half-way (as after ENOSPC or a power cut)
    with AuditTrail(trail_path) as trail:
        trail.append(action="cmd", status="ok", summary="cut")
    fourth = trail_path.read_bytes()[len(full):]
    trail_path.write_bytes(full + fourth[: len(fourth) // 2])
    head.write_bytes(checkpoint)  # the crash came before the checkpoint of record 4
    report = verify(trail_path)
    assert report.ok and [t.line for t in report.unrecovered_torn] == [4]
    assert len(lines) == 4  # 3 lines + the empty piece after the last newline
    with AuditTrail(trail_path) as trail:
        trail.append(action="cmd", status="ok", summary="carry on")
    final = verify(trail_path)
    assert final.ok, final.problems
    assert [(t.line, t.recovered) for t in final.torn] == [(4, True)]
    assert final.last_seq == 5  # recovery record (4) + the new record (5)
