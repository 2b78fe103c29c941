"""Which ictops platform a device is, from brand/model text or another tool's platform name.

The rules are data (ictops/data/import_platforms.yaml), extended by the office's mapping file.
A device is either one of ictops's platforms, or left out with the reason (``unmanaged``, or a
platform this ictops does not have yet), or unknown (``None``: the caller reports an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping

import yaml

from ictops.errors import InputError
from ictops.inventory.importers.draft import Spot
from ictops.platforms import platforms

UNMANAGED = "unmanaged"


@dataclass(frozen=True)
class Verdict:
    """A managed platform, or ``platform=None`` with the reason the device is left out."""

    platform: str | None
    reason: str = ""


@dataclass(frozen=True)
class BrandRule:
    pattern: re.Pattern[str]
    platform: str
    reason: str = ""


def _verdict(platform: str, reason: str = "") -> Verdict:
    if platform == UNMANAGED:
        return Verdict(None, reason or "a device ictops does not manage")
    if platform not in platforms():
        return Verdict(None, f"a {platform} device; this ictops has no {platform} platform yet")
    return Verdict(platform)


@dataclass(frozen=True)
class PlatformRules:
    brands: tuple[BrandRule, ...]
    names: Mapping[str, tuple[str, str]]  # lower-case name -> (platform or unmanaged, reason)

    def brand_rule(self, text: str) -> BrandRule | None:
        """The first brand rule whose pattern is found in ``text``."""
        return next((rule for rule in self.brands if rule.pattern.search(text)), None)

    def brand(self, text: str) -> Verdict | None:
        """The verdict for brand/model text; None when no rule knows it."""
        rule = self.brand_rule(text)
        return _verdict(rule.platform, rule.reason) if rule else None

    def name(self, name: str) -> Verdict | None:
        """The verdict for a platform name (ansible_network_os, a Nornir platform)."""
        found = self.names.get(str(name).strip().lower())
        return _verdict(*found) if found else None

    def named(self, value: Any, spot: Spot, errors: list[InputError], what: str) -> tuple[str | None, str]:
        """(managed platform or None, why it is left out) for a platform name; an unknown name
        is an error at ``spot`` ("{what} is no platform ictops knows..."), reported once."""
        verdict = self.name(str(value))
        if verdict is not None:
            return verdict.platform, verdict.reason
        error = spot.error(
            f"{what} is no platform ictops knows (it knows {', '.join(sorted(platforms()))} by "
            "their usual names: docs/inventory-import.md); map it in a mapping file "
            "(network_os: {NAME: PLATFORM or unmanaged})")
        if str(error) not in {str(e) for e in errors}:
            errors.append(error)
        return None, ""

    def extended(
        self, brands: Iterable[BrandRule] = (), names: Mapping[str, str] | None = None
    ) -> PlatformRules:
        """These rules with an office's own first (brand rules tried before the built-in)."""
        table = dict(self.names)
        for name, platform in (names or {}).items():
            table[name.lower()] = (platform, "")
        return PlatformRules(brands=tuple(brands) + self.brands, names=table)


def brand_rule(match: str, platform: str, reason: str = "") -> BrandRule:
    """A brand rule; raises re.error for a bad pattern."""
    return BrandRule(re.compile(match, re.IGNORECASE), platform, reason)


@lru_cache(maxsize=1)
def builtin_rules() -> PlatformRules:
    """The rules shipped with ictops (ictops/data/import_platforms.yaml)."""
    text = resources.files("ictops.data").joinpath("import_platforms.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    brands = tuple(
        brand_rule(r["match"], r["platform"], r.get("reason", "")) for r in spec["brands"]
    )
    names: dict[str, tuple[str, str]] = {}
    for name, platform in platforms().items():
        names[name] = (name, "")
        if platform.netmiko:
            names.setdefault(platform.netmiko.lower(), (name, ""))
    for platform, aliases in spec["network_os"].items():
        for alias in aliases:
            names.setdefault(alias.lower(), (platform, ""))
    for alias, description in spec["unmanaged_os"].items():
        names.setdefault(alias.lower(), (UNMANAGED, f"{description}, a platform ictops does not manage"))
    return PlatformRules(brands=brands, names=names)
