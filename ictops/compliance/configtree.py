"""Read a device configuration (or a server config file) into a tree of lines.

The hierarchy comes from indentation, or (RouterOS) from menu path lines that open a section
whose items follow unindented. What is not configuration (comments, oxidized headers, banner
text, text after ``end``, ProCurve ``exit`` lines) and how lines are wrapped are described per
platform in ``ictops/data/config_dialects.yaml``, not in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Dialect:
    """What is not configuration in one platform's text."""

    name: str
    comment: re.Pattern[str] | None = None
    skip: tuple[re.Pattern[str], ...] = ()
    end: re.Pattern[str] | None = None
    exit: re.Pattern[str] | None = None
    banner: re.Pattern[str] | None = None
    continuation: re.Pattern[str] | None = None
    continued: re.Pattern[str] | None = None  # this line goes on on the next (RouterOS "\\")
    section: re.Pattern[str] | None = None  # a top-level line opening a section (RouterOS "/")
    section_item: re.Pattern[str] | None = None  # (path, item) of a section line with an item
    drop: re.Pattern[str] | None = None  # comment, skip and exit in one regex (speed)
    banner_words: tuple[str, ...] = ()  # literal first words of the banner regex (speed)


@lru_cache(maxsize=1)
def dialects() -> dict[str, Dialect]:
    """All dialects, by platform name."""
    text = resources.files("ictops.data").joinpath("config_dialects.yaml").read_text("utf-8")
    result: dict[str, Dialect] = {}
    for name, spec in yaml.safe_load(text).items():
        compiled = {key: re.compile(value) for key, value in spec.items() if isinstance(value, str)}
        drops = [p for p in [spec.get("comment"), *spec.get("skip", []), spec.get("exit")] if p]
        banner = compiled.get("banner")
        head = re.match(r"\^([a-z]+)\\s", banner.pattern) if banner else None
        result[name] = Dialect(
            name=name,
            comment=compiled.get("comment"),
            skip=tuple(re.compile(p) for p in spec.get("skip", [])),
            end=compiled.get("end"),
            exit=compiled.get("exit"),
            banner=banner,
            continuation=compiled.get("continuation"),
            continued=compiled.get("continued"),
            section=compiled.get("section"),
            section_item=compiled.get("section_item"),
            drop=re.compile("|".join(f"(?:{p})" for p in drops)) if drops else None,
            banner_words=(head.group(1),) if head else (),
        )
    return result


def dialect_for(platform: str) -> Dialect:
    """The dialect of a platform; unknown platforms are read as plain indented text."""
    return dialects().get(platform) or Dialect(name=platform)


@dataclass(eq=False, slots=True)
class Node:
    """One configuration line: its text without indentation, its line number, its children."""

    text: str
    line: int
    indent: int = 0
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    body: tuple[str, ...] = ()  # banner text lines (never parsed as configuration)
    source: str = ""  # file path for server files, "" for a device config

    def walk(self) -> Iterator[Node]:
        """Every descendant, depth first, in file order."""
        for child in self.children:
            yield child
            yield from child.walk()

    @property
    def first_word(self) -> str:
        return self.text.split(" ", 1)[0]

    def path(self) -> tuple[str, ...]:
        """Texts from the top-level ancestor down to this line."""
        parts: list[str] = []
        node: Node | None = self
        while node is not None:
            parts.append(node.text)
            node = node.parent
        return tuple(reversed(parts))


@dataclass(eq=False)
class ConfigTree:
    """A parsed configuration: top-level nodes plus what the parser dropped, for the record."""

    platform: str
    roots: list[Node]
    comments: int = 0
    after_end: int = 0
    has_end: bool = False
    _all: list[Node] | None = None
    _index: dict[str, list[Node]] | None = None

    def nodes(self) -> list[Node]:
        """Every node, depth first, in file order."""
        if self._all is None:
            found: list[Node] = []
            for root in self.roots:
                found.append(root)
                found.extend(root.walk())
            self._all = found
        return self._all

    def by_first_word(self) -> dict[str, list[Node]]:
        """Top-level nodes indexed by their first word (a fast path for anchored patterns)."""
        if self._index is None:
            index: dict[str, list[Node]] = {}
            for root in self.roots:
                index.setdefault(root.first_word, []).append(root)
            self._index = index
        return self._index

    def sections(self, parent: re.Pattern[str]) -> list[Node]:
        """Top-level nodes whose text matches ``parent`` (e.g. every ``line vty`` block)."""
        return [root for root in candidates(parent, self) if parent.search(root.text)]

    def find(self, text: str) -> Node | None:
        """The first top-level node whose text is exactly ``text``."""
        for root in self.by_first_word().get(text.split(" ", 1)[0], []):
            if root.text == text:
                return root
        return None


_LITERAL = re.compile(r"\^((?:[A-Za-z0-9_\-]|\\[ .\-])+)( |\\s)?")


