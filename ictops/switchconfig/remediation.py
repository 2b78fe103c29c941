"""Scoped remediation: the exact ordered commands that bring some features of a switch to an
intended state, and the rollback commands. Pure functions on config text; no session, no I/O.

hier_config computes the commands. Around it, what the config-tools facts warn about: both
sides are put in show-run form (``showrun.prepare``) and cut to the same features first (an
intended config that covers NTP never negates the hostname); banners never reach hier_config
(they are compared apart); salted secrets are never compared or sent; a masked config is
refused; what the device does by itself (defaults, ``aaa new-model``) is not asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ictops.compliance.configtree import ConfigTree, Node
from ictops.errors import InputError
from ictops.platforms import get_platform
from ictops.switchconfig import banners
from ictops.switchconfig.features import (
    Feature,
    check_inside,
    cut,
    features_named,
    features_touched,
    positive,
)
from ictops.switchconfig.rules import PlatformRules, hier_driver, platform_rules
from ictops.switchconfig.showrun import prepare, refuse_masked, vlan_batch_text


@dataclass(frozen=True)
class Remediation:
    """The commands for one device, in the order to send them (config mode, sub-modes exited)."""

    platform: str
    features: tuple[str, ...]
    blocks: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (feature, one top-level command)
    notes: tuple[str, ...] = ()

    @property
    def commands(self) -> tuple[str, ...]:
        return tuple(line for _, block in self.blocks for line in block)

    @property
    def empty(self) -> bool:
        return not self.blocks

    def for_feature(self, name: str) -> tuple[str, ...]:
        """The commands of one feature (in send order)."""
        return tuple(line for feature, block in self.blocks if feature == name for line in block)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "features": list(self.features),
            "commands": list(self.commands),
            "notes": list(self.notes),
        }


def remediation(
    platform: str,
    running: str,
    intended: str,
    features: Sequence[str] | None = None,
    *,
    what: str = "intended config",
    exact: bool = False,
) -> Remediation:
    """Commands that make the ``features`` of ``running`` what ``intended`` says.

    ``features=None``: the features ``intended`` has lines of (golden templates). A line of
    ``intended`` outside the features is an error (FeatureError), so is a masked config.
    ``exact``: ``intended`` is a whole config (a backup): only its lines in the features are
    used, and instances it lacks are removed even in ``only_intended`` features (rollback).
    """
    rules = platform_rules(platform)
    if rules.hier_config is None:
        raise InputError(f"{platform}: ictops cannot compute configuration commands for it")
    refuse_masked(running, "running-config")
    refuse_masked(intended, what)
    have, want, chosen = scoped(platform, running, intended, features, what=what, exact=exact)
    notes: list[str] = []
    skipped = _drop_secrets(have, platform) + _drop_secrets(want, platform)
    if skipped:
        notes.append(f"{skipped} line(s) with secrets not compared and never sent (set them by hand)")
    have_banners = [n for n in have if banners.is_banner(n, platform)]
    want_banners = [n for n in want if banners.is_banner(n, platform)]
    have = [n for n in have if n not in have_banners]
    want = [n for n in want if n not in want_banners]
    blocks = _blocks(hier_lines(rules, have, want), chosen)
    for kind in dict.fromkeys(banners.kind(n) for n in want_banners + have_banners):
        typed, banner_notes = banners.banner_commands(
            [n for n in have_banners if banners.kind(n) == kind],
            [n for n in want_banners if banners.kind(n) == kind],
            platform,
            rules.negation,
            rules.banner_delimiter,
        )
        if typed:
            blocks.append((_feature_of(kind, chosen), tuple(typed)))
        notes.extend(banner_notes)
    return Remediation(
        platform=platform,
        features=tuple(f.name for f in chosen),
        blocks=tuple(blocks),
        notes=tuple(notes),
    )


def _feature_of(text: str, features: Sequence[Feature]) -> str:
    return next((f.name for f in features if f.matches(text)), "")


def _blocks(lines: list[str], features: Sequence[Feature]) -> list[tuple[str, tuple[str, ...]]]:
    """Commands grouped by top-level line, each group named by its feature."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith(" ") and blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append((_feature_of(line, features), [line]))
    return [(name, tuple(block)) for name, block in blocks]


def scoped(
    platform: str,
    running: str,
    intended: str,
    features: Sequence[str] | None,
    *,
    what: str = "intended config",
    exact: bool = False,
) -> tuple[list[Node], list[Node], tuple[Feature, ...]]:
    """Both configs prepared and cut to the features: (running nodes, intended nodes, features).

    Intended ``no X`` lines with nothing to negate are dropped, and running lines the device
    will drop by itself are left out (see ``remediation`` for the arguments).
    """
    rules = platform_rules(platform)
    have_tree = prepare(running, platform, rules)
    want_tree = prepare(intended, platform, rules)
    chosen = _features(platform, want_tree, features)
    if exact:  # a whole config: lines outside the features are simply not compared
        chosen = tuple(_exact(f) for f in chosen)
    else:
        check_inside(want_tree, chosen, what)
    have, want = cut(have_tree, want_tree, chosen)
    if not exact:
        _keep_unmentioned_negations(have, want)
    _settle_negations(want, have, rules)
    _apply_implied(have, want, rules)
    return have, want, chosen


def rollback(platform: str, running_now: str, before: str, features: Sequence[str]) -> Remediation:
    """Commands from the post-change running-config back to ``before`` (same features)."""
    return remediation(
        platform, running_now, before, features, what="pre-change config", exact=True
    )


