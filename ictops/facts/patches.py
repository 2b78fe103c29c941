"""A server's patch listing: pending updates (security marked), held packages, reboot need.

Assembled from facts, each one command: the full ``apt-get -s upgrade``, the same against
the host's security sources alone, ``apt-mark showhold``, /var/run/reboot-required and the
age of apt's lists. The second simulation matters: a security fix hidden behind a newer
normal update (tools 1.0-1 -> 1.1-1 in the full listing, while 1.0-1+deb12u1 is the pending
security fix) shows only there. Used by ``ictops patch list``, the patch action, rule
LNX-PATCH-01 and the director's report (through ictops/patchlog.py), so they always agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ictops.facts.apt import AptRequest, AptSimulation, security_sources
from ictops.facts.base import Facts
from ictops.facts.server import RebootNeed

STALE_LISTS = 7 * 86400  # apt's lists older than this: the listing may miss updates


@dataclass(frozen=True)
class Pending:
    """One package with an update: ``candidate`` from the full listing, ``security`` the
    version a security-only upgrade would install (None: no security fix pending)."""

    name: str
    current: str | None
    candidate: str | None
    security: str | None = None
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatchListing:
    updates: tuple[Pending, ...] = ()
    held: tuple[str, ...] = ()
    kept_back: tuple[str, ...] = ()  # held, or needing a removal: not upgraded by ictops
    reboot: RebootNeed = field(default_factory=lambda: RebootNeed(False))
    security_sources: bool = True  # False: the host has no security source, so it cannot tell
    lists_age: float | None = None  # seconds since apt's lists were refreshed
    error: str | None = None  # apt refused to simulate

    @property
    def security(self) -> tuple[Pending, ...]:
        return tuple(p for p in self.updates if p.security)

    @property
    def ordered(self) -> tuple[Pending, ...]:
        """Security fixes first, then the others, each by name."""
        return tuple(sorted(self.updates, key=lambda p: (p.security is None, p.name)))

    @property
    def doubts(self) -> list[str]:
        """Why this listing may not be the whole truth (empty: it can be trusted)."""
        found = []
        if self.error:
            found.append(f"apt refused to simulate: {self.error}")
        if not self.security_sources:
            found.append("no security source in apt's sources: security fixes cannot be told")
        if self.lists_age is None:
            found.append("apt has no package lists")
        elif self.lists_age > STALE_LISTS:
            found.append(f"apt's lists are {self.lists_age / 86400:.0f} days old")
        return found

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reboot"] = {"required": self.reboot.required, "packages": list(self.reboot.packages)}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PatchListing:
        reboot = data.get("reboot") or {}
        return cls(
            updates=tuple(Pending(p["name"], p.get("current"), p.get("candidate"), p.get("security"),
                                  tuple(p.get("origins") or ())) for p in data.get("updates") or ()),
            held=tuple(data.get("held") or ()), kept_back=tuple(data.get("kept_back") or ()),
            reboot=RebootNeed(bool(reboot.get("required")), tuple(reboot.get("packages") or ())),
            security_sources=bool(data.get("security_sources", True)),
            lists_age=data.get("lists_age"), error=data.get("error"),
        )


def combine(full: AptSimulation, security: AptSimulation | None, held: tuple[str, ...],
            reboot: RebootNeed, lists_age: float | None) -> PatchListing:
    """The listing from its facts (pure: tested as data)."""
    fixes = {c.name: c for c in (security.changes if security else ()) if c.new is not None}
    updates = []
    for change in full.changes:
        if change.new is None:
            continue
        fix = fixes.pop(change.name, None)
        secure = change.new if change.security else (fix.new if fix else None)
        updates.append(Pending(change.name, change.old, change.new, secure, change.origins))
    for fix in fixes.values():  # held back in the full listing, fixed by the security one
        updates.append(Pending(fix.name, fix.old, None, fix.new, fix.origins))
    return PatchListing(tuple(updates), tuple(held), full.kept_back, reboot,
                        security is not None, lists_age,
                        full.error or (security.error if security else None))


def upgrade_request(sources: str | None = None, exclude: tuple[str, ...] = (),
                    installed: dict[str, str] | None = None) -> AptRequest:
    """``apt-get upgrade`` against ``sources`` (None: the host's own), with each excluded
    package pinned to its installed version."""
    pins = "\n\n".join(f"Package: {name}\nPin: version {installed[name]}\nPin-Priority: 1001"
                       for name in exclude if installed and name in installed)
    return AptRequest("upgrade", sources=sources, pins=pins or None)


def listing_facts() -> tuple[Any, ...]:
    """The facts a listing reads before the security simulation (for ``Facts.prefetch``)."""
    from ictops.facts import APT_LISTS_AGE, APT_SIMULATION, APT_SOURCES, HELD_PACKAGES, REBOOT_REQUIRED

    return (APT_LISTS_AGE, APT_SOURCES, HELD_PACKAGES, REBOOT_REQUIRED,
            (APT_SIMULATION, upgrade_request()))


def read_listing(facts: Facts) -> PatchListing:
    """The host's listing now, through its facts (each read once per run)."""
    from ictops.facts import (
        APT_LISTS_AGE,
        APT_SIMULATION,
        APT_SOURCES,
        HELD_PACKAGES,
        REBOOT_REQUIRED,
    )

    facts.prefetch(*listing_facts())  # one round trip for all but the security simulation
    full = facts.get(APT_SIMULATION, upgrade_request())
    only = security_sources(facts.get(APT_SOURCES))
    security = facts.get(APT_SIMULATION, upgrade_request(only)) if only else None
    return combine(full, security, facts.get(HELD_PACKAGES), facts.get(REBOOT_REQUIRED),
                   facts.get(APT_LISTS_AGE))
