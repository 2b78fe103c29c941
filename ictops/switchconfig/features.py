"""Features of a switch config (ictops/data/golden_features.yaml) and cutting a config to them.

A feature is a family of top-level lines (each with its children): ``ntp`` is every ``ntp ...``
line, ``vty`` every ``line vty`` section. Remediation compares only the features it is given, on
both sides, so nothing outside them can ever be negated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ictops.compliance.configtree import ConfigTree, Node
from ictops.errors import InputError

FEATURES_FILE = "ictops/data/golden_features.yaml"
NEGATIONS = ("no ", "undo ")


class FeatureError(InputError):
    """An unknown feature, or an intended line that belongs to none of the features named."""


@dataclass(frozen=True)
class Feature:
    """One feature of one platform."""

    name: str
    lines: tuple[re.Pattern[str], ...]
    only_intended: bool = False  # instances the intended config does not name are left alone
    key: re.Pattern[str] | None = None  # what names an instance (group 1); default the line

    def matches(self, text: str) -> bool:
        bare = positive(text)
        return any(p.search(bare) for p in self.lines)

    def instance(self, text: str) -> str:
        bare = positive(text)
        found = self.key.search(bare) if self.key else None
        return found.group(1) if found else bare


def positive(text: str) -> str:
    """``text`` without its ``no `` / ``undo `` prefix."""
    for prefix in NEGATIONS:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _feature(name: str, spec: Any) -> Feature:
    if isinstance(spec, dict):
        key = spec.get("key")
        return Feature(
            name,
            tuple(re.compile(p) for p in spec["lines"]),
            bool(spec.get("only_intended")),
            re.compile(key) if key else None,
        )
    return Feature(name, tuple(re.compile(p) for p in spec))


@lru_cache(maxsize=1)
def all_features() -> dict[str, dict[str, Feature]]:
    """platform -> feature name -> Feature."""
    text = resources.files("ictops.data").joinpath("golden_features.yaml").read_text("utf-8")
    return {
        platform: {name: _feature(name, spec) for name, spec in features.items()}
        for platform, features in yaml.safe_load(text).items()
    }


def platform_features(platform: str) -> dict[str, Feature]:
    return all_features().get(platform, {})


def features_named(platform: str, names: Iterable[str]) -> tuple[Feature, ...]:
    """The features called ``names``; FeatureError naming the known ones otherwise."""
    known = platform_features(platform)
    chosen = []
    for name in names:
        if name not in known:
            raise FeatureError(
                f"unknown feature '{name}' for {platform}; known: {', '.join(known) or 'none'}"
                f" (see {FEATURES_FILE})"
            )
        chosen.append(known[name])
    return tuple(chosen)


def features_touched(platform: str, tree: ConfigTree) -> tuple[Feature, ...]:
    """The platform's features that ``tree`` has at least one line of (golden templates)."""
    return tuple(
        f
        for f in platform_features(platform).values()
        if any(f.matches(r.text) for r in tree.roots)
    )


def outside(tree: ConfigTree, features: Sequence[Feature]) -> list[Node]:
    """Top-level lines of ``tree`` that belong to none of ``features``."""
    return [r for r in tree.roots if not any(f.matches(r.text) for f in features)]


def check_inside(tree: ConfigTree, features: Sequence[Feature], what: str) -> None:
    """FeatureError when ``tree`` (the intended config) has a line outside ``features``."""
    stray = outside(tree, features)
    if stray and not features:  # the line belongs to no feature of the platform at all
        raise FeatureError(
            f"{what}: line '{stray[0].text}' is in no feature ictops knows for this platform: "
            f"is it written for another platform? (features: {FEATURES_FILE})"
        )
    if stray:
        names = ", ".join(f.name for f in features) or "none"
        raise FeatureError(
            f"{what}: line '{stray[0].text}' is in none of the features named ({names}); "
            f"add its feature or remove the line (features: {FEATURES_FILE})"
        )


def cut(
    running: ConfigTree, intended: ConfigTree, features: Sequence[Feature]
) -> tuple[list[Node], list[Node]]:
    """Top-level nodes of both configs that the features cover, in config order.

    For an ``only_intended`` feature the running side keeps only the instances the intended
    config names (``no vlan 30`` names ``vlan 30``).
    """
    have: list[Node] = []
    want: list[Node] = []
    for feature in features:
        mine = [r for r in intended.roots if feature.matches(r.text)]
        theirs = [r for r in running.roots if feature.matches(r.text)]
        if feature.only_intended:
            named = {feature.instance(r.text) for r in mine}
            theirs = [r for r in theirs if feature.instance(r.text) in named]
        want.extend(mine)
        have.extend(theirs)
    order = {id(r): i for i, r in enumerate(running.roots)}
    have.sort(key=lambda r: order[id(r)])
    wanted = {id(r): i for i, r in enumerate(intended.roots)}
    want.sort(key=lambda r: wanted[id(r)])
    return _unique(have), _unique(want)


def _unique(nodes: list[Node]) -> list[Node]:
    seen: set[int] = set()
    result = []
    for node in nodes:
        if id(node) not in seen:
            seen.add(id(node))
            result.append(node)
    return result
