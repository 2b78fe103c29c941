"""Install pending updates (all, or security fixes only) and reboot when allowed.

The plan is the host's own ``apt-get -s upgrade --with-new-pkgs`` (new dependencies, never a
removal) with exactly the options applying uses: for ``only: security`` against the host's
security sources alone (so a security fix hidden behind a newer normal update is found and
installed, and nothing else), with each ``exclude``d package pinned to its installed version.
Held packages (apt-mark hold) are reported and left alone. The upgrade never stops at a
config-file question (the local file is kept) and has no stdin. Afterwards the reboot need
(/var/run/reboot-required) decides, with ``reboot``: never, if_required, always; a reboot
waits for the host to answer with a new boot id within ``reboot_timeout``, else FAILED.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ictops.actions.apt import PackageChanges, check_landed, describe, refresh_lists, require_apt, run_apt
from ictops.actions.base import Context
from ictops.actions.reboot import DEFAULT_TIMEOUT, Rebooted, reboot_and_wait, rebooted_words
from ictops.facts import APT_SIMULATION, APT_SOURCES, OS_RELEASE, PACKAGES, REBOOT_REQUIRED
from ictops.facts.apt import package_name, security_sources
from ictops.facts.patches import PatchListing, listing_facts, read_listing, upgrade_request
from ictops.patchlog import save_listing
from ictops.project import Project
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Payload, Plan
from ictops.validation import StrictModel


class Args(StrictModel):
    only: Literal["all", "security"] = "all"
    exclude: list[str] = []  # packages left at their installed version
    reboot: Literal["never", "if_required", "always"] = "never"
    reboot_timeout: int = Field(default=DEFAULT_TIMEOUT, gt=0)

    @field_validator("exclude")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            package_name(name)
        return value


def build(args: Args, project: Project) -> PatchAction:
    """The playbook's ``patch:`` step."""
    return PatchAction(args.only, tuple(args.exclude), args.reboot, args.reboot_timeout)


@dataclass(frozen=True)
class Patched(Payload):
    """What a patch step did (or would do) on one server."""

    kind: ClassVar[str] = "patch"
    packages: PackageChanges
    held: tuple[str, ...] = ()
    reboot_required: bool = False
    reboot: Rebooted | None = None

    def record(self) -> dict[str, Any]:
        return {**self.packages.record(), **({"held": list(self.held)} if self.held else {}),
                "reboot_required": self.reboot_required,
                **({"reboot": self.reboot.record()} if self.reboot else {})}


