"""Guards that run before anything is written: a bad capture never replaces a good backup.

- empty output is refused;
- a switch config without the platform's end marker (IOS ``end``, VRP ``return``; for
  platforms without one, such as ProCurve, its ``end_marker_fallback``) is refused;
- a config that shrank by more than a share (default 0.5, per host ``data.backup.max_shrink``)
  against the last good backup is quarantined: kept aside in ``state/quarantine/<host>/``
  with a ``.reason`` file, never committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ictops.backup.files import safe_name, write_atomic
from ictops.errors import InputError
from ictops.inventory.host import Host
from ictops.platforms import Platform

DEFAULT_MAX_SHRINK = 0.5


@dataclass(frozen=True)
class Refusal:
    """Why a capture was not stored. ``quarantine``: keep the capture aside for a person."""

    what: str  # "running-config", "files", ...
    reason: str
    quarantine: bool = False

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


def check_not_empty(text: str, what: str) -> Refusal | None:
    if not text.strip():
        return Refusal(what, "empty output; the last good backup is kept")
    return None


def check_end_marker(text: str, platform: Platform, what: str) -> Refusal | None:
    """Refuse a config that does not end as a complete one of this platform does."""
    lines = [line for line in text.splitlines() if line.strip()]
    if platform.end_marker is not None:
        if lines and platform.end_marker.search(lines[-1]):
            return None
        if any(platform.end_marker.search(line) for line in lines):
            return Refusal(
                what,
                f"text follows the end marker /{platform.end_marker.pattern}/: output looks "
                "garbled; the last good backup is kept",
            )
        return Refusal(
            what,
            f"no end marker /{platform.end_marker.pattern}/ (last line: {_quote(lines)}): "
            "output looks truncated; the last good backup is kept",
        )
    if platform.end_marker_fallback is not None:
        if platform.end_marker_fallback.search(text):
            return None
        return Refusal(
            what,
            f"no line matching /{platform.end_marker_fallback.pattern}/: output looks "
            "incomplete; the last good backup is kept",
        )
    return None


def _quote(lines: list[str]) -> str:
    if not lines:
        return "none"
    last = lines[-1].strip()
    return repr(last if len(last) <= 40 else last[:37] + "...")


def check_config(text: str, platform: Platform, what: str) -> Refusal | None:
    """Empty and end-marker checks for a normalised switch configuration."""
    return check_not_empty(text, what) or check_end_marker(text, platform, what)


def check_shrink(new: str, previous: str | None, max_shrink: float, what: str) -> Refusal | None:
    """Quarantine output that lost more than ``max_shrink`` of the last good backup's size."""
    if not previous:
        return None
    old_size, new_size = len(previous.encode()), len(new.encode())
    if new_size >= old_size * (1.0 - max_shrink):
        return None
    lost = 1.0 - new_size / old_size
    return Refusal(
        what,
        f"shrank from {old_size} to {new_size} bytes (-{lost:.0%}, limit -{max_shrink:.0%}); "
        "kept in quarantine, the last good backup is kept. If the change is intended, "
        "run the backup again accepting the shrink (or raise data.backup.max_shrink)",
        quarantine=True,
    )


def max_shrink_for(host: Host, default: float = DEFAULT_MAX_SHRINK) -> float:
    """The host's ``data.backup.max_shrink`` (a share between 0 and 1), else ``default``."""
    value = host.attribute("backup.max_shrink")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise InputError(
            f"host '{host.name}': data.backup.max_shrink is {value!r}; "
            "write a share between 0 and 1, for example 0.5",
            file=host.source or None,
        )
    return float(value)


def quarantine(
    root: Path, host_name: str, what: str, content: str, reason: str, now: datetime | None = None
) -> Path:
    """Keep a refused capture aside: ``root/<host>/<UTC time>-<what>.txt`` + ``.reason``.

    The capture holds raw secrets: the files are readable by the owner only.
    """
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    directory = root / safe_name(host_name)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    base = f"{stamp}-{safe_name(what)}"
    path = directory / f"{base}.txt"
    counter = 1
    while path.exists():
        counter += 1
        path = directory / f"{base}-{counter}.txt"
    write_atomic(path, content.encode(), mode=0o600)
    write_atomic(path.with_suffix(".reason"), (reason.rstrip("\n") + "\n").encode(), mode=0o600)
    return path
