"""Mask secrets in anything shown to a person: configs, diffs, logs, reports, the audit trail.

The patterns are data: each platform's ``secrets`` list in ictops/data/platforms.yaml
(``[regex, replacement]`` pairs applied to one line at a time). On top of those, every
platform gets the multi-line private-key block rule below, because a PEM block can sit in any
file. Masking is for display only: stored backups keep the raw text a restore needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ictops.platforms import Platform, get_platform

MASK = "<removed>"

# PEM private keys (RSA, EC, OPENSSH, ENCRYPTED ...): the body lines are replaced, the
# BEGIN/END lines stay so a reader still sees that a key is there.
_KEY_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_KEY_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")

# Prefix characters of a unified diff body line.
_DIFF_PREFIXES = (" ", "+", "-")


def _resolve(platform: Platform | str | None) -> Platform | None:
    if platform is None or isinstance(platform, Platform):
        return platform
    try:
        return get_platform(platform)
    except KeyError:
        return None


def _rules(platform: Platform | None) -> tuple[tuple[re.Pattern[str], str], ...]:
    if platform is None:
        # Unknown platform: apply every known rule; masking too much beats leaking.
        from ictops.platforms import platforms

        return tuple(rule for p in platforms().values() for rule in p.secrets)
    return platform.secrets


def _mask_one(line: str, rules: Iterable[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in rules:
        line = pattern.sub(replacement, line)
    return line


class _Masker:
    """Masks line by line, remembering whether it is inside a private-key block."""

    def __init__(self, platform: Platform | str | None):
        self.rules = _rules(_resolve(platform))
        self.in_key = False

    def line(self, line: str) -> str:
        if self.in_key:
            if _KEY_END.search(line):
                self.in_key = False
                return line
            return MASK if line.strip() else line
        begin = _KEY_BEGIN.search(line)
        if begin:
            # A one-line key ("-----BEGIN ... KEY-----MIIE...-----END ... KEY-----").
            end = _KEY_END.search(line, begin.end())
            if end:
                return line[: begin.end()] + MASK + line[end.start() :]
            self.in_key = True
            return line
        return _mask_one(line, self.rules)


def mask_line(line: str, platform: Platform | str | None) -> str:
    """One line with its secrets masked (no multi-line context)."""
    return _Masker(platform).line(line)


def mask_secrets(text: str, platform: Platform | str | None) -> str:
    """``text`` (a config or file) with every secret the platform's rules know masked.

    ``platform`` is a Platform, its name, or None (unknown: every platform's rules apply).
    """
    masker = _Masker(platform)
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(masker.line(body) + line[len(body) :])
    return "".join(out)


def mask_diff(diff: str, platform: Platform | str | None) -> str:
    """A unified diff with secrets masked on both sides; headers and hunk lines are kept."""
    old_side = _Masker(platform)
    new_side = _Masker(platform)
    out: list[str] = []
    for raw in diff.splitlines():
        if raw.startswith(("--- ", "+++ ", "@@", "diff ", "index ", "new file", "deleted file")):
            out.append(raw)
            continue
        if raw[:1] in _DIFF_PREFIXES:
            prefix, body = raw[0], raw[1:]
            if prefix == "-":
                out.append(prefix + old_side.line(body))
            elif prefix == "+":
                out.append(prefix + new_side.line(body))
            else:
                masked = old_side.line(body)
                new_side.line(body)
                out.append(prefix + masked)
            continue
        out.append(raw)  # "\ No newline at end of file" and the like
    return "\n".join(out) + ("\n" if diff.endswith("\n") else "")
