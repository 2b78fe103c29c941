"""Install, upgrade or remove Debian packages with apt (dnf hosts are refused).

The plan is what the host's own apt says it would do (``apt-get -s`` of exactly the call
that applying runs): each package with its from/to versions, dependencies included. A
held package (apt-mark hold) that would have to change is refused, never forced. apt's
lists are refreshed first when older than the ``apt_cache_age`` setting, or when apt does
not know a package, at most once per run and host.
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from ictops.actions.apt import (
    PackageChanges,
    check_landed,
    describe,
    refresh_lists,
    require_apt,
    run_apt,
)
from ictops.actions.base import Context
from ictops.facts import (
    APT_LISTS_AGE,
    APT_SIMULATION,
    HELD_PACKAGES,
    OS_RELEASE,
    PACKAGES,
    AptRequest,
    AptSimulation,
)
from ictops.facts.apt import package_name, package_version
from ictops.project import Project
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Plan
from ictops.validation import StrictModel


class Args(StrictModel):
    name: str | list[str]  # one package or a list
    state: Literal["present", "absent", "latest"] = "present"
    version: str | None = None  # an exact version (one package, state present)

    @field_validator("name")
    @classmethod
    def _names(cls, value: str | list[str]) -> str | list[str]:
        names = [value] if isinstance(value, str) else value
        if not names:
            raise ValueError("name: give a package or a list of packages")
        for name in names:
            package_name(name)
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        return None if value is None else package_version(value)

    @model_validator(mode="after")
    def _version_alone(self) -> Args:
        if self.version is not None and (self.state != "present" or not isinstance(self.name, str)):
            raise ValueError("version: only with one package name and state: present")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,) if isinstance(self.name, str) else tuple(dict.fromkeys(self.name))


def build(args: Args, project: Project) -> PackageAction:
    """The playbook's ``package:`` step."""
    return PackageAction(args.names, args.state, args.version)


class PackageAction:
    name = "package"
    changes_hosts = True

    def __init__(self, names: tuple[str, ...], state: str = "present", version: str | None = None):
        self.names, self.state, self.version = names, state, version

    def plan(self, ctx: Context) -> Plan:
        ctx.facts.prefetch(OS_RELEASE, APT_LISTS_AGE, PACKAGES, HELD_PACKAGES)
        require_apt(ctx)
        refreshed = refresh_lists(ctx)
        installed = ctx.facts.get(PACKAGES)
        request = self._request(installed)
        if request is None:
            return Plan(reason=self._noop(installed), payload=PackageChanges(lists_refreshed=refreshed))
        simulation = ctx.facts.get(APT_SIMULATION, request)
        if simulation.error and refresh_lists(ctx, unknown=True):  # apt did not know it
            refreshed = True
            installed = ctx.facts.get(PACKAGES)
            request = self._request(installed)
            if request is None:
                return Plan(reason=self._noop(installed), payload=PackageChanges(lists_refreshed=True))
            simulation = ctx.facts.get(APT_SIMULATION, request)
        if simulation.error:
            raise HostFailure(f"apt refuses: {simulation.error}", ErrorKind.COMMAND_FAILED)
        self._refuse_held(ctx, simulation)
        if not simulation.changes:
            return Plan(reason=self._noop(installed), payload=PackageChanges(lists_refreshed=refreshed))
        return Plan(tuple(Change(c.describe()) for c in simulation.changes),
                    state=(request, simulation),
                    payload=PackageChanges.of(simulation.changes, lists_refreshed=refreshed))

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        request, simulation = plan.state
        run_apt(ctx, request)
        check_landed(ctx, simulation.changes)
        return Outcome.changed(describe(simulation.changes, "ed"), payload=plan.payload)

    # --- inside ---------------------------------------------------------------------------
    def _request(self, installed: dict[str, str]) -> AptRequest | None:
        """The apt-get call that brings the host to the wanted state; None: it is there."""
        if self.state == "absent":
            present = tuple(n for n in self.names if n in installed)
            return AptRequest("remove", present) if present else None
        if self.state == "latest":
            return AptRequest("install", self.names)
        if self.version is not None:
            name = self.names[0]
            if installed.get(name) == self.version:
                return None
            return AptRequest("install", (f"{name}={self.version}",), allow_downgrades=True)
        missing = tuple(n for n in self.names if n not in installed)
        return AptRequest("install", missing) if missing else None

    def _noop(self, installed: dict[str, str]) -> str:
        if self.state == "absent":
            return f"not installed: {', '.join(self.names)}"
        have = ", ".join(f"{n} {installed[n]}" for n in self.names if n in installed)
        if self.state == "latest":
            return f"already the newest: {have}"
        return f"already {have}" if len(self.names) == 1 else f"already installed: {have}"

    def _refuse_held(self, ctx: Context, simulation: AptSimulation) -> None:
        held = set(ctx.facts.get(HELD_PACKAGES))
        touched = sorted(c.name for c in simulation.changes if c.name in held)
        kept = sorted(n for n in simulation.kept_back if n in held and n in self.names)
        if touched or kept:
            names = ", ".join(touched or kept)
            raise HostFailure(f"{names} held (apt-mark hold): not changed, never forced; "
                              f"to change it, first: apt-mark unhold {names}")
