"""What a platform needs on top of hier_config's driver (ictops/data/switch_rules.yaml).

The data says how the device spells lines, which defaults it hides, which lines are replaced in
place, how it takes negations, in which order; this module turns it into a hier_config driver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ictops.platforms import get_platform

RULES_FILE = "ictops/data/switch_rules.yaml"


@dataclass(frozen=True)
class Implied:
    """Adding ``when`` makes the device drop the ``line`` lines under ``parent`` sections."""

    when: re.Pattern[str]
    parent: re.Pattern[str]
    line: re.Pattern[str]


@dataclass(frozen=True)
class PlatformRules:
    """One platform's remediation rules."""

    platform: str
    hier_config: str | None
    negation: str
    canonical: tuple[tuple[re.Pattern[str], str], ...] = ()
    hidden_defaults: tuple[tuple[re.Pattern[str] | None, re.Pattern[str]], ...] = ()
    replace_in_place: tuple[tuple[str, ...], ...] = ()
    negate_as: tuple[tuple[tuple[str, ...], str, str], ...] = ()
    ordering: tuple[tuple[tuple[str, ...], int], ...] = ()
    overwrite: tuple[re.Pattern[str], ...] = ()
    implied: tuple[Implied, ...] = ()
    vlan_batch: bool = False
    banner_delimiter: str = "#"
    default_on: frozenset[str] = frozenset()  # on while the config shows neither form

    def canonical_line(self, text: str) -> str:
        """The device's spelling of one line: single spaces, canonical rewrites applied."""
        text = " ".join(text.split())
        for pattern, replacement in self.canonical:
            text = pattern.sub(replacement, text)
        return text

    def hidden(self, parent: str, text: str) -> bool:
        """True when the device never shows ``text`` under ``parent`` ("" = top level)."""
        for where, line in self.hidden_defaults:
            if (where.search(parent) if where else not parent) and line.search(text):
                return True
        return False

    def is_ordered(self, text: str) -> bool:
        return any(p.search(text) for p in self.overwrite)


def _regex(text: str) -> re.Pattern[str] | None:
    return re.compile(text) if text else None


def _load(platform: str, spec: dict[str, Any]) -> PlatformRules:
    hier = get_platform(platform).hier_config
    return PlatformRules(
        platform=platform,
        hier_config=hier,
        negation="undo" if hier == "HUAWEI_VRP" else "no",
        canonical=tuple((re.compile(p), r) for p, r in spec.get("canonical", [])),
        hidden_defaults=tuple(
            (_regex(parent), re.compile(line)) for parent, line in spec.get("hidden_defaults", [])
        ),
        replace_in_place=tuple(tuple(r) for r in spec.get("replace_in_place", [])),
        negate_as=tuple((tuple(m), s, r) for m, s, r in spec.get("negate_as", [])),
        ordering=tuple((tuple(m), int(w)) for m, w in spec.get("ordering", [])),
        overwrite=tuple(re.compile(p) for p in spec.get("overwrite", [])),
        implied=tuple(
            Implied(re.compile(i["when"]), re.compile(i["drops"][0]), re.compile(i["drops"][1]))
            for i in spec.get("implied", [])
        ),
        vlan_batch=bool(spec.get("vlan_batch")),
        banner_delimiter=str(spec.get("banner_delimiter", "#")),
        default_on=frozenset(spec.get("default_on", ())),
    )


@lru_cache(maxsize=1)
def _all_rules() -> dict[str, PlatformRules]:
    text = resources.files("ictops.data").joinpath("switch_rules.yaml").read_text("utf-8")
    return {platform: _load(platform, spec) for platform, spec in yaml.safe_load(text).items()}


def platform_rules(platform: str) -> PlatformRules:
    """The rules of ``platform``; a platform without entry gets hier_config's driver as is."""
    found = _all_rules().get(platform)
    if found is not None:
        return found
    hier = get_platform(platform).hier_config
    return PlatformRules(platform=platform, hier_config=hier, negation="no")


def hier_driver(rules: PlatformRules) -> Any:
    """A fresh hier_config driver for the platform with the rules added (drivers are mutable)."""
    from hier_config import Platform
    from hier_config.constructors import get_hconfig_driver
    from hier_config.models import (
        IdempotentCommandsRule,
        MatchRule,
        NegationSubRule,
        OrderingRule,
        SectionalOverwriteRule,
    )

    if rules.hier_config is None:
        raise ValueError(f"no hier_config driver for {rules.platform}")
    driver = get_hconfig_driver(Platform[rules.hier_config])

    def lineage(prefixes: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple(
            MatchRule(re_search=p) if p.startswith("^") else MatchRule(startswith=p)
            for p in prefixes
        )

    for prefixes in rules.replace_in_place:
        driver.rules.idempotent_commands.append(
            IdempotentCommandsRule(match_rules=lineage(prefixes))
        )
    for prefixes, search, replace in rules.negate_as:
        driver.rules.negation_sub.append(
            NegationSubRule(match_rules=lineage(prefixes), search=search, replace=replace)
        )
    for prefixes, weight in rules.ordering:
        driver.rules.ordering.append(OrderingRule(match_rules=lineage(prefixes), weight=weight))
    for pattern in rules.overwrite:
        driver.rules.sectional_overwrite.append(
            SectionalOverwriteRule(match_rules=(MatchRule(re_search=pattern.pattern),))
        )
    return driver
