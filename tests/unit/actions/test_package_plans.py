"""The package action as data: (facts, arguments) -> the plan, with its no-op cases; and
what applying runs."""

from __future__ import annotations

import pytest

from ictops.actions.package import Args, PackageAction, build
from ictops.facts import (
    APT_LISTS_AGE,
    APT_SIMULATION,
    HELD_PACKAGES,
    OS_RELEASE,
    PACKAGES,
    AptChange,
    AptRequest,
    AptSimulation,
    OsRelease,
)
from ictops.results import ErrorKind, HostFailure
from tests.unit.actions.given import GivenFacts, Server, context, plan_of, project_at, words

DEBIAN = OsRelease("debian", "12", "Debian GNU/Linux 12 (bookworm)")
HELLO = "ictops-lab-hello"
LAB = "ictops-lab:ictops"


def facts(installed: dict[str, str], sims: dict[AptRequest, AptSimulation] | None = None,
          held: tuple[str, ...] = (), age: float | None = 60.0, server: Server | None = None) -> GivenFacts:
    values = {(OS_RELEASE,): DEBIAN, (PACKAGES,): installed, (HELD_PACKAGES,): held,
              (APT_LISTS_AGE,): age}
    for request, sim in (sims or {}).items():
        values[(APT_SIMULATION, request)] = sim
    return GivenFacts(values, server)


def action(**args) -> PackageAction:
    return build(Args(**args), None)


UP = AptSimulation((AptChange(HELLO, "1.0-1", "1.1-1", (LAB,)),))
NEW = AptSimulation((AptChange(HELLO, None, "1.1-1", (LAB,)),
                     AptChange("libdep", None, "2.0", (LAB,))))


@pytest.mark.parametrize("args, installed, sims, expected", [
    # present
    ({"name": HELLO}, {HELLO: "1.0-1"}, {}, ([], f"already {HELLO} 1.0-1")),
    ({"name": HELLO}, {}, {AptRequest("install", (HELLO,)): NEW},
     ([f"install {HELLO} 1.1-1", "install libdep 2.0"], "")),
    ({"name": [HELLO, "b"]}, {HELLO: "1", "b": "2"}, {}, ([], f"already installed: {HELLO} 1, b 2")),
    # an exact version
    ({"name": HELLO, "version": "1.0-1"}, {HELLO: "1.0-1"}, {}, ([], f"already {HELLO} 1.0-1")),
    ({"name": HELLO, "version": "1.1-1"}, {HELLO: "1.0-1"},
     {AptRequest("install", (f"{HELLO}=1.1-1",), allow_downgrades=True): UP},
     ([f"upgrade {HELLO} 1.0-1 -> 1.1-1"], "")),
    # latest
    ({"name": HELLO, "state": "latest"}, {HELLO: "1.0-1"}, {AptRequest("install", (HELLO,)): UP},
     ([f"upgrade {HELLO} 1.0-1 -> 1.1-1"], "")),
    ({"name": HELLO, "state": "latest"}, {HELLO: "1.1-1"}, {AptRequest("install", (HELLO,)): AptSimulation()},
     ([], f"already the newest: {HELLO} 1.1-1")),
    # absent
    ({"name": HELLO, "state": "absent"}, {}, {}, ([], f"not installed: {HELLO}")),
    ({"name": HELLO, "state": "absent"}, {HELLO: "1.0-1"},
     {AptRequest("remove", (HELLO,)): AptSimulation((AptChange(HELLO, "1.0-1", None),))},
     ([f"remove {HELLO} 1.0-1"], "")),
])
def test_plan(tmp_path, args, installed, sims, expected) -> None:
    given = facts(installed, sims)
    plan = plan_of(action(**args), given, project_at(tmp_path))
    assert words(plan) == expected
    assert given.server.commands == []  # fresh lists: no apt-get update


def test_old_lists_are_refreshed_once(tmp_path) -> None:
    given = facts({HELLO: "1.0-1"}, {AptRequest("install", (HELLO,)): UP}, age=7200.0)
    project = project_at(tmp_path, "data: {apt_cache_age: 3600}\n")
    act = action(name=HELLO, state="latest")
    plan_of(act, given, project)
    plan_of(act, given, project)
    assert [c for c in given.server.commands if "apt-get update" in c] == [
        "LC_ALL=C apt-get update -q --error-on=any </dev/null && mkdir -p /var/lib/apt/periodic "
        "&& touch /var/lib/apt/periodic/update-success-stamp"]


def test_an_unknown_package_refreshes_then_fails_with_apts_words(tmp_path) -> None:
    unknown = AptSimulation(error="Unable to locate package nosuch")
    given = facts({}, {AptRequest("install", ("nosuch",)): unknown})
    with pytest.raises(HostFailure, match="apt refuses: Unable to locate package nosuch"):
        plan_of(action(name="nosuch"), given, project_at(tmp_path))
    assert len([c for c in given.server.commands if "apt-get update" in c]) == 1


def test_held_package_is_refused_not_forced(tmp_path) -> None:
    given = facts({HELLO: "1.0-1"}, {AptRequest("install", (HELLO,)): UP}, held=(HELLO,))
    with pytest.raises(HostFailure, match=f"{HELLO} held .*apt-mark unhold {HELLO}"):
        plan_of(action(name=HELLO, state="latest"), given, project_at(tmp_path))


def test_rhel_family_is_refused(tmp_path) -> None:
    given = GivenFacts({(OS_RELEASE,): OsRelease("rocky", "9.3", "Rocky Linux 9.3", ("rhel",))})
    with pytest.raises(HostFailure, match="Rocky Linux 9.3 is not a Debian-family system") as err:
        plan_of(action(name=HELLO), given, project_at(tmp_path))
    assert err.value.kind is ErrorKind.CONFIG_ERROR


def test_apply_runs_the_simulated_call_for_real_and_checks_it_landed(tmp_path) -> None:
    server = Server()
    after = {HELLO: "1.0-1"}
    given = facts(after, {AptRequest("install", (HELLO,)): UP}, server=server)
    given.values[("DebPackagesFact", ())] = lambda: after
    act = action(name=HELLO, state="latest")
    ctx = context(act, given, project_at(tmp_path))
    plan = act.plan(ctx)
    after = {HELLO: "1.1-1"}  # what dpkg says once apt ran
    given.values[("DebPackagesFact", ())] = lambda: after
    outcome = act.apply(ctx, plan)
    assert outcome.message == f"upgraded {HELLO} 1.0-1 -> 1.1-1"
    assert server.commands[-1].endswith(
        "'' '' -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "
        f"-o DPkg::Lock::Timeout=120 install {HELLO}")
    assert outcome.payload.record() == {"packages": [[HELLO, "1.0-1", "1.1-1"]]}


def test_apply_that_did_not_land_fails(tmp_path) -> None:
    given = facts({HELLO: "1.0-1"}, {AptRequest("install", (HELLO,)): UP})
    act = action(name=HELLO, state="latest")
    ctx = context(act, given, project_at(tmp_path))
    with pytest.raises(HostFailure, match=f"apt-get finished but {HELLO} is 1.0-1, not 1.1-1"):
        act.apply(ctx, act.plan(ctx))


@pytest.mark.parametrize("args, error", [
    ({"name": HELLO, "state": "installed"}, "state"),
    ({"name": "Bad Name"}, "not a Debian package name"),
    ({"name": [HELLO, "b"], "version": "1"}, "only with one package"),
    ({"name": []}, "give a package"),
])
def test_bad_arguments(args, error) -> None:
    with pytest.raises(ValueError, match=error):
        Args(**args)
