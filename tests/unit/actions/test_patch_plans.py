"""patch, reboot and the patch listing as data: (facts, arguments) -> plan or listing, with
their no-op cases; what applying runs, from recorded outputs."""

from __future__ import annotations

import pytest

from ictops.actions.patch import Args, PatchList, build, listing_words
from ictops.actions.reboot import RebootAction
from ictops.connections.base import SessionError
from ictops.facts import (
    APT_LISTS_AGE,
    APT_SIMULATION,
    APT_SOURCES,
    BOOT_ID,
    HELD_PACKAGES,
    OS_RELEASE,
    PACKAGES,
    REBOOT_REQUIRED,
    AptChange,
    AptSimulation,
    AptSource,
    OsRelease,
    RebootNeed,
)
from ictops.facts.apt import security_sources
from ictops.facts.patches import Pending, PatchListing, combine, upgrade_request
from ictops.patchlog import latest_listings
from ictops.results import ErrorKind, HostFailure, Status
from tests.unit.actions.given import GivenFacts, Server, context, plan_of, project_at, words

KEY = "/usr/share/keyrings/k.gpg"
SOURCES = (AptSource("file:/srv/apt", "ictops", ("main",), ("deb",), (("Signed-By", KEY),)),
           AptSource("file:/srv/apt", "ictops-security", ("main",), ("deb",), (("Signed-By", KEY),)))
SEC_ONLY = security_sources(SOURCES)
NORMAL, SEC = ("ictops-lab:ictops",), ("ictops-lab-security:ictops-security",)
# a noncompliant lab server: tools' security fix hides behind its newer normal update
FULL = AptSimulation((AptChange("hello", "1.0-1", "1.1-1", NORMAL),
                      AptChange("kernel", "1.0-1", "1.1-1", SEC),
                      AptChange("tools", "1.0-1", "1.1-1", NORMAL)))
SECURITY = AptSimulation((AptChange("kernel", "1.0-1", "1.1-1", SEC),
                          AptChange("tools", "1.0-1", "1.0-1+deb12u1", SEC)))
INSTALLED = {"hello": "1.0-1", "kernel": "1.0-1", "tools": "1.0-1"}


def facts(full=FULL, security=SECURITY, held=(), reboot=RebootNeed(False), extra=None, server=None,
          sources=SOURCES) -> GivenFacts:
    values = {(OS_RELEASE,): OsRelease("debian", "12"), (APT_LISTS_AGE,): 60.0,
              (APT_SOURCES,): sources, (PACKAGES,): INSTALLED, (HELD_PACKAGES,): held,
              (REBOOT_REQUIRED,): reboot,
              (APT_SIMULATION, upgrade_request()): full,
              (APT_SIMULATION, upgrade_request(SEC_ONLY)): security}
    values.update(extra or {})
    return GivenFacts(values, server)


def test_listing_finds_the_hidden_security_fix() -> None:
    listing = combine(FULL, SECURITY, ("hello",), RebootNeed(True, ("kernel",)), 60.0)
    assert listing.ordered == (
        Pending("kernel", "1.0-1", "1.1-1", "1.1-1", SEC),
        Pending("tools", "1.0-1", "1.1-1", "1.0-1+deb12u1", NORMAL),
        Pending("hello", "1.0-1", "1.1-1", None, NORMAL),
    )
    assert listing_words(listing) == "3 pending (2 security); held: hello; reboot required (kernel)"
    assert PatchListing.from_dict(listing.to_dict()) == listing


@pytest.mark.parametrize("listing, words", [
    (combine(AptSimulation(), AptSimulation(), (), RebootNeed(False), 60.0), "no update pending"),
    # what could not be told is said, never "no update pending" alone
    (combine(AptSimulation(), None, (), RebootNeed(False), 60.0),
     "no update pending; but no security source in apt's sources: security fixes cannot be told"),
    (combine(AptSimulation(), AptSimulation(), (), RebootNeed(False), 30 * 86400.0),
     "no update pending; but apt's lists are 30 days old"),
    (combine(AptSimulation(error="Could not open lock"), None, (), RebootNeed(False), 1.0),
     "cannot tell: apt refused to simulate: Could not open lock"),
])
def test_listing_doubts(listing, words) -> None:
    assert listing_words(listing) == words


@pytest.mark.parametrize("args, given, expected", [
    ({}, {}, (["upgrade hello 1.0-1 -> 1.1-1", "upgrade kernel 1.0-1 -> 1.1-1 (security)",
               "upgrade tools 1.0-1 -> 1.1-1 (security)"], "")),
    ({"only": "security", "reboot": "if_required"}, {},
     (["upgrade kernel 1.0-1 -> 1.1-1 (security)", "upgrade tools 1.0-1 -> 1.0-1+deb12u1 (security)",
       "reboot if the upgrade asks for it (/var/run/reboot-required)"], "")),
    ({"only": "security"}, {"security": AptSimulation(), "held": ("tools",)},
     ([], "no security update pending; held, not upgraded: tools")),
    ({"reboot": "if_required"}, {"full": AptSimulation(), "security": AptSimulation(),
                                 "reboot": RebootNeed(True, ("kernel",))},
     (["reboot: required by kernel"], "")),
    ({"reboot": "never"}, {"full": AptSimulation(), "security": AptSimulation(),
                           "reboot": RebootNeed(True, ("kernel",))},
     ([], "no update pending; a reboot is required (kernel), not done: reboot: never")),
    ({"reboot": "always", "reboot_timeout": 60}, {"full": AptSimulation(), "security": AptSimulation()},
     (["reboot (back with a new boot id within 60s)"], "")),
])
def test_patch_plan(tmp_path, args, given, expected) -> None:
    plan = plan_of(build(Args(**args), None), facts(**given), project_at(tmp_path))
    assert words(plan) == expected


def test_exclude_pins_the_installed_version(tmp_path) -> None:
    request = upgrade_request(None, ("hello",), INSTALLED)
    assert request.pins == "Package: hello\nPin: version 1.0-1\nPin-Priority: 1001"
    only_kernel = AptSimulation((FULL.changes[1],))
    given = facts(extra={(APT_SIMULATION, request): only_kernel})
    plan = plan_of(build(Args(exclude=["hello"]), None), given, project_at(tmp_path))
    assert words(plan) == (["upgrade kernel 1.0-1 -> 1.1-1 (security)"], "")


def test_a_server_whose_apt_is_broken_is_not_patched(tmp_path) -> None:
    broken = AptSimulation(error="Malformed entry 1 in list file /etc/apt/sources.list.d/x.list")
    with pytest.raises(HostFailure, match="apt cannot read this server's packages and sources: "
                                          "Malformed entry"):
        plan_of(build(Args(only="security"), None), facts(full=broken), project_at(tmp_path))


def test_security_only_without_security_sources_is_refused(tmp_path) -> None:
    given = facts(sources=SOURCES[:1])
    with pytest.raises(HostFailure, match="no security source"):
        plan_of(build(Args(only="security"), None), given, project_at(tmp_path))


def test_plan_keeps_the_listing_for_the_report(tmp_path) -> None:
    project = project_at(tmp_path)
    plan_of(build(Args(), None), facts(), project)
    stored = latest_listings(project)["srv-01"]
    assert stored.source == "patch" and len(stored.listing.updates) == 3


class Rebooting(Server):
    """The reboot command loses its connection; the host answers again with a new boot id."""

    def __init__(self, boot_ids):
        super().__init__()
        self.boot_ids = list(boot_ids)
        self.reconnects = 0

    def run(self, command, **kw):
        if command == "reboot":
            self.commands.append(command)
            raise SessionError(ErrorKind.CONNECTION_LOST, "closed")
        return super().run(command, **kw)


class RebootFacts(GivenFacts):
    def __init__(self, server: Rebooting, after: dict | None = None):
        super().__init__({}, server)
        self.after = after or {}

    def get(self, fact, *args):
        if fact is BOOT_ID:
            return self.server.boot_ids[min(self.server.reconnects, len(self.server.boot_ids) - 1)]
        return self.after[fact.name]

    def reopen(self, kind, deadline=None):
        assert (kind, deadline is not None) == ("server", True)
        self.server.reconnects += 1
        return self.server


def test_reboot_waits_for_a_new_boot_id(tmp_path) -> None:
    server = Rebooting(["aaaaaaaa-1", "aaaaaaaa-1", "bbbbbbbb-2"])  # the old system answers once more
    action = RebootAction(30)
    ctx = context(action, RebootFacts(server), project_at(tmp_path))
    outcome = action.apply(ctx, action.plan(ctx))
    assert outcome.status is Status.CHANGED
    assert outcome.payload.record()["new_boot_id"] == "bbbbbbbb-2"
    assert server.reconnects == 2 and server.commands == ["reboot"]


def test_reboot_that_never_comes_back_fails_with_the_reason(tmp_path) -> None:
    server = Rebooting(["aaaaaaaa-1"])
    action = RebootAction(1)
    ctx = context(action, RebootFacts(server), project_at(tmp_path))
    with pytest.raises(HostFailure, match="not back with a new boot id within 1s") as err:
        action.apply(ctx, action.plan(ctx))
    assert err.value.kind is ErrorKind.TIMEOUT


def test_patch_list_reads_and_keeps(tmp_path) -> None:
    project = project_at(tmp_path)
    outcome = PatchList().read(context(PatchList(), facts(), project))
    assert outcome.message == "3 pending (2 security)"
    assert latest_listings(project)["srv-01"].source == "patch list"