def _features(platform: str, tree: ConfigTree, names: Sequence[str] | None) -> tuple[Feature, ...]:
    if names is None:
        return features_touched(platform, tree)
    return features_named(platform, names)


def _exact(feature: Feature) -> Feature:
    return Feature(feature.name, feature.lines)


# --- the two sides before hier_config ----------------------------------------------------


def _drop_secrets(nodes: list[Node], platform: str) -> int:
    """Remove secret lines (any depth) in place; returns how many."""
    patterns = [p for p, _ in get_platform(platform).secrets]

    def secret(node: Node) -> bool:
        return any(p.search(node.text) for p in patterns)

    count = 0
    kept = []
    for node in nodes:
        if secret(node):
            count += 1
            continue
        count += _drop_secret_children(node, secret)
        kept.append(node)
    nodes[:] = kept
    return count


def _drop_secret_children(node: Node, secret: Any) -> int:
    count = sum(1 for c in node.children if secret(c))
    node.children = [c for c in node.children if not secret(c)]
    for child in node.children:
        count += _drop_secret_children(child, secret)
    return count


def _prune(nodes: list[Node], others: list[Node], drop: Any) -> list[Node]:
    """``nodes`` without those ``drop(node, others)`` says, at every depth (children are
    compared with the children of the same line on the other side)."""
    kept = []
    for node in nodes:
        if drop(node, others):
            continue
        match = next((n for n in others if n.text == node.text), None)
        if match is not None and node.children:
            node.children = _prune(node.children, match.children, drop)
        kept.append(node)
    return kept


def _keep_unmentioned_negations(have: list[Node], want: list[Node]) -> None:
    """Leave out running ``no X`` lines the intended config says nothing about (neither ``X``
    nor ``no X``): an explicit off-state stays unless the intended config turns it on."""

    def unmentioned(node: Node, wanted: list[Node]) -> bool:
        bare = positive(node.text)
        return bare != node.text and bare not in {positive(n.text) for n in wanted}

    have[:] = _prune(have, want, unmentioned)


def _settle_negations(want: list[Node], have: list[Node], rules: PlatformRules) -> None:
    """Drop intended lines with nothing to do: ``no X`` where the device has no X (hier_config
    would resend it), and ``X`` for a feature on by default that the device does not show off
    (``default_on``: such a feature is on while the config shows nothing)."""

    def idle(node: Node, present: list[Node]) -> bool:
        texts = [n.text for n in present]
        bare = positive(node.text)
        if bare in rules.default_on:
            return bare == node.text and f"{rules.negation} {bare}" not in texts
        return bare != node.text and not any(
            t == node.text or t == bare or t.startswith(bare + " ") for t in texts
        )

    want[:] = _prune(want, have, idle)


def _apply_implied(have: list[Node], want: list[Node], rules: PlatformRules) -> None:
    """Lines the device drops by itself once a line is added are not on the running side."""
    for implied in rules.implied:
        if any(implied.when.search(n.text) for n in have):
            continue
        if not any(implied.when.search(n.text) for n in want):
            continue
        for node in have:
            if implied.parent.search(node.text):
                node.children = [c for c in node.children if not implied.line.search(c.text)]


def config_text(nodes: Sequence[Node]) -> str:
    """Nodes as config text, one space per level; a banner with its text and delimiter."""
    lines: list[str] = []

    def emit(node: Node, depth: int) -> None:
        lines.append(" " * depth + node.text)
        if node.body:
            lines.extend([*node.body, node.text.rsplit(" ", 1)[-1]])
        for child in node.children:
            emit(child, depth + 1)

    for node in nodes:
        emit(node, 0)
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=8)
def _driver(platform: str) -> Any:
    return hier_driver(platform_rules(platform))


def hier_lines(
    rules: PlatformRules, have: list[Node], want: list[Node], *, future: bool = False
) -> list[str]:
    """hier_config's commands from ``have`` to ``want`` (banners never reach it); with
    ``future``: ``have`` after ``want`` is applied to it, as config lines."""
    if not have and not want:
        return []
    from hier_config import WorkflowRemediation, get_hconfig

    driver = _driver(rules.platform)
    running = get_hconfig(driver, config_text(have))
    if future:
        dumped = running.future(get_hconfig(driver, config_text(want))).dump_simple()
    else:
        workflow = WorkflowRemediation(running, get_hconfig(driver, config_text(want)))
        dumped = workflow.remediation_config.dump_simple(sectional_exiting=True)
    step = driver.rules.indentation
    lines = []
    for line in dumped:
        depth = (len(line) - len(line.lstrip(" "))) // step
        lines.append(" " * depth + line.strip())
    if future:
        return lines
    return _merge_vlan_batches(lines) if rules.vlan_batch else lines


_VLAN = re.compile(r"^((?:undo )?vlan) (\d+)$")


def _merge_vlan_batches(lines: list[str]) -> list[str]:
    """VRP: consecutive bare ``vlan N`` (or ``undo vlan N``) lines as one ``vlan batch``."""
    merged: list[str] = []
    group: tuple[str, list[int]] | None = None
    for i, line in enumerate([*lines, ""]):
        found = _VLAN.match(line)
        bare = found is not None and not (i + 1 < len(lines) and lines[i + 1].startswith(" "))
        if found and bare and group is not None and group[0] == found.group(1):
            group[1].append(int(found.group(2)))
            continue
        if group is not None:
            merged.append(f"{group[0]} batch {vlan_batch_text(group[1])}")
            group = None
        if found and bare:
            group = (found.group(1), [int(found.group(2))])
        elif line:
            merged.append(line)
    return merged
