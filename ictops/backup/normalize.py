"""Normalise captured configuration so an unchanged device compares equal run after run.

What is dropped is data: each platform's ``volatile`` patterns in ictops/data/platforms.yaml
("! Last configuration change at ...", "Current configuration : N bytes", ...), and its
``volatile_parts`` (the time in a RouterOS export header, whose version stays). Besides those,
only transport remnants go: line endings, trailing spaces, terminal escape sequences, the echoed
command and a trailing prompt. Everything else is kept as the device printed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ictops.platforms import Platform

# Terminal noise a CLI session can leave: ANSI escapes and backspace-overwrites.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB012]")
_BACKSPACE = re.compile(r"[^\n]\x08")
# A bare CLI prompt on its own line: "sw1#", "sw1>", "<HUAWEI>", "[HUAWEI]", "sw1(config)#",
# RouterOS "[admin@sw1] >".
_PROMPT = re.compile(
    r"^(?:[<\[]?[\w.\-/:@~]+(?:\([\w.\-]+\))?[#>\]]|\[[\w.\-@]+\] (?:/[\w/ -]*)?>)$"
)


def clean_lines(text: str) -> list[str]:
    """Lines with Unix endings, no trailing spaces and no terminal escape sequences."""
    text = _ANSI.sub("", text)
    while "\x08" in text:
        stripped = _BACKSPACE.sub("", text)
        if stripped == text:
            text = text.replace("\x08", "")
            break
        text = stripped
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _strip_echo(lines: list[str], command: str | None) -> list[str]:
    """Drop the echoed command ("show running-config", or "sw1#show running-config")."""
    if not command or not lines:
        return lines
    first = lines[0].strip()
    if first == command or (
        first.endswith(command) and _PROMPT.match(first[: -len(command)].strip())
    ):
        return lines[1:]
    return lines


def _strip_prompt(lines: list[str], platform: Platform) -> list[str]:
    """Drop a trailing prompt, but never a line that could be configuration."""
    while lines and _PROMPT.match(lines[-1].strip()):
        if platform.end_marker is not None and platform.end_marker.search(lines[-1]):
            break
        lines = _trim_blank(lines[:-1])
    return lines


def is_volatile(line: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    return any(p.search(line) for p in patterns)


def normalize_config(text: str, platform: Platform, command: str | None = None) -> str:
    """A switch configuration as stored: transport remnants and volatile lines removed.

    ``command`` is the show command that produced ``text`` (its echo is dropped if present).
    Returns "" for output with no content, so guards can refuse it.
    """
    lines = _trim_blank(clean_lines(text))
    lines = _trim_blank(_strip_echo(lines, command))
    lines = _strip_prompt(lines, platform)
    lines = _trim_blank([line for line in lines if not is_volatile(line, platform.volatile)])
    for pattern, replacement in platform.volatile_parts:
        lines = [pattern.sub(replacement, line) for line in lines]
    return "\n".join(lines) + "\n" if lines else ""


def normalize_output(text: str, volatile: Sequence[re.Pattern[str]] = ()) -> str:
    """A server command's output as stored: Unix endings, no trailing spaces, volatile
    lines (``volatile_lines`` in server_commands.yaml) dropped."""
    lines = _trim_blank([line for line in clean_lines(text) if not is_volatile(line, volatile)])
    return "\n".join(lines) + "\n" if lines else ""


def line_changes(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) between two texts, as a unified diff counts them."""
    import difflib

    added = removed = 0
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed
