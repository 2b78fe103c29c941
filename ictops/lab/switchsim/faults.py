"""Fault modes: a per-device file that tests set and clear while the simulator runs.

auth-refuse   every login fails
auth-stall    the password is never answered (the client's auth timeout must fire)
channel-stall the login succeeds, the session channel is never opened
no-banner     accepts TCP, never speaks SSH
stall         long output stops half-way and hangs
drop          long output stops half-way and the connection closes
truncate      the running-config comes back cut off (no 'end')
drop-push     in configuration mode, the connection closes right after the 2nd line is
              applied (a push cut half-way); the fault then clears: the device answers again
drop-push-down  the same, then the device stays unreachable (the fault becomes no-banner)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FAULT_MODES = (
    "auth-refuse", "auth-stall", "channel-stall", "no-banner", "stall", "drop", "truncate",
    "drop-push", "drop-push-down",
)
PUSH_DROPS = {"drop-push": None, "drop-push-down": "no-banner"}  # fault -> the fault after it
PUSH_DROP_AFTER = 2  # configuration lines applied before the connection closes


def atomic_write(path: Path, text: str, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def set_fault(faults_dir: str | Path, name: str, mode: str | None) -> None:
    """Put device ``name`` into fault ``mode`` (None or "none" clears it)."""
    path = Path(faults_dir) / name
    if mode is None or mode == "none":
        path.unlink(missing_ok=True)
        return
    if mode not in FAULT_MODES:
        raise ValueError(f"unknown fault mode {mode!r}; use one of {FAULT_MODES} or None")
    atomic_write(path, mode + "\n")


def read_fault(faults_dir: str | Path, name: str) -> str | None:
    """The device's current fault mode, or None when it behaves normally."""
    try:
        mode = (Path(faults_dir) / name).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return mode if mode in FAULT_MODES else None
