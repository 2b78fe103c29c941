"""Guards that run before anything is written: a bad capture never replaces a good backup.

- empty output is refused;
- a switch config without the platform's end marker (IOS ``end``, VRP ``return``) is refused;
  platforms that print none (ProCurve, RouterOS) say instead what a complete capture holds
  (``complete``: lines it always has, sections that always close, a last line never cut);
- a switch config that does not look like one of its platform (no hostname line, not
  printable text, implausibly long lines, top-level lines that are mostly not commands of
  the platform: the ``config_shape`` data in ictops/data/platforms.yaml) is refused;
- a config that shrank by more than a share (default 0.5, per host ``data.backup.max_shrink``)
  against the last good backup is quarantined: kept aside in ``state/quarantine/<host>/``
  with a ``.reason`` file, never committed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ictops import clock
from ictops.backup.files import safe_name, write_atomic
from ictops.errors import InputError
from ictops.inventory.host import Host
from ictops.platforms import Platform

DEFAULT_MAX_SHRINK = 0.5
# A config is text: at most this share of its characters may be unprintable (controls other
# than tab, invalid UTF-8 shown as U+FFFD, surrogates).
MAX_UNPRINTABLE_SHARE = 0.01
# At least this share of the top-level lines must start with a command of the platform (the
# rest: banner text, commands newer than the platform data).
MIN_KNOWN_SHARE = 0.6
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")


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
    if platform.complete is not None:
        return check_complete(text, platform, what)
    return None


def check_complete(text: str, platform: Platform, what: str) -> Refusal | None:
    """The ``complete`` rules of a platform without an end marker (ProCurve, RouterOS)."""
    rules = platform.complete
    if rules is None:
        return None
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    lines = [line for _, line in numbered]
    cut = "output looks truncated; the last good backup is kept"
    for required in rules.required:
        if not any(required.search(line) for line in lines):
            return Refusal(
                what,
                f"no line matching /{required.pattern}/ (a complete {platform.name} config "
                f"always has one; last line: {_quote(lines)}): {cut}",
            )
    if rules.block_line is not None and rules.block_close is not None:
        run_end: tuple[int, str] | None = None
        for number, line in [*numbered, (0, "")]:
            if rules.block_line.search(line):
                run_end = (number, line)
                continue
            if run_end is not None and not rules.block_close.search(run_end[1]):
                return Refusal(
                    what,
                    f"the section ending at line {run_end[0]} ({_quote([run_end[1]])}) is not "
                    f"closed by /{rules.block_close.pattern}/: {cut}",
                )
            run_end = None
    if rules.last_line_not is not None and lines and rules.last_line_not.search(lines[-1]):
        return Refusal(what, f"the last line {_quote(lines)} continues on a line that never came: {cut}")
    return None


def _quote(lines: list[str]) -> str:
    if not lines:
        return "none"
    last = lines[-1].strip()
    return repr(last if len(last) <= 40 else last[:37] + "...")


def check_shape(text: str, platform: Platform, what: str) -> Refusal | None:
    """Refuse text that does not look like a configuration of this platform."""
    shape = platform.config_shape
    if shape is None:
        return None
    kept = "the last good backup is kept"
    unprintable = len(_UNPRINTABLE.findall(text))
    if unprintable > len(text) * MAX_UNPRINTABLE_SHARE:
        return Refusal(what, f"not text ({unprintable} unprintable characters); {kept}")
    lines = text.splitlines()
    longest = max(range(len(lines)), key=lambda i: len(lines[i]), default=0)
    if lines and len(lines[longest]) > shape.max_line:
        return Refusal(
            what,
            f"line {longest + 1} is {len(lines[longest])} characters long (a {platform.name} "
            f"config line is at most {shape.max_line}); {kept}",
        )
    if not shape.hostname.search(text):
        return Refusal(
            what,
            f"no hostname line /{shape.hostname.pattern}/: does not look like a "
            f"{platform.name} configuration; {kept}",
        )
    top = [(n, line) for n, line in enumerate(lines, 1) if shape.is_top(line)]
    unknown = [(n, line) for n, line in top if not shape.knows(line)]
    if len(top) - len(unknown) < len(top) * MIN_KNOWN_SHARE:
        n, line = unknown[0]
        return Refusal(
            what,
            f"only {len(top) - len(unknown)} of {len(top)} top-level lines start with a "
            f"{platform.name} command (line {n}: {_quote([line])}): does not look like a "
            f"configuration; {kept}",
        )
    return None


def check_config(text: str, platform: Platform, what: str) -> Refusal | None:
    """Empty, end-marker and shape checks for a normalised switch configuration."""
    return (
        check_not_empty(text, what)
        or check_end_marker(text, platform, what)
        or check_shape(text, platform, what)
    )


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
    stamp = clock.compact(now)
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
