"""Banners, compared and set apart from hier_config (which cannot parse them).

IOS shows ``banner login ^C`` + text lines + ``^C`` (or all on one line); VRP shows
``header login information "text"``. The parser (compliance.configtree) keeps the text of a
banner in ``Node.body``; here two configs' banners are compared by kind and text, and the
commands that set or remove one are written with a delimiter the text does not contain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ictops.compliance.configtree import Node, dialect_for

_DELIMITERS = "#%^~$@&*"
_KIND = re.compile(r"^(banner \S+|header \S+)")


def is_banner(node: Node, platform: str) -> bool:
    pattern = dialect_for(platform).banner
    return pattern is not None and bool(pattern.match(node.text))


def kind(node: Node) -> str:
    """``banner login``, ``header shell``..."""
    found = _KIND.match(node.text)
    return found.group(1) if found else node.text


def text_of(node: Node) -> tuple[str, ...]:
    return tuple(line.rstrip() for line in node.body)


def banner_commands(
    have: Sequence[Node], want: Sequence[Node], platform: str, negation: str, delimiter: str
) -> tuple[list[str], list[str]]:
    """(commands, notes) that make the banners of ``have`` those of ``want``."""
    current = {kind(n): text_of(n) for n in have}
    commands: list[str] = []
    notes: list[str] = []
    for node in want:
        name, body = kind(node), text_of(node)
        if current.get(name) == body:
            continue
        if platform == "huawei_vrp":
            if len(body) != 1 or '"' in body[0]:
                notes.append(f"{name}: a multi-line header is set by hand")
                continue
            commands.append(f'{name} information "{body[0]}"')
            continue
        typed = _ios_banner(name, body, delimiter)
        if typed is None:
            notes.append(f"{name}: the text holds every delimiter ictops can type; set it by hand")
            continue
        commands.extend(typed)
    wanted = {kind(n) for n in want}
    for node in have:
        if kind(node) not in wanted:
            commands.append(f"{negation} {kind(node)}")
    return commands, notes


def _ios_banner(name: str, body: tuple[str, ...], preferred: str) -> list[str] | None:
    text = "\n".join(body)
    delimiter = next((d for d in preferred + _DELIMITERS if d not in text), None)
    if delimiter is None:
        return None
    if len(body) == 1:
        return [f"{name} {delimiter}{body[0]}{delimiter}"]
    return [f"{name} {delimiter}", *body, delimiter]
