"""SIGINT (Ctrl-C) and SIGTERM (what cron and systemd send) during a run.

The first signal stops the run cleanly: ``on_signal`` marks the run interrupted (no new host
starts) and closes the sessions, so commands running on the hosts lose their channel; what
completed is kept and recorded, and the run ends with exit code 130 (SIGINT) or 143
(SIGTERM). A second signal exits at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from ictops.errors import ExitCode

NAMES: dict[int, str] = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
EXIT = {"SIGINT": ExitCode.INTERRUPTED, "SIGTERM": ExitCode.TERMINATED}


def exit_code_for(reason: str) -> ExitCode:
    """130 for SIGINT, 143 for SIGTERM."""
    return EXIT.get(reason, ExitCode.INTERRUPTED)


class Interruption:
    """Installs the handlers for the length of a run (main thread only; elsewhere, no-op)."""

    def __init__(self, on_signal: Callable[[str], None]):
        self.on_signal = on_signal
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interruption:
        if threading.current_thread() is threading.main_thread():
            for number in NAMES:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def _handle(self, number: int, frame: FrameType | None) -> None:
        name = NAMES.get(number, str(number))
        if self.received:
            sys.stderr.write(f"ictops: {name} again: stopping now, without waiting\n")
            sys.stderr.flush()
            os._exit(int(exit_code_for(name)))
        self.received = name
        sys.stderr.write(f"ictops: {name}: no new host is started; finishing what runs "
                         "(send it again to stop at once)\n")
        sys.stderr.flush()
        self.on_signal(name)
