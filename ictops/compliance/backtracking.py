"""Refuse rule regexes that can backtrack catastrophically (``^(a+)+$`` on a device line).

Python's ``re`` backtracks: when a repeated group can match the same text in more than one
way, a line that almost matches makes it try every way, 2**n for n characters. Device output
is untrusted, so such a pattern in a rule pack is an error at load time (exit 2, file:line),
not a hang in the middle of a nightly audit.

The check works on the parse tree of ``re`` itself. For every repetition that may run more
than once (``+``, ``*``, ``{2,}``...; possessive ones and atomic groups never backtrack), the
parts of its body are read in a circle (the end of one pass meets the start of the next):
a part of variable length must be followed, up to the next part that cannot be empty, by
nothing that can match one of its characters, or the text can be split between the parts
in several ways. The alternatives of an ``(x|y)`` inside a repetition must be told apart by
their first characters (or by one position of their fixed-length start), or one pass can
take either. This accepts ``(\\d+\\.)+``, ``(\\S+\\s+)+``, ``(ab|cd)+``, ``(foo|barr)+`` and refuses
``(a+)+``, ``(a*)*``, ``(\\w+\\s?)+``, ``(.*,)+``, ``(a|aa)+``, ``(a+|b)+``. It may refuse a
harmless pattern (``(a+b|c)+``). It does not bound polynomial cost (``.*x.*y`` on a very long
line); the length of what a device may send bounds that.

Why a check at load rather than a time limit per match (the ``regex`` module's ``timeout``):
the author learns it at once, with file:line, instead of an ERROR in the middle of a nightly
audit; no new dependency and no second regex engine with its own dialect; no cost per line
and no change at every place a rule regex is used.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _sre
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre  # type: ignore[no-redef]

# Characters tried when deciding whether two parts can match the same character: Latin and
# its neighbours, Thai, and Unicode spaces and digits; every literal and range end of the
# pattern is added, so two literal sets or ranges are compared exactly.
_BASE_SAMPLE = frozenset(
    [chr(i) for i in range(0x250)]
    + [chr(i) for i in range(0x0E00, 0x0E60)]
    + ["\u2003", "\u3000", "\u0660", "\uff10", "\u00a0", "\u2028"]
)
_CATEGORIES = {
    _c.CATEGORY_DIGIT: r"\d",
    _c.CATEGORY_NOT_DIGIT: r"\D",
    _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S",
    _c.CATEGORY_WORD: r"\w",
    _c.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT)
_ATOMIC = getattr(_c, "ATOMIC_GROUP", object())  # Python 3.11+: these never backtrack
_POSSESSIVE = getattr(_c, "POSSESSIVE_REPEAT", object())
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)


class Backtracking(ValueError):
    """The pattern can take exponential time on some input."""


class _Part:
    """One part of the body of a repetition; its characters are computed when needed."""

    def __init__(self, checker: _Checker, items: list, low: int, high: int, fixed: bool):
        self._checker = checker
        self._items = items
        self.low = low
        self.high = high
        self.fixed = fixed  # cannot be split differently (fixed length, atomic or possessive)

    @cached_property
    def chars(self) -> frozenset[str]:
        """Sample characters the part may consume."""
        return self._checker.chars(self._items)


@lru_cache(maxsize=None)
def _in_category(category: str, ch: str) -> bool:
    return re.fullmatch(category, ch) is not None


class _Checker:
    def __init__(self, tree: _sre.SubPattern, sample: frozenset[str]):
        self.state = tree.state
        self.sample = sample
        self.ignore_case = bool(tree.state.flags & _c.SRE_FLAG_IGNORECASE)
        self.dotall = bool(tree.state.flags & _c.SRE_FLAG_DOTALL)

    # -- what a piece of pattern can consume ------------------------------------------------
    def width(self, items: list) -> tuple[int, int]:
        return _sre.SubPattern(self.state, list(items)).getwidth()

    def chars(self, items: list) -> frozenset[str]:
        found: set[str] = set()
        for op, av in items:
            if op is _c.LITERAL:
                found |= self._case({chr(av)})
            elif op is _c.NOT_LITERAL:
                found |= self.sample - self._case({chr(av)})
            elif op is _c.ANY:
                found |= self.sample if self.dotall else self.sample - {"\n"}
            elif op is _c.IN:
                found |= {ch for ch in self.sample if self._in(av, ch)}
            elif op in _ZERO_WIDTH:
                continue
            elif _inner(op, av):
                for sub in _inner(op, av):
                    found |= self.chars(sub)
            else:  # a back-reference or anything unknown: any character
                found |= self.sample
        return frozenset(found)

    def _case(self, chars: set[str]) -> set[str]:
        return chars | {c.swapcase() for c in chars} if self.ignore_case else chars

    def _in(self, members: list, ch: str) -> bool:
        negate = bool(members) and members[0][0] is _c.NEGATE
        tries = {ch, ch.swapcase()} if self.ignore_case else {ch}
        hit = any(self._member(op, av, c) for op, av in members for c in tries)
        return hit != negate

    @staticmethod
    def _member(op, av, ch: str) -> bool:
        if op is _c.LITERAL:
            return ord(ch) == av
        if op is _c.RANGE:
            return av[0] <= ord(ch) <= av[1]
        if op is _c.CATEGORY:
            rx = _CATEGORIES.get(av)
            return rx is None or _in_category(rx, ch)
        return False  # NEGATE is read by _in

    # -- the check ---------------------------------------------------------------------------
    def parts(self, items: list) -> list[_Part]:
        """The body of a repetition as a sequence of parts; groups are read through."""
        parts: list[_Part] = []
        for op, av in items:
            if op is _c.SUBPATTERN:
                parts += self.parts(av[3])
                continue
            low, high = self.width([(op, av)])
            if high == 0 or op in _ZERO_WIDTH:
                continue
            fixed = low == high or op in (_ATOMIC, _POSSESSIVE)
            if op is _c.BRANCH and not fixed:
                # alternatives told apart by their first characters, none empty, each of one
                # length: the text decides which one and how long
                widths = [self.width(alt) for alt in av[1]]
                fixed = self.distinct(av[1]) and all(lo == hi >= 1 for lo, hi in widths)
            parts.append(_Part(self, [(op, av)], low, high, fixed))
        return parts

    def _start(self, alternative: list) -> tuple[frozenset[str], bool, list[frozenset[str]]]:
        """What an alternative may start with, whether it may match nothing, and its
        leading single characters (one set per position)."""
        parts = self.parts(alternative)
        first: set[str] = set()
        empty = True
        for part in parts:
            first |= part.chars
            if part.low >= 1:
                empty = False
                break
        columns: list[frozenset[str]] = []
        for part in parts:
            if part.low != 1 or part.high != 1:
                break
            columns.append(part.chars)
        return frozenset(first), empty, columns

    def distinct(self, alternatives: list) -> bool:
        """Whether no text can be matched by two of the alternatives of a ``(x|y)``."""
        starts = [self._start(alt) for alt in alternatives]
        for i, (first_a, empty_a, cols_a) in enumerate(starts):
            for first_b, empty_b, cols_b in starts[i + 1:]:
                if empty_a and empty_b:
                    return False
                if first_a & first_b and not any(not (x & y) for x, y in zip(cols_a, cols_b)):
                    return False
        return True

    def ambiguous_branch(self, items: list) -> bool:
        """Whether some ``(x|y)`` in ``items`` can match one text in two ways."""
        for op, av in items:
            if op in (_ATOMIC, _POSSESSIVE):
                continue
            if op is _c.BRANCH and not self.distinct(av[1]):
                return True
            if any(self.ambiguous_branch(sub) for sub in _inner(op, av)):
                return True
        return False

    def ambiguous_repeat(self, body: list) -> bool:
        if self.ambiguous_branch(body):
            return True
        parts = self.parts(body)
        count = len(parts)
        for i, part in enumerate(parts):
            if part.fixed:
                continue
            for step in range(1, count + 1):
                after = parts[(i + step) % count]
                if part.chars & after.chars:
                    return True
                if after.low >= 1:
                    break
        return False

    def walk(self, items: list) -> bool:
        """Whether any repetition in ``items`` can backtrack catastrophically."""
        for op, av in items:
            if op in _REPEATS and av[1] > 1 and self.ambiguous_repeat(av[2]):
                return True
            if any(self.walk(sub) for sub in _inner(op, av)):
                return True
        return False


def _inner(op, av) -> list[list]:
    """The sub-patterns of one item of a parse tree."""
    if op in _REPEATS or op is _POSSESSIVE:
        return [av[2]]
    if op is _c.SUBPATTERN:
        return [av[3]]
    if op is _c.BRANCH:
        return list(av[1])
    if op is _ATOMIC:
        return [av]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    if op is _c.GROUPREF_EXISTS:
        return [av[1]] + ([av[2]] if av[2] else [])
    return []


def _literals(tree: _sre.SubPattern) -> set[str]:
    """Every literal character and range end of the pattern (added to the sample)."""
    found: set[str] = set()
    stack: list = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _sre.SubPattern):
            stack.extend(node.data)
        elif isinstance(node, (list, tuple)):
            if len(node) == 2 and node[0] in (_c.LITERAL, _c.NOT_LITERAL) and isinstance(node[1], int):
                found.add(chr(node[1]))
            elif len(node) == 2 and node[0] is _c.RANGE:
                found |= {chr(node[1][0]), chr(node[1][1])}
            else:
                stack.extend(node)
    return found


@lru_cache(maxsize=4096)
def check_backtracking(pattern: str) -> None:
    """Raise Backtracking when ``pattern`` (valid for ``re``) can backtrack exponentially."""
    tree = _sre.parse(pattern)
    sample = _BASE_SAMPLE | _literals(tree)
    if _Checker(tree, frozenset(sample)).walk(list(tree)):
        raise Backtracking(
            f"regular expression {pattern!r} can take exponential time on a line that almost "
            "matches: a repeated group can match the same text in more than one way (like "
            "(a+)+ or (\\w+\\s?)+); rewrite it so each repetition is unambiguous, for example "
            "(\\w+\\s)+ or (\\d+\\.)+"
        )
