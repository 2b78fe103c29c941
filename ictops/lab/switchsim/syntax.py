"""Command syntax of the simulated switches: full-line patterns, as the devices' parsers check.

A pattern is words: ``ntp server <host> [prefer]``. A literal may be abbreviated while it stays
unambiguous (``ntp serv`` is ``ntp server``); ``(a|b)`` is one of several literals; ``<type>``
an argument (types below); ``[x]`` an optional word; ``|`` ends what a ``no``/``undo`` form
needs (``clock timezone | <word> <snum>`` takes ``no clock timezone``). A line is checked
against every pattern of its first keyword and comes back expanded (the device's spelling), or
as the error the device prints: unknown word (with its position), incomplete, ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

_IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
_GREEDY = ("<text>", "<vlans>")
_CHECKS = {
    "<ip>": lambda w: bool(_IPV4.match(w)),
    "<host>": lambda w: bool(_HOST.match(w)),
    "<num>": str.isdigit,
    "<snum>": lambda w: bool(re.fullmatch(r"[+-]?\d+", w)),
    "<word>": lambda w: True,
    "<time>": lambda w: bool(_TIME.match(w)),
}


@dataclass(frozen=True)
class Token:
    """One word of a pattern: literal alternatives, or an argument type."""

    literals: tuple[str, ...] = ()
    kind: str = ""  # "<host>", "<if>"...; "" for literals

    def accepts(self, word: str) -> bool:
        if self.kind == "<if>":
            return True  # checked by the grammar's interface-name expansion
        check = _CHECKS.get(self.kind)
        return bool(check and check(word))


@dataclass(frozen=True)
class Form:
    """A pattern with its optional words decided: what the line must be, word by word."""

    tokens: tuple[Token, ...]
    negation_min: int


@dataclass(frozen=True)
class Match:
    """The outcome of checking one line."""

    words: tuple[str, ...] = ()  # expanded words (when ok)
    error: str = ""  # "", "invalid", "incomplete", "ambiguous"
    position: int = 0  # index of the word the error is at
    interfaces: tuple[int, ...] = ()  # indexes of words that are interface names


def compile_patterns(patterns: list[str]) -> tuple[Form, ...]:
    """Every concrete word sequence the patterns allow."""
    found: list[Form] = []
    for pattern in patterns:
        groups = _groups(pattern)  # (tokens, optional, counts for the no form)
        for choice in product(*[[g, None] if g[1] else [g] for g in groups]):
            kept = [g for g in choice if g is not None]
            tokens = tuple(t for g in kept for t in g[0])
            needed = sum(len(g[0]) for g in kept if g[2])
            found.append(Form(tokens, needed))
    return tuple(found)


def _groups(pattern: str) -> list[tuple[tuple[Token, ...], bool, bool]]:
    """``a [b <c>] | d`` -> [((a,), False, True), ((b, <c>), True, True), ((d,), False, False)]."""
    groups: list[tuple[tuple[Token, ...], bool, bool]] = []
    words = pattern.split()
    negation_part = "|" in words
    open_group: list[Token] | None = None
    for word in words:
        if word == "|":
            negation_part = False
            continue
        if open_group is None and word.startswith("["):
            open_group, word = [], word[1:]
        if open_group is not None:
            closing = word.endswith("]")
            open_group.append(_token(word[:-1] if closing else word))
            if closing:
                groups.append((tuple(open_group), True, negation_part))
                open_group = None
            continue
        groups.append(((_token(word),), False, negation_part or "|" not in words))
    return groups


def _token(word: str) -> Token:
    if word.startswith("<"):
        return Token(kind=word)
    if word.startswith("(") and word.endswith(")"):
        return Token(literals=tuple(word[1:-1].split("|")))
    return Token(literals=(word,))


def match(forms: tuple[Form, ...], words: list[str], *, negate: bool) -> Match:
    """Check ``words`` (the line after any ``no``) against the allowed sequences."""
    alive = list(forms)
    out: list[str] = []
    interfaces: list[int] = []
    for i, word in enumerate(words):
        greedy = [s for s in alive if i < len(s.tokens) and s.tokens[i].kind in _GREEDY]
        if greedy:
            verdict = _greedy(greedy[0].tokens[i].kind, words[i:])
            if verdict == "ok":
                return Match(words=(*out, *words[i:]), interfaces=tuple(interfaces))
            if verdict == "incomplete":
                return Match(error="incomplete", position=len(words))
        chosen, expansion, error = _step(alive, i, word)
        if error:
            return Match(error=error, position=i)
        alive = chosen
        if any(s.tokens[i].kind == "<if>" for s in alive):
            interfaces.append(i)
        out.append(expansion)
    done = [
        s for s in alive if len(s.tokens) == len(words) or (negate and s.negation_min <= len(words))
    ]
    if not done:
        return Match(error="incomplete", position=len(words))
    return Match(words=tuple(out), interfaces=tuple(interfaces))


def _step(alive: list[Form], i: int, word: str) -> tuple[list[Form], str, str]:
    """(sequences still alive, the word as expanded, error) after word ``i``."""
    literal: dict[str, list[Form]] = {}
    argument: list[Form] = []
    lower = word.lower()
    for seq in alive:
        if i >= len(seq.tokens):
            continue
        token = seq.tokens[i]
        if token.literals:
            for lit in token.literals:
                if lit.startswith(lower):
                    literal.setdefault(lit, []).append(seq)
        elif token.accepts(word):
            argument.append(seq)
    if lower in literal:  # an exact keyword wins over abbreviations and arguments
        return literal[lower], lower, ""
    if len(literal) > 1:
        return [], "", "ambiguous"
    if literal:
        ((lit, seqs),) = literal.items()
        return seqs, lit, ""
    if argument:
        return argument, word, ""
    return [], "", "invalid"


def _greedy(kind: str, rest: list[str]) -> str:
    """``ok``, ``incomplete`` or "" (not this argument) for the rest of the line."""
    if kind == "<text>":
        return "ok" if rest else ""
    if not rest or rest[0] == "to" or not all(w.isdigit() or w == "to" for w in rest):
        return ""
    return "incomplete" if rest[-1] == "to" else "ok"
