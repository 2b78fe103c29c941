"""A hierarchical configuration store: parse, change and render switch configs.

A config is a tree of lines; children are indented one space per level. Which
lines are single-valued, which features are on by default, and how sections are
separated are data given by the platform grammar.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field

SlotOf = Callable[[str], "tuple[object, ...] | None"]


@dataclass
class Node:
    """One config line and the lines under it."""

    text: str
    children: list[Node] = field(default_factory=list)
    gap_before: bool = False  # a separator line ("!" or "#") is printed before it


@dataclass(frozen=True)
class Style:
    """How a platform prints its config."""

    separator: str | None  # "!" (IOS) or "#" (VRP); None: no separator lines (ProCurve)
    end: str | None  # "end" or "return"; None: no end marker (ProCurve)
    negation: str  # "no" or "undo"
    comment_prefixes: tuple[str, ...]  # lines skipped when parsing
    tail_keywords: tuple[str, ...] = ()  # new lines go before these sections
    banner_delimiter: str | None = None  # IOS prints banners as "banner motd ^C...^C"
    order: tuple[re.Pattern[str], ...] = ()  # where new top-level lines go, in show-run order
    indent: int = 1  # spaces per level (ProCurve: 3)
    close: str | None = None  # the line that closes a section (ProCurve "exit")

    def rank(self, text: str) -> int | None:
        """Position of ``text`` in the show-run order, None when the order does not say."""
        return next((i for i, p in enumerate(self.order) if p.search(text)), None)


class ConfigTree:
    """The lines of one config (running or startup)."""

    def __init__(self, nodes: list[Node] | None = None):
        self.root = Node("", nodes or [])

    # -- reading -------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, style: Style) -> ConfigTree:
        """Parse config text (as shown by the device) into a tree."""
        tree = cls()
        stack: list[tuple[int, Node]] = [(-1, tree.root)]
        gap = False
        lines = text.replace("\r\n", "\n").split("\n")
        i = 0
        while i < len(lines):
            raw = lines[i].rstrip()
            i += 1
            stripped = raw.strip()
            if not stripped:
                continue
            if stripped == style.separator or stripped.startswith(style.comment_prefixes):
                gap = True
                continue
            if style.end is not None and stripped == style.end and not raw.startswith(" "):
                break
            if style.close is not None and stripped == style.close and raw.startswith(" "):
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            if indent == 0 and style.banner_delimiter and stripped.startswith("banner "):
                raw, i = _read_banner(lines, i, raw, style.banner_delimiter)
            while stack[-1][0] >= indent:
                stack.pop()
            node = Node(raw.strip() if "\n" not in raw else raw, gap_before=gap)
            stack[-1][1].children.append(node)
            stack.append((indent, node))
            gap = False
        return tree

    def render(self, style: Style) -> list[str]:
        """The config as lines, separators included, ending with the end marker (each where
        the platform prints one)."""
        out: list[str] = []
        previous: Node | None = None
        for node in self.root.children:
            after_block = previous is not None and bool(previous.children)
            new_kind = previous is None or _first_word(previous.text) != _first_word(node.text)
            gap = previous is None or node.gap_before or (after_block and new_kind)
            if gap and style.separator is not None:
                out.append(style.separator)
            out.append(node.text)
            _render_children(node, 1, out, style)
            previous = node
        out.extend(line for line in (style.separator, style.end) if line is not None)
        return out

    def copy(self) -> ConfigTree:
        return copy.deepcopy(self)

    def find(self, path: tuple[str, ...]) -> Node | None:
        node = self.root
        for text in path:
            node = next((c for c in node.children if c.text == text), None)  # type: ignore[assignment]
            if node is None:
                return None
        return node

    def lines(self, prefix: str, path: tuple[str, ...] = ()) -> list[str]:
        """Lines directly under ``path`` that equal ``prefix`` or start with ``prefix + ' '``."""
        node = self.find(path)
        if node is None:
            return []
        return [c.text for c in node.children if _has_prefix(c.text, prefix)]

    def value(self, prefix: str, path: tuple[str, ...] = ()) -> str | None:
        """What follows ``prefix`` on its first line, or None."""
        found = self.lines(prefix, path)
        return found[0][len(prefix) :].strip() if found else None

    def blocks(self, prefix: str) -> list[Node]:
        """Top-level sections whose line starts with ``prefix``."""
        return [c for c in self.root.children if _has_prefix(c.text, prefix)]

    # -- changing -----------------------------------------------------------------------
    def ensure(self, path: tuple[str, ...], style: Style) -> Node:
        """The node at ``path``, created (as a new section) when missing."""
        node = self.root
        for text in path:
            child = next((c for c in node.children if c.text == text), None)
            if child is None:
                child = Node(text, gap_before=True)
                _insert(node, child, style)
            node = child
        return node

    def set_line(self, path: tuple[str, ...], line: str, style: Style, slot_of: SlotOf) -> bool:
        """Add ``line`` under ``path``, replacing the line holding the same single-valued slot."""
        parent = self.ensure(path, style)
        if any(c.text == line for c in parent.children):
            return False
        negated = f"{style.negation} {line}"
        parent.children = [c for c in parent.children if c.text != negated]
        slot = slot_of(line)
        if slot is not None:
            for child in parent.children:
                if slot_of(child.text) == slot:
                    child.text = line
                    return True
        _insert(parent, Node(line), style)
        return True

    def remove(
        self,
        path: tuple[str, ...],
        line: str,
        style: Style,
        slot_of: SlotOf,
        default_on: Callable[[str], bool],
    ) -> bool:
        """Apply ``no <line>``: drop matching lines; record ``no <line>`` for default-on features."""
        parent = self.find(path)
        if parent is None:
            return False
        before = len(parent.children)
        kept = [c for c in parent.children if not _has_prefix(c.text, line)]
        if len(kept) == before:
            slot = slot_of(line)
            if slot is not None:
                kept = [c for c in parent.children if slot_of(c.text) != slot]
        parent.children = kept
        changed = len(kept) != before
        if default_on(line):
            changed = self.set_line(path, f"{style.negation} {line}", style, slot_of) or changed
        return changed


def _has_prefix(text: str, prefix: str) -> bool:
    return text == prefix or text.startswith(prefix + " ")


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


def _insert(parent: Node, node: Node, style: Style) -> None:
    """Insert after the last sibling of the same kind, else before the tail sections."""
    siblings = parent.children
    word = _first_word(node.text)
    negation = style.negation + " "
    same = [
        i
        for i, c in enumerate(siblings)
        if _first_word(c.text.removeprefix(negation)) == word.removeprefix(negation)
    ]
    if same:
        siblings.insert(same[-1] + 1, node)
        return
    node.gap_before = True
    rank = style.rank(node.text) if parent.text == "" else None
    if rank is not None:
        for i, c in enumerate(siblings):
            other = style.rank(c.text)
            if other is not None and other > rank:
                siblings.insert(i, node)
                return
        siblings.append(node)
        return
    if parent.text == "":
        for i, c in enumerate(siblings):
            if _first_word(c.text) in style.tail_keywords:
                siblings.insert(i, node)
                return
    siblings.append(node)


def _render_children(node: Node, depth: int, out: list[str], style: Style) -> None:
    for child in node.children:
        out.append(" " * (depth * style.indent) + child.text)
        _render_children(child, depth + 1, out, style)
    if node.children and style.close is not None:
        out.append(" " * (depth * style.indent) + style.close)


def _read_banner(lines: list[str], i: int, first: str, delimiter: str) -> tuple[str, int]:
    """Collect a multi-line ``banner motd ^C ... ^C`` into one text; returns (text, next index)."""
    match = re.match(r"banner \S+ ", first)
    head_len = match.end() if match else len(first)
    body = first[head_len:]
    if body.startswith(delimiter) and delimiter in body[len(delimiter) :]:
        return first, i  # single-line banner
    collected = [first]
    while i < len(lines):
        collected.append(lines[i].rstrip())
        i += 1
        if delimiter in collected[-1]:
            break
    return "\n".join(collected), i
