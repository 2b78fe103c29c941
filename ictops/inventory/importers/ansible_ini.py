"""Read an Ansible INI inventory into the tree ansible.py translates.

The format, as Ansible's own ini plugin reads it: ``[group]`` sections of host lines
(``name[:port] key=value ...``, ranges such as ``sw[01:20].school.local``), ``[group:vars]``
of ``key=value`` lines, ``[group:children]`` of group names; ``#`` and ``;`` start comments;
values are Python literals when they parse as one (``22``, ``True``), else text. Hand-written
rather than borrowed from ansible-core, which is a 40 MB dependency whose parser is internal API
and needs a vault secret to start.
"""

from __future__ import annotations

import ast
import re
import shlex
import string
from pathlib import Path
from typing import Any

from ictops.errors import InputError
from ictops.inventory.importers.ansible import ALL, UNGROUPED, Tree, refuse_vault
from ictops.inventory.importers.draft import Spot
from ictops.yamlfile import read_input

_SECTION = re.compile(r"^\[([^\]:\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$")
_RANGE = re.compile(r"\[([0-9]+|[a-zA-Z]):([0-9]+|[a-zA-Z])(?::([0-9]+))?\]")
MAX_RANGE = 10_000


def _value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def expand(pattern: str, spot: Spot) -> list[str]:
    """sw[01:03].x -> sw01.x, sw02.x, sw03.x; [a:c] -> a, b, c (Ansible's host ranges)."""
    match = _RANGE.search(pattern)
    if not match:
        return [pattern]
    start, end, step = match.group(1), match.group(2), int(match.group(3) or 1)
    head, tail = pattern[: match.start()], pattern[match.end():]
    if start.isdigit() != end.isdigit() or step < 1:
        raise spot.error(f"host range '{match.group(0)}': give two numbers or two letters (and a step of 1 or more)")
    if start.isdigit():
        width = len(start) if start.startswith("0") else 0
        values = [str(i).zfill(width) for i in range(int(start), int(end) + 1, step)]
    else:
        letters = string.ascii_letters
        values = list(letters[letters.index(start): letters.index(end) + 1: step])
    if not values or len(values) > MAX_RANGE:
        raise spot.error(f"host range '{match.group(0)}' gives {len(values)} hosts; give 1 to {MAX_RANGE:,}")
    return [name for v in values for name in expand(head + v + tail, spot)]


def _host_and_port(pattern: str) -> tuple[str, int | None]:
    if pattern.count(":") == 1 and pattern.rsplit(":", 1)[1].isdigit():
        name, port = pattern.rsplit(":", 1)
        return name, int(port)
    return pattern, None


def read_ini_tree(path: Path, shown: str) -> Tree:
    """An Ansible INI inventory into a tree; errors name file and line."""
    raw = read_input(path, shown, InputError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", shown) from None
    refuse_vault(text, shown)
    tree = Tree(shown)
    tree.group(ALL, Spot(shown, 1))
    group, part = UNGROUPED, "hosts"
    tree.group(UNGROUPED, Spot(shown, 1))
    for number, line in enumerate(text.splitlines(), 1):
        spot = Spot(shown, number)
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("["):
            match = _SECTION.match(stripped)
            if not match or (match.group(2) or "hosts") not in ("hosts", "vars", "children"):
                raise spot.error(f"cannot read section '{stripped}'; write [group], [group:vars] or [group:children]")
            group, part = match.group(1), match.group(2) or "hosts"
            tree.group(group, spot)
            continue
        try:
            words = shlex.split(stripped, comments=True)
        except ValueError as exc:
            raise spot.error(f"cannot read this line ({exc}); check its quotes") from None
        if not words:
            continue
        if part == "children":
            child = tree.group(words[0], spot)
            if child.name not in tree.groups[group].children:
                tree.groups[group].children.append(child.name)
        elif part == "vars":
            key, sep, value = stripped.partition("=")
            if not sep or not key.strip():
                raise spot.error(f"[{group}:vars] takes key=value lines, not '{stripped}'")
            value = shlex.split(value, comments=True)
            tree.groups[group].vars[key.strip()] = (_value(" ".join(value)), spot)
        else:
            host_vars: dict[str, tuple[Any, Spot]] = {}
            for word in words[1:]:
                key, sep, value = word.partition("=")
                if not sep:
                    raise spot.error(f"'{word}' after the host name is not key=value")
                host_vars[key] = (_value(value), spot)
            for pattern in expand(words[0], spot):
                name, port = _host_and_port(pattern)
                node = tree.host(name, group, spot)
                if port is not None:
                    node.vars["ansible_port"] = (port, spot)
                node.vars.update(host_vars)
    return tree
