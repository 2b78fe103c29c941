"""The log of scheduled runs: ``state/logs/schedule-NAME.log``, one stamped line per line.

``ictops schedule run`` starts ``ictops run PLAYBOOK`` as a child whose output is a pipe (never
a terminal: no colours, no progress display, whatever the scheduler gives it) and appends each
line it prints to the log, prefixed with the Bangkok time; a ``start`` and an ``end: exit N``
line frame every run, so a night is found with grep. A crash that prints a traceback is in
the log too. SIGINT, SIGTERM and SIGHUP are passed on to the run once each (the child is in a
session of its own, so a terminal's Ctrl-C reaches it only this way); the run then stops
cleanly and the log says with which exit code (130, 143).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

from ictops.clock import now, show

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _line(log: TextIO, text: str) -> None:
    log.write(f"{show(now())} {text.rstrip()}\n")
    log.flush()


def run_logged(path: Path, argv: list[str], describe: str) -> int:
    """Run the ictops command line ``argv`` with its output in the log at ``path``; its exit code."""
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with open(path, "a", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ictops", *argv], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

        def forward(number: int, frame: FrameType | None) -> None:
            if proc.poll() is None:
                proc.send_signal(number)

        previous = {number: signal.signal(number, forward) for number in FORWARDED}
        try:
            _line(log, f"start: {describe} (operator {os.environ.get('ICTOPS_OPERATOR', '-')}, "
                       f"pid {proc.pid})")
            assert proc.stdout is not None
            for raw in proc.stdout:
                _line(log, raw.decode("utf-8", errors="replace"))
            code = proc.wait()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            if proc.poll() is None:  # we are leaving by an exception: do not leave the run behind
                proc.terminate()
        if code < 0:  # killed by a signal it did not handle
            code = 128 - code
        _line(log, f"end: exit {code} after {time.monotonic() - start:.1f}s")
    return code
