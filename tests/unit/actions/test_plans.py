"""Every action's plan as data (pyinfra style): (facts, arguments) -> expected plan, each
with its no-op case. Facts are given, not read: no session, no device."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import paramiko
import pytest

from ictops.actions.audit import NO_BACKUP, AuditAction
from ictops.actions.backup import BackupAction
from ictops.actions.base import Context, RunSettings
from ictops.actions.command import MAY_CHANGE, RunCommand
from ictops.actions.hostkeys import TrustHostKey
from ictops.actions.restore import RestoreServer
from ictops.backup.collect import Collected
from ictops.backup.store import BackupStore
from ictops.compliance import load_pack
from ictops.connections.base import CommandResult
from ictops.connections.hostkeys import fingerprint, trust
from ictops.facts import COLLECTION, HOST_KEY, RUNNING_CONFIG, STARTUP_CONFIG, Collection
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ErrorKind, HostFailure, Plan, Status

REPO = Path(__file__).resolve().parents[3]
CONFIG = (
    "!\nversion 15.2\nhostname sw-01\n!\nusername admin privilege 15 secret 9 $9$abc$def\n!\n"
    "interface GigabitEthernet0/1\n description uplink\n!\nline vty 0 4\n transport input ssh\n!\nend\n"
)
SWITCH = Host(name="sw-01", hostname="127.0.0.1", platform_name="cisco_ios", site="office")
SERVER = Host(name="srv-01", hostname="127.0.0.1", platform_name="linux", site="office",
              backup_files=("/etc/app.conf",))


class GivenFacts:
    """Facts given as data: {(fact name, args): value}; reading anything else is a test bug."""

    def __init__(self, values: dict[tuple[Any, ...], Any]):
        self.values = {(fact.name, tuple(args)): value for (fact, *args), value in values.items()}
        self.invalidated = 0

    def get(self, fact: Any, *args: Any) -> Any:
        return self.values[(fact.name, args)]

    def session(self, kind: str) -> Any:
        raise AssertionError("a plan read a session, not a fact")

    def invalidate(self) -> None:
        self.invalidated += 1


def plan_of(action: Any, host: Host, facts: dict, project: Project, check: bool = False) -> Plan:
    run = RunSettings(project=project, check=check, operator="tester")
    if hasattr(action, "begin"):
        action.begin(run)
    try:
        return action.plan(Context(host, run, GivenFacts(facts), action.name))
    finally:
        if hasattr(action, "abort"):
            action.abort(run)


def summary(plan: Plan) -> tuple[list[str], str]:
    return [c.description for c in plan.changes], plan.reason


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


# --- cmd ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["uptime", "systemctl restart nginx"])
def test_cmd_plan_says_it_cannot_know(project: Project, command: str) -> None:
    plan = plan_of(RunCommand(command), SERVER, {}, project)
    assert summary(plan) == ([f"run: {command}"], MAY_CHANGE) and plan.certain is False


# --- backup -------------------------------------------------------------------------------


def _store_with(project: Project, host: Host, config: str) -> None:
    store = BackupStore(project.backups_dir)
    with store.begin_run("R0", "tester") as txn:
        txn.stage(host, {"running-config.txt": config.encode(), "startup-config.txt": config.encode()},
                  {"platform": host.platform_name, "running_equals_startup": True})
        txn.commit()


CHANGED = CONFIG.replace(" description uplink\n", " description uplink\n shutdown\n")


@pytest.mark.parametrize(
    "stored, running, startup, expected",
    [
        (None, CONFIG, CONFIG, (["store new backup (2 file(s))"], "")),
        (CONFIG, CONFIG, CONFIG, ([], "unchanged")),  # the no-op
        (CONFIG, CHANGED, CONFIG, ([
            "store running-config: +1 -0 lines; unsaved changes (running-config differs from "
            "startup-config)"], "")),
        (CONFIG, CHANGED, CHANGED, (["store running-config: +1 -0 lines; startup-config: +1 -0 lines"], "")),
        (CONFIG, CONFIG, CHANGED, ([
            "store startup-config: +1 -0 lines; unsaved changes (running-config differs from "
            "startup-config)"], "")),
    ],
)
def test_backup_plan_of_a_switch(project: Project, stored, running, startup, expected) -> None:
    if stored:
        _store_with(project, SWITCH, stored)
    facts = {(RUNNING_CONFIG,): running, (STARTUP_CONFIG,): startup}
    plan = plan_of(BackupAction(), SWITCH, facts, project)
    assert summary(plan) == expected
    assert plan.payload.running_equals_startup is (running == startup)


@pytest.mark.parametrize("running, reason", [
    ("", "empty output"),
    ("hostname sw-01\ninterface Gi0/1\n", "no end marker"),
])
def test_backup_refuses_a_bad_capture(project: Project, running: str, reason: str) -> None:
    with pytest.raises(HostFailure) as caught:
        plan_of(BackupAction(), SWITCH, {(RUNNING_CONFIG,): running, (STARTUP_CONFIG,): CONFIG}, project)
    assert caught.value.kind is ErrorKind.INVALID_OUTPUT and reason in caught.value.message


def _collection(files: dict[str, bytes]) -> Collection:
    collected = Collected(files={p: (data, "644") for p, data in files.items()}, complete=True)
    return Collection(collected, CommandResult("script", 0, "", "", 0.0))


@pytest.mark.parametrize(
    "stored, now, expected",
    [
        (None, b"listen 80\n", (["store new backup (1 file(s))"], "")),
        (b"listen 80\n", b"listen 80\n", ([], "unchanged")),  # the no-op
        (b"listen 80\n", b"listen 8080\n", (["store files/etc/app.conf: +1 -1 lines"], "")),
    ],
)
def test_backup_plan_of_a_server(project: Project, stored, now, expected) -> None:
    action = BackupAction(commands={})
    if stored is not None:  # a backup made by the action itself: plan, apply, commit
        run = RunSettings(project=project, operator="tester")
        action.begin(run)
        facts = GivenFacts({(COLLECTION, ("/etc/app.conf",), ()): _collection({"/etc/app.conf": stored})})
        ctx = Context(SERVER, run, facts, "backup")
        action.apply(ctx, action.plan(ctx))
        action.end(run, [])
    facts = {(COLLECTION, ("/etc/app.conf",), ()): _collection({"/etc/app.conf": now})}
    assert summary(plan_of(action, SERVER, facts, project)) == expected


# --- restore ------------------------------------------------------------------------------


def _backed_up_server(project: Project, content: bytes) -> str:
    store = BackupStore(project.backups_dir)
    with store.begin_run("R0", "tester") as txn:
        txn.stage(SERVER, {"files/etc/app.conf": content}, {"platform": "linux", "modes": {"/etc/app.conf": "640"}})
        return txn.commit() or ""


@pytest.mark.parametrize(
    "now, expected",
    [
        ({"/etc/app.conf": b"listen 80\n"}, ([], "all 1 file(s) match backup {rev}")),  # the no-op
        ({"/etc/app.conf": b"listen 8080\n"}, (["restore /etc/app.conf from backup {rev}"], "")),
        ({}, (["restore /etc/app.conf from backup {rev}"], "")),  # gone from the host
    ],
)
def test_restore_plan(project: Project, now: dict, expected) -> None:
    rev = _backed_up_server(project, b"listen 80\n")[:12]
    action = RestoreServer(BackupStore(project.backups_dir))
    plan = plan_of(action, SERVER, {(COLLECTION, ("/etc/app.conf",)): _collection(now)}, project)
    descriptions, reason = expected
    assert summary(plan) == ([d.format(rev=rev) for d in descriptions], reason.format(rev=rev))
    if plan.changes:
        assert "+listen 80" in plan.changes[0].diff


# --- hostkeys trust -----------------------------------------------------------------------

def _keys() -> tuple[paramiko.PKey, paramiko.PKey]:
    return paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()


@pytest.mark.parametrize("known, expected", [("none", "record"), ("same", "no-op"), ("other", "refused")])
def test_hostkeys_trust_plan(project: Project, known: str, expected: str) -> None:
    key, other = _keys()
    known_hosts = project.state_dir / "known_hosts"
    known_hosts.parent.mkdir(parents=True)
    known_hosts.touch()
    if known != "none":
        trust(known_hosts, SERVER, key if known == "same" else other)
    shown = f"{key.get_name()} {fingerprint(key)}"
    facts = {(HOST_KEY, str(known_hosts)): key}
    if expected == "refused":
        with pytest.raises(HostFailure) as caught:
            plan_of(TrustHostKey(known_hosts), SERVER, facts, project)
        assert caught.value.kind is ErrorKind.HOSTKEY_CHANGED
        assert caught.value.message.startswith(f"REFUSED: key changed, now {shown}")
        return
    plan = plan_of(TrustHostKey(known_hosts), SERVER, facts, project)
    if expected == "record":
        assert summary(plan) == ([f"record {shown}"], "")
    else:
        assert summary(plan) == ([], f"already trusted {shown}")


# --- audit (read-only: what it reads -> the outcome) --------------------------------------


@pytest.mark.parametrize("backed_up, status", [(False, Status.SKIPPED), (True, Status.OK)])
def test_audit_outcome(project: Project, backed_up: bool, status: Status) -> None:
    if backed_up:
        _store_with(project, SWITCH, CONFIG)
    action = AuditAction(pack=load_pack(REPO / "rules" / "th-baseline.yaml"), save=False)
    run = RunSettings(project=project)
    outcome = action.read(Context(SWITCH, run, GivenFacts({}), "audit"))
    assert outcome.status is status
    assert (outcome.message == NO_BACKUP) is (not backed_up)