@lru_cache(maxsize=4096)
def literal_head(pattern: re.Pattern[str]) -> tuple[str, bool] | None:
    """The literal first word of a ``^``-anchored pattern and whether it is complete.

    ``^ntp server (\\S+)`` -> ("ntp", True); ``^logg`` -> ("logg", False); otherwise None.
    Patterns with alternation at the top are never narrowed.
    """
    source = pattern.pattern
    if _top_level_alternation(source) or pattern.flags & re.IGNORECASE:
        return None
    match = _LITERAL.match(source)
    if not match:
        return None
    head = match.group(1).replace("\\", "")
    if " " in head:
        return head.split(" ", 1)[0], True
    rest = source[match.end(1) :]
    complete = rest.startswith((" ", "\\s", "$"))
    if rest and not complete and rest[0] in "?*{":
        return None
    return head, complete


def _top_level_alternation(source: str) -> bool:
    depth, escaped = 0, False
    for char in source:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def candidates(pattern: re.Pattern[str], tree: ConfigTree) -> list[Node]:
    """Top-level nodes that may match ``pattern`` (all of them unless the head is literal)."""
    head = literal_head(pattern)
    if head is None:
        return tree.roots
    word, complete = head
    index = tree.by_first_word()
    if complete:
        return index.get(word, [])
    return [node for key, nodes in index.items() if key.startswith(word) for node in nodes]


def _indent(raw: str) -> int:
    # Leading spaces only: IOS writes a certificate's "quit" as "  <tab>quit", a sibling of the
    # hex lines, not their child.
    return len(raw) - len(raw.lstrip(" "))


def parse_config(text: str, platform: str, *, source: str = "") -> ConfigTree:
    """Parse configuration text of ``platform`` into a tree. Never raises on odd input."""
    dialect = dialect_for(platform)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    roots: list[Node] = []
    stack: list[Node] = []
    tree = ConfigTree(platform=platform, roots=roots)
    sections: dict[str, Node] = {}  # RouterOS: the section of each menu path
    number = 0
    total = len(raw_lines)
    while number < total:
        raw = raw_lines[number].rstrip()
        number += 1
        first = number
        while dialect.continued and number < total and dialect.continued.search(raw):
            raw = raw[:-1] + raw_lines[number].strip()
            number += 1
        if not raw.strip():
            continue
        if dialect.continuation and stack and dialect.continuation.match(raw):
            stack[-1].text = f"{stack[-1].text} {raw.strip()}"
            continue
        indent = _indent(raw)
        if indent == 0 and dialect.end and dialect.end.match(raw):
            tree.has_end = True
            tree.after_end = sum(1 for rest in raw_lines[number:] if rest.strip())
            break
        text = raw.strip()
        if (
            dialect.banner
            and (not dialect.banner_words or text.startswith(dialect.banner_words))
            and (banner := dialect.banner.match(text))
        ):
            node = Node(text=text, line=first, indent=indent, source=source)
            number, node.body, node.text = _read_banner(raw_lines, number, text, banner)
            _attach(node, roots, stack)
            continue
        if dialect.drop and dialect.drop.match(raw):
            if dialect.comment and dialect.comment.match(raw):
                tree.comments += 1
            continue
        if dialect.section is not None:
            _section_line(dialect, text, first, source, sections, roots, stack)
            continue
        _attach(Node(text=text, line=first, indent=indent, source=source), roots, stack)
    return tree


def _section_line(
    dialect: Dialect,
    text: str,
    number: int,
    source: str,
    sections: dict[str, Node],
    roots: list[Node],
    stack: list[Node],
) -> None:
    """RouterOS: a menu path opens (or reopens) its section; an item goes under the open one."""
    assert dialect.section is not None
    if dialect.section.match(text):
        split = dialect.section_item.match(text) if dialect.section_item else None
        path, item = (split.group(1), split.group(2)) if split else (text, None)
        section = sections.get(path)
        if section is None:
            section = sections[path] = Node(text=path, line=number, source=source)
            roots.append(section)
        stack[:] = [section]
        if item is None:
            return
        text = item
    _attach(Node(text=text, line=number, indent=1, source=source), roots, stack)


def _attach(node: Node, roots: list[Node], stack: list[Node]) -> None:
    while stack and stack[-1].indent >= node.indent:
        stack.pop()
    if stack:
        node.parent = stack[-1]
        stack[-1].children.append(node)
    else:
        roots.append(node)
    stack.append(node)


def _read_banner(
    raw_lines: list[str], number: int, first: str, match: re.Match[str]
) -> tuple[int, tuple[str, ...], str]:
    """Consume a banner; returns (next line index, body lines, header text)."""
    delim = match.group("delim")
    header = first[: match.end("delim")]
    rest = first[match.end("delim") :]
    if delim in rest:  # inline: banner login ^CText^C
        return number, (rest[: rest.index(delim)],), header
    body = [rest] if rest else []
    while number < len(raw_lines):
        line = raw_lines[number].rstrip("\n")
        number += 1
        if delim in line:
            before = line[: line.index(delim)]
            if before:
                body.append(before)
            break
        body.append(line)
    return number, tuple(body), header


def flat_lines(text: str, source: str = "") -> ConfigTree:
    """A server config file as a flat tree: one node per non-comment line."""
    tree = parse_config(text, "linux", source=source)
    nodes = list(tree.nodes())
    for node in nodes:  # server files: indentation is not structure
        node.children = []
        node.parent = None
        node.indent = 0
    tree.roots = nodes
    tree._all = None
    tree._index = None
    return tree