class PatchAction:
    name = "patch"
    changes_hosts = True

    def __init__(self, only: str = "all", exclude: tuple[str, ...] = (), reboot: str = "never",
                 reboot_timeout: float = DEFAULT_TIMEOUT):
        self.only, self.exclude, self.reboot, self.reboot_timeout = only, exclude, reboot, reboot_timeout

    def plan(self, ctx: Context) -> Plan:
        ctx.facts.prefetch(OS_RELEASE, PACKAGES, *listing_facts())
        require_apt(ctx)
        refreshed = refresh_lists(ctx)
        listing = read_listing(ctx.facts)
        save_listing(ctx.project, ctx.host.name, listing, "patch", ctx.run.run_id)
        if listing.error:
            raise HostFailure(f"apt cannot read this server's packages and sources: {listing.error}; "
                              "not changed (mend apt first)")
        sources = None
        if self.only == "security":
            sources = security_sources(ctx.facts.get(APT_SOURCES))
            if sources is None:
                raise HostFailure("only: security, but the host has no security source in apt's "
                                  "sources: it cannot tell security fixes; not changed",
                                  ErrorKind.CONFIG_ERROR)
        request = upgrade_request(sources, self.exclude, ctx.facts.get(PACKAGES))
        simulation = ctx.facts.get(APT_SIMULATION, request)
        if simulation.error:
            raise HostFailure(f"apt refuses the upgrade: {simulation.error}")
        security = {p.name for p in listing.updates if p.security}
        changes = [Change(c.describe() + (" (security)" if c.name in security else ""))
                   for c in simulation.changes]
        reboot = self._reboot_change(listing, bool(changes))
        if reboot:
            changes.append(Change(reboot))
        held = listing.held
        payload = Patched(PackageChanges.of(simulation.changes, held=held, lists_refreshed=refreshed),
                          held, listing.reboot.required)
        if not changes:
            return Plan(reason=self._noop(listing), payload=payload)
        return Plan(tuple(changes), state=(request, simulation), payload=payload)

    def _reboot_change(self, listing: PatchListing, upgrading: bool) -> str | None:
        if self.reboot == "always":
            return f"reboot (back with a new boot id within {self.reboot_timeout:g}s)"
        if self.reboot == "if_required":
            if listing.reboot.required:
                who = ", ".join(listing.reboot.packages) or "the system"
                return f"reboot: required by {who}"
            if upgrading:
                return "reboot if the upgrade asks for it (/var/run/reboot-required)"
        return None

    def _noop(self, listing: PatchListing) -> str:
        what = "no security update pending" if self.only == "security" else "no update pending"
        notes = []
        if listing.held:
            notes.append(f"held, not upgraded: {', '.join(listing.held)}")
        if self.exclude:
            notes.append(f"excluded: {', '.join(self.exclude)}")
        if listing.reboot.required:
            notes.append(f"a reboot is required ({', '.join(listing.reboot.packages) or 'system'}), "
                         f"not done: reboot: {self.reboot}")
        return "; ".join([what, *notes])

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        request, simulation = plan.state
        payload: Patched = plan.payload
        words = []
        if simulation.changes:
            run_apt(ctx, request)
            check_landed(ctx, simulation.changes)
            words.append(f"upgraded {len(simulation.changes)} package(s): "
                         f"{describe(simulation.changes, 'ed').replace('upgraded ', '')}")
        if payload.held:
            words.append(f"held, not upgraded: {', '.join(payload.held)}")
        ctx.facts.invalidate()
        need = ctx.facts.get(REBOOT_REQUIRED)
        rebooted = None
        if self.reboot == "always" or (self.reboot == "if_required" and need.required):
            try:
                rebooted = reboot_and_wait(ctx, self.reboot_timeout)
            except HostFailure as exc:
                raise HostFailure("; ".join([*words, exc.message]), exc.kind) from None
            words.append(rebooted_words(rebooted))
        elif need.required:
            words.append(f"reboot required by {', '.join(need.packages) or 'the system'}, not done "
                         f"(reboot: {self.reboot})")
        try:
            save_listing(ctx.project, ctx.host.name, read_listing(ctx.facts), "patch", ctx.run.run_id)
        except HostFailure:
            pass  # the listing after the upgrade is a courtesy: the upgrade itself is done
        return Outcome.changed("; ".join(words),
                               payload=Patched(payload.packages, payload.held, need.required, rebooted))


@dataclass(frozen=True)
class Listed(Payload):
    """A server's patch listing (``ictops patch list``)."""

    kind: ClassVar[str] = "patch_listing"
    listing: PatchListing

    def to_dict(self) -> dict[str, Any]:
        return {**self.listing.to_dict(), "doubts": self.listing.doubts}

    def record(self) -> dict[str, Any]:
        listing = self.listing
        return {"pending": len(listing.updates), "security": len(listing.security),
                "held": list(listing.held), "reboot_required": listing.reboot.required}


class PatchList:
    """Read each server's pending updates (security marked), held packages and reboot need;
    keep the listing in state/patches/ for the report. apt's lists are refreshed first when
    older than the apt_cache_age setting."""

    name = "patch list"

    def read(self, ctx: Context) -> Outcome:
        ctx.facts.prefetch(OS_RELEASE, *listing_facts())
        require_apt(ctx)
        refresh_lists(ctx)
        listing = read_listing(ctx.facts)
        save_listing(ctx.project, ctx.host.name, listing, "patch list", ctx.run.run_id)
        return Outcome.ok(listing_words(listing), payload=Listed(listing))


def listing_words(listing: PatchListing) -> str:
    """One line: "3 pending (1 security); held: x; reboot required (kernel)"."""
    if listing.error:
        return f"cannot tell: apt refused to simulate: {listing.error}"
    count = len(listing.updates)
    words = [f"{count} pending ({len(listing.security)} security)" if count else "no update pending"]
    if listing.held:
        words.append(f"held: {', '.join(listing.held)}")
    if listing.reboot.required:
        words.append(f"reboot required ({', '.join(listing.reboot.packages) or 'system'})")
    words.extend(f"but {doubt}" for doubt in listing.doubts)
    return "; ".join(words)
