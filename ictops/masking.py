"""Mask secrets in anything shown to a person: outputs, configs, diffs, logs, reports, the trail.

``mask_text(text, platform, secrets)`` is the one function; ``Masker`` keeps its arguments for
one host (the engine builds one per host: ictops/engine/masks.py); ``MaskingWriter`` applies
it to a stream (a command's whole output written to a file). Four layers:

- the platform's patterns: each platform's ``secrets`` list in ictops/data/platforms.yaml
  (``[regex, replacement]`` pairs applied to one line at a time; an unknown platform gets
  every platform's patterns: masking too much beats leaking), and for a platform whose config
  is sections of unindented items (RouterOS) its ``section_secrets``: rules for the items of
  one section (an SNMP community's name), applied when the masker does not know the section
  it is in as well (a diff hunk's first lines);
- private-key blocks (PEM), for every platform, because they span lines;
- generic assignments in commands and messages: ``password=x``, ``token: x``, ``--password x``;
- known secret values wherever they appear: those passed in, and every secret ictops has
  read from the inventory in this process (``SecretRef.resolve`` calls ``remember_secret``).

Values are masked, not words: a pattern whose masked part starts with an ordinary word
("password authentication failed", "secret file x is readable") leaves the line alone, so
messages stay readable. Masking is for display only: stored backups keep the raw text a
restore needs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import BinaryIO

from ictops.platforms import Platform, get_platform

MASK = "<removed>"
_MIN_SECRET = 3  # shorter known values are not masked: they would hide ordinary text

# Words that follow "password", "secret", "key", "community"... in prose (ictops's hints
# included), never as a value.
_PROSE = frozenset(
    """a an the and or nor not no for of in on at to by with from into as is are was were be
    been being has have had do does did can cannot could may might must shall should will
    would it its this that these those which who when where while if then than there here
    also only still too now yet again please like looks required needed missing expired
    incorrect invalid wrong failed denied rejected accepted changed set unset given found
    file files authentication prompt string value values reference references mismatch
    length policy ok write add use see run check create export give put remove rename
    define fix edit change trust read type enter""".split()
)

# Generic assignments in commands, messages and logs: "password=x" always; "token: x" and
# "--password x" unless x is a plain lower-case word (prose: "password is required").
_KEYWORD = (
    r"(?i)(\b[\w.-]*?(?:password|passwd|passphrase|secret|token|api[_-]?key|community|psk)\b"
    r"[\"']?)"
)
_VALUE = r"(?!<removed>)(\"[^\"]*\"|'[^']*'|\S+)"
_GENERIC = (
    re.compile(_KEYWORD + r"(\s*=\s*)" + _VALUE),
    re.compile(_KEYWORD + r"(\s*:\s*|\s+)(?!(?-i:[a-z]+)[.,;:)!?]*(?:\s|$))" + _VALUE),
)

_known: tuple[str, ...] = ()  # longest first, so a secret that contains another is masked whole
_known_lock = threading.Lock()


def remember_secret(value: str) -> None:
    """Mask ``value`` in everything this process shows or logs from now on."""
    global _known
    if not value or len(value) < _MIN_SECRET:
        return
    with _known_lock:
        if value not in _known:
            _known = _longest_first({*_known, value})


def _longest_first(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v and len(v) >= _MIN_SECRET}, key=len, reverse=True))


def _mask_values(text: str, secrets: tuple[str, ...]) -> str:
    for value in _longest_first((*_known, *secrets)) if secrets else _known:
        text = text.replace(value, MASK)
    return text

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


@lru_cache(maxsize=256)
def _masked_span(replacement: str) -> tuple[int, int | None]:
    """The groups around the masked part: it starts after group ``before`` (0: the match's
    start) and ends before group ``after`` (None: the match's end)."""
    head, _, tail = replacement.partition(MASK)
    before = re.findall(r"\\(\d)", head)
    after = re.findall(r"\\(\d)", tail)
    return (int(before[-1]) if before else 0), (int(after[0]) if after else None)


def _is_word(hidden: str) -> bool:
    """Whether the masked part of a match is prose (or a reference), not a value."""
    token = hidden.strip().lstrip("=:").split(maxsplit=1)
    if not token:
        return False
    first = token[0]
    if first.startswith("{") or first == "...":  # {env: NAME}, a placeholder
        return True
    return first.rstrip(".,;:)").lower() in _PROSE


def _substitute(pattern: re.Pattern[str], replacement: str, line: str) -> str:
    before, after = _masked_span(replacement)

    def one(match: re.Match[str]) -> str:
        start = match.end(before) if before else match.start()
        end = match.start(after) if after is not None and match.start(after) >= 0 else match.end()
        if _is_word(match.string[start:end]):
            return match.group(0)
        return match.expand(replacement)

    return pattern.sub(one, line)


def _mask_one(line: str, rules: Iterable[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in rules:
        line = _substitute(pattern, replacement, line)
    if MASK not in line:  # lines a platform rule masked are left alone ("secret 5 <removed>")
        for pattern in _GENERIC:
            line = _substitute(pattern, r"\1\2" + MASK, line)
    return line


class _Masker:
    """Masks line by line, remembering whether it is inside a private-key block and (RouterOS)
    which section it is in."""

    def __init__(self, platform: Platform | str | None):
        resolved = _resolve(platform)
        self.rules = _rules(resolved)
        self.in_key = False
        self.header = resolved.section_header if resolved else None
        self.section_rules = resolved.section_secrets if resolved else ()
        self.section: str | None = None  # None: not known (the start of a text or a hunk)

    def restart(self) -> None:
        """A new diff hunk: the section is not known any more."""
        self.section = None

    def _in_section(self, line: str) -> str:
        if self.header is not None and self.header.search(line):
            self.section = line
        for section, pattern, replacement in self.section_rules:
            if self.section is None or section.search(self.section):
                line = pattern.sub(replacement, line)
        return line

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
        masked = _mask_one(line, self.rules)
        return self._in_section(masked) if self.section_rules else masked


def mask_text(
    text: str, platform: Platform | str | None = None, secrets: Iterable[str] = ()
) -> str:
    """``text`` as it may be shown or logged, every secret masked (see the module docstring).

    ``platform``: a Platform, its name, or None (unknown: every platform's patterns apply).
    ``secrets``: values to mask wherever they appear (a host's resolved passwords).
    """
    masker = _Masker(platform)
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(masker.line(body) + line[len(body) :])
    return _mask_values("".join(out), tuple(secrets))


def mask_line(line: str, platform: Platform | str | None) -> str:
    """One line with its secrets masked (no multi-line context)."""
    return mask_text(line, platform)


def mask_secrets(text: str, platform: Platform | str | None) -> str:
    """A config or file with its secrets masked: ``mask_text`` without host values."""
    return mask_text(text, platform)


class Masker:
    """``mask_text`` for one host: its platform and its known secret values."""

    def __init__(self, platform: Platform | str | None = None, secrets: Iterable[str] = ()):
        self.platform = platform
        self.secrets = tuple(secrets)

    def __call__(self, text: str) -> str:
        return mask_text(text, self.platform, self.secrets)


class MaskingWriter:
    """A binary sink that passes on what it is written, masked as ``mask_text`` would, one
    line at a time as lines complete (the private-key state carries across writes). A line
    longer than ``max_line`` bytes is masked and passed on in parts. ``close`` passes on
    the last, unfinished line; it does not close ``sink``."""

    def __init__(self, sink: BinaryIO, masker: Masker, max_line: int = 2**20):
        self._sink = sink
        self._secrets = masker.secrets
        self._lines = _Masker(masker.platform)
        self._pending = bytearray()
        self._max_line = max_line

    def write(self, data: bytes) -> int:
        self._pending += data
        end = self._pending.rfind(b"\n")
        if end >= 0:
            done, self._pending = self._pending[: end + 1], self._pending[end + 1 :]
            for line in bytes(done).splitlines(keepends=True):
                self._emit(line)
        while len(self._pending) > self._max_line:
            part, self._pending = self._pending[: self._max_line], self._pending[self._max_line :]
            self._emit(bytes(part))
        return len(data)

    def close(self) -> None:
        if self._pending:
            self._emit(bytes(self._pending))
            self._pending = bytearray()

    def _emit(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "surrogateescape")  # bytes that are not UTF-8 pass unchanged
        body = text.rstrip("\r\n")
        masked = _mask_values(self._lines.line(body), self._secrets) + text[len(body) :]
        self._sink.write(masked.encode("utf-8", "surrogateescape"))


def mask_diff(
    diff: str, platform: Platform | str | None, secrets: Iterable[str] = ()
) -> str:
    """A unified diff with secrets masked on both sides; headers and hunk lines are kept."""
    old_side = _Masker(platform)
    new_side = _Masker(platform)
    out: list[str] = []
    for raw in diff.splitlines():
        if raw.startswith(("--- ", "+++ ", "@@", "diff ", "index ", "new file", "deleted file")):
            out.append(raw)
            old_side.restart()
            new_side.restart()
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
    text = "\n".join(out) + ("\n" if diff.endswith("\n") else "")
    return _mask_values(text, tuple(secrets))
