"""A switch config in the device's show-run form, and the normalised comparison for verify.

What an officer or a template types and what the device shows differ: abbreviations and
spacing, defaults the device never shows, VRP ``vlan batch`` lines holding sets of VLANs.
``prepare`` parses config text (comments, headers and ``end``/``return`` dropped by the parser)
into the form remediation compares; ``normalised_equal`` says whether two configs are the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ictops.backup.normalize import is_volatile
from ictops.compliance.configtree import ConfigTree, Node, parse_config
from ictops.errors import InputError
from ictops.masking import MASK
from ictops.platforms import get_platform
from ictops.switchconfig.features import features_named, positive
from ictops.switchconfig.rules import PlatformRules, platform_rules


class MaskedConfigError(InputError):
    """A config with secrets masked (``<removed>``) cannot be the base of a change."""


def refuse_masked(text: str, what: str) -> None:
    """MaskedConfigError when ``text`` holds masked secrets."""
    if MASK in text:
        raise MaskedConfigError(
            f"the {what} is masked ({MASK}): commands are never computed from a masked config;"
            " read the device's raw running-config"
        )


def normalised_equal(
    platform: str, first: str, second: str, features: Sequence[str] | None = None
) -> bool:
    """True when both configs are the same once normalised (comments, headers, volatile lines,
    spacing, hidden defaults, sibling order except in ordered sections such as ACLs); only
    ``features`` when given. Secrets are compared as they are; masked text is refused."""
    refuse_masked(first, "first config")
    refuse_masked(second, "second config")
    return normal_form(platform, first, features) == normal_form(platform, second, features)


def normal_form(platform: str, text: str, features: Sequence[str] | None = None) -> tuple[Any, ...]:
    """A comparable form of a config (see ``normalised_equal``)."""
    rules = platform_rules(platform)
    tree = prepare(text, platform, rules)
    roots = tree.roots
    if features is not None:
        chosen = features_named(platform, features)
        roots = [r for r in roots if any(f.matches(r.text) for f in chosen)]
    volatile = get_platform(platform).volatile
    roots = [
        r for r in roots if not is_volatile(r.text, volatile) and r.text not in rules.default_on
    ]
    return _form(roots, rules, ordered=False)


def prepare(
    text: str, platform: str, rules: PlatformRules | None = None, *, defaults: bool = False
) -> ConfigTree:
    """Parse ``text`` and put it in the device's show-run form (see the module docstring);
    ``defaults``: keep the lines that set a hidden default (a change that sets one)."""
    rules = rules or platform_rules(platform)
    tree = parse_config(text, platform)
    roots: list[Node] = []
    for root in tree.roots:
        _canonical(root, rules, defaults)
        if defaults or not rules.hidden("", root.text):
            roots.append(root)
    if rules.vlan_batch:
        roots = _vlans_as_sections(roots)
    return ConfigTree(platform=platform, roots=roots)


def _vlans_as_sections(roots: list[Node]) -> list[Node]:
    """VRP: every VLAN as a ``vlan N`` section (empty unless configured), no ``vlan batch``.

    The device shows a VLAN in ``vlan batch`` and, only when it has settings, as a section
    too; one node per VLAN lets a change of settings be ``vlan N`` + ``undo description``
    rather than ``undo vlan N`` (which deletes the VLAN).
    """
    sections = {r.text for r in roots if re.fullmatch(r"vlan \d+", r.text)}
    result: list[Node] = []
    for root in roots:
        undo = root.text.startswith("undo vlan batch ")
        ids = vlan_ids(positive(root.text)) if undo or root.text.startswith("vlan batch ") else []
        if not ids:
            result.append(root)
        elif undo:
            result.extend(Node(text=f"undo vlan {v}", line=root.line) for v in ids)
        else:
            result.extend(
                Node(text=f"vlan {v}", line=root.line) for v in ids if f"vlan {v}" not in sections
            )
    return result


def _canonical(node: Node, rules: PlatformRules, defaults: bool = False) -> None:
    node.text = rules.canonical_line(node.text)
    for child in node.children:
        _canonical(child, rules, defaults)
    if not defaults:
        node.children = [c for c in node.children if not rules.hidden(node.text, c.text)]


def vlan_ids(line: str) -> list[int]:
    """``vlan batch 10 20 30 to 32`` -> [10, 20, 30, 31, 32]; [] when it does not parse."""
    try:
        return _vlan_ids(line)
    except (ValueError, IndexError):
        return []


def _vlan_ids(line: str) -> list[int]:
    words = line.split()[2:]
    ids: list[int] = []
    i = 0
    while i < len(words):
        if i + 2 < len(words) and words[i + 1] == "to":
            ids.extend(range(int(words[i]), int(words[i + 2]) + 1))
            i += 3
        else:
            ids.append(int(words[i]))
            i += 1
    return ids


def vlan_batch_text(ids: Sequence[int]) -> str:
    """[10, 20, 30, 31, 32] -> ``10 20 30 to 32`` (as VRP shows it)."""
    parts: list[str] = []
    ordered = sorted(set(ids))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if j == i else f"{ordered[i]} to {ordered[j]}")
        i = j + 1
    return " ".join(parts)


# --- normal form -------------------------------------------------------------------------


def _form(nodes: Sequence[Node], rules: PlatformRules, *, ordered: bool) -> tuple[Any, ...]:
    items = [
        (n.text, tuple(n.body), _form(n.children, rules, ordered=rules.is_ordered(n.text)))
        for n in nodes
    ]
    return tuple(items if ordered else sorted(items))
