"""The -l/--limit language (docs/limit.md).

    expr  := and ( ("or" | ",") and )*
    and   := unary ( ("and" | "&") unary )*
    unary := ("not" | "!") unary | "(" expr ")" | atom
    atom  := NAME | KEY "=" VALUE | KEY "!=" VALUE

NAME is a host name or a group name, globs allowed (``sw-*``), or ``all`` (every host, as in
Ansible); KEY=VALUE tests
host data (role, site, platform, district, school_code, any data key, dotted
for nested data), VALUE may be a glob or quoted ('บ้าน หนองบัว').
"""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Any, Callable

from ictops.errors import LimitError
from ictops.validation import suggest

if TYPE_CHECKING:
    from ictops.inventory.host import Host
    from ictops.inventory.inventory import Inventory

Predicate = Callable[["Host"], bool]
ALL = "all"  # every host, as Ansible's implicit group

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>!=|[(),&!=])
      | (?P<quoted>'[^']*'|"[^"]*")
      | (?P<word>[^\s(),&!='"]+)
    )""",
    re.VERBOSE,
)
_TYPED_KEYS = (
    "name", "hostname", "platform", "port", "role", "site", "district", "username",
    "school", "school_name", "school_code", "kind",
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise LimitError(f"limit '{text}': cannot read '{text[pos:].strip()}'; see docs/limit.md")
        pos = m.end()
        if m.group("op"):
            tokens.append(("op", m.group("op")))
        elif m.group("quoted"):
            tokens.append(("word", m.group("quoted")[1:-1]))
        else:
            word = m.group("word")
            low = word.lower()
            tokens.append(("op", low) if low in ("and", "or", "not") else ("word", word))
    return tokens


def _glob_match(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, (list, tuple, set)):
        return any(_glob_match(pattern, v) for v in value)
    if isinstance(value, bool):
        value = "true" if value else "false"
    return fnmatch.fnmatchcase(str(value), pattern)


class _Parser:
    def __init__(self, text: str, inventory: "Inventory"):
        self.text = text
        self.inventory = inventory
        self.tokens = _tokens(text)
        self.pos = 0
        self._data_keys: set[str] | None = None

    def fail(self, what: str) -> LimitError:
        return LimitError(f"limit '{self.text}': {what}; see docs/limit.md for the syntax")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise self.fail("it ends too early")
        self.pos += 1
        return tok

    def parse(self) -> Predicate:
        if not self.tokens:
            raise LimitError(
                f"limit '{self.text}' is empty; leave -l out, or write -l all, to act on every host"
            )
        pred = self.expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return pred

    def expr(self) -> Predicate:
        parts = [self.conj()]
        while self.peek() in (("op", "or"), ("op", ",")):
            self.take()
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else (lambda h, ps=tuple(parts): any(p(h) for p in ps))

    def conj(self) -> Predicate:
        parts = [self.unary()]
        while self.peek() in (("op", "and"), ("op", "&")):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda h, ps=tuple(parts): all(p(h) for p in ps))

    def unary(self) -> Predicate:
        tok = self.take()
        if tok in (("op", "not"), ("op", "!")):
            inner = self.unary()
            return lambda h: not inner(h)
        if tok == ("op", "("):
            inner = self.expr()
            if self.take() != ("op", ")"):
                raise self.fail("a '(' is not closed")
            return inner
        if tok[0] != "word":
            raise self.fail(f"expected a host, group or key=value, not '{tok[1]}'")
        nxt = self.peek()
        if nxt in (("op", "="), ("op", "!=")):
            self.take()
            value = self.take()
            if value[0] != "word":
                raise self.fail(f"'{tok[1]}{nxt[1]}' needs a value")  # type: ignore[index]
            return self.key_value(tok[1], value[1], negate=nxt[1] == "!=")  # type: ignore[index]
        return self.name(tok[1])

    def data_keys(self) -> set[str]:
        if self._data_keys is None:
            keys: set[str] = set()
            for host in self.inventory.hosts.values():
                keys.update(host.data)
            self._data_keys = keys
        return self._data_keys

    def key_value(self, key: str, pattern: str, negate: bool) -> Predicate:
        top = key[5:] if key.startswith("data.") else key
        if key not in _TYPED_KEYS and top.split(".")[0] not in self.data_keys():
            known = list(_TYPED_KEYS) + sorted(self.data_keys())
            raise LimitError(
                f"limit '{self.text}': unknown key '{key}'{suggest(key, known)}; "
                f"keys: {', '.join(known)}"
            )
        if negate:
            return lambda h: not _glob_match(pattern, h.attribute(key))
        return lambda h: _glob_match(pattern, h.attribute(key))

    def name(self, word: str) -> Predicate:
        if word == ALL:
            return lambda h: True
        groups = set(fnmatch.filter(self.inventory.groups, word))
        hosts = set(fnmatch.filter(self.inventory.hosts, word))
        if not groups and not hosts:
            known = list(self.inventory.hosts) + list(self.inventory.groups)
            raise LimitError(
                f"limit '{self.text}': '{word}' is no host or group{suggest(word, known)}; "
                "see: ictops inventory list"
            )
        if not groups:
            return lambda h: h.name in hosts
        return lambda h: h.name in hosts or not groups.isdisjoint(h.all_groups)


def parse_limit(text: str, inventory: "Inventory") -> Predicate:
    """Compile a limit expression into a host predicate (raises LimitError)."""
    return _Parser(text, inventory).parse()
