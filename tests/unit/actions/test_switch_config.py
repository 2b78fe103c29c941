"""switch_config and the switch restore: plans as data (running-config + arguments -> the exact
commands, with the no-op case), and apply through the engine's driver against an in-process
simulated switch (real answers, no SSH): pre-change backup, verify, save, rollback."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from ictops.actions.restore import RestoreSwitch
from ictops.actions.switch_config import Args, SwitchConfig, build, validate
from ictops.backup.store import BackupStore
from ictops.connections.base import SessionError
from ictops.errors import InputError
from ictops.facts import RUNNING_CONFIG, STARTUP_CONFIG
from ictops.inventory import load_inventory
from ictops.inventory.host import Host, Timeouts
from ictops.project import Project
from ictops.results import ErrorKind, HostFailure, Status
from ictops.switchconfig import normalised_equal
from tests.drive import drive
from tests.unit.actions.test_plans import plan_of, summary
from tests.unit.switchconfig.sim import SimSession, SimSwitch

IOS = Host(name="sw-ios", hostname="127.0.0.1", platform_name="cisco_ios", site="school",
           data={"log_server": "10.20.0.11"})
VRP = Host(name="sw-vrp", hostname="127.0.0.1", platform_name="huawei_vrp", site="school",
           data={"log_server": "10.20.0.11"})
HOSTS = {"cisco_ios": IOS, "huawei_vrp": VRP}
THAI_NTP = {
    "cisco_ios": ["ntp server time1.nimt.or.th", "ntp server time.navy.mi.th"],
    "huawei_vrp": ["ntp-service unicast-server time1.nimt.or.th",
                   "ntp-service unicast-server time.navy.mi.th"],
}
# NTP from the Thai time sources, the office's log host (from host data) and a guest VLAN
CHANGE = {
    "cisco_ios": [*THAI_NTP["cisco_ios"], "logging host {{ data.log_server }}", "vlan 40",
                  " name GUEST"],
    "huawei_vrp": [*THAI_NTP["huawei_vrp"], "info-center loghost {{ data.log_server }}",
                   "vlan batch 40"],
}
# what the typical lab switch needs for it, in the order sent
EXPECTED = {
    "cisco_ios": ["no logging host 10.20.0.10", "ntp server time1.nimt.or.th",
                  "logging host 10.20.0.11", "vlan 40", " name GUEST", " exit"],
    "huawei_vrp": ["undo info-center loghost 10.20.0.10",
                   "ntp-service unicast-server time1.nimt.or.th",
                   "info-center loghost 10.20.0.11", "vlan batch 40"],
}
FEATURES = ("ntp", "logging", "vlan")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def _action(platform: str, lines: list[str] | None = None, **kw: Any) -> SwitchConfig:
    return SwitchConfig(lines=tuple(lines or CHANGE[platform]), features=FEATURES, **kw)


def _facts(switch: SimSwitch) -> dict:
    session = SimSession(switch)
    return {(RUNNING_CONFIG,): switch.running(), (STARTUP_CONFIG,): session.startup_config()}


# --- plans as data ----------------------------------------------------------------------------


@pytest.mark.parametrize("platform", sorted(HOSTS))
def test_plan_is_the_exact_ordered_commands(project: Project, platform: str) -> None:
    plan = plan_of(_action(platform), HOSTS[platform], _facts(SimSwitch(platform)), project)
    assert list(plan.payload.commands) == EXPECTED[platform]
    count = len(EXPECTED[platform])
    assert summary(plan) == ([f"send {count} configuration command(s) (ntp, logging, vlan)"], "")
    shown = [line[1:] for line in plan.changes[0].diff.splitlines()[2:]]
    assert shown == EXPECTED[platform]


@pytest.mark.parametrize("platform", sorted(HOSTS))
def test_the_no_op_plan_says_why(project: Project, platform: str) -> None:
    switch = SimSwitch(platform)
    assert switch.push(EXPECTED[platform]) == []
    plan = plan_of(_action(platform, save=True), HOSTS[platform], _facts(switch), project)
    assert plan.empty and plan.reason == "ntp, logging, vlan already as the lines given"


def test_save_is_a_change_of_its_own(project: Project) -> None:
    plan = plan_of(_action("cisco_ios", save=True), IOS, _facts(SimSwitch("cisco_ios")), project)
    assert summary(plan)[0][1] == "save the running-config to the startup-config after verify"


def test_only_the_features_named_are_touched(project: Project) -> None:
    """ntp alone: the VLANs and the logging host the lines do not mention stay."""
    plan = plan_of(SwitchConfig(lines=tuple(THAI_NTP["cisco_ios"]), features=("ntp",)), IOS,
                   _facts(SimSwitch("cisco_ios")), project)
    assert list(plan.payload.commands) == ["ntp server time1.nimt.or.th"]


@pytest.mark.parametrize(
    "lines, features, message",
    [
        (["hostname X"], ("ntp",), "line 'hostname X' is in none of the features named (ntp)"),
        (["logging host {{ data.syslog }}"], ("logging",), "host 'sw-ios' has no value for 'syslog'"),
    ],
)
def test_a_plan_that_cannot_be_made_fails_the_host(project: Project, lines, features, message) -> None:
    with pytest.raises(HostFailure) as caught:
        plan_of(SwitchConfig(lines=tuple(lines), features=features), IOS,
                _facts(SimSwitch("cisco_ios")), project)
    assert caught.value.kind is ErrorKind.CONFIG_ERROR and message in caught.value.message


def test_a_server_is_refused(project: Project) -> None:
    server = Host(name="srv", hostname="127.0.0.1", platform_name="linux")
    with pytest.raises(HostFailure, match="srv is not a switch"):
        plan_of(_action("cisco_ios"), server, {}, project)


@pytest.mark.parametrize(
    "args, message",
    [
        ({}, "give the intended config as lines:, template: or golden: true (one of them)"),
        ({"template": "templates/switch/cisco_ios.j2", "golden": True}, "one of them"),
        ({"lines": ["ntp server x"], "template": "templates/switch/cisco_ios.j2"}, "one of them"),
        ({"lines": [" "]}, "lines: is empty"),
        ({"template": "templates/switch/nope.j2"}, "no template templates/switch/nope.j2"),
        ({"template": "../etc/passwd"}, "must be a file under templates/"),
        ({"lines": ["ntp server x"], "features": ["ntpd"]}, "unknown feature 'ntpd'; known: aaa"),
    ],
)
def test_arguments_are_checked_when_the_playbook_loads(project: Project, args, message) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate(Args(**args), project)


def test_a_template_renders_with_the_hosts_data(project: Project) -> None:
    (project.templates_dir / "switch").mkdir(parents=True)
    (project.templates_dir / "switch" / "log.j2").write_text("logging host {{ data.log_server }}\n")
    action = build(Args(template="templates/switch/log.j2", features=["logging"]), project)
    plan = plan_of(action, IOS, _facts(SimSwitch("cisco_ios")), project)
    assert list(plan.payload.commands) == ["no logging host 10.20.0.10", "logging host 10.20.0.11"]


# --- apply: pre-change backup, verify, save, rollback ------------------------------------------


def _apply(project: Project, host: Host, action: Any, session: Any, *, check: bool = False):
    result = drive(project, action, [host], {host.name: lambda: _open(session)},
                   check=check).results[0]
    return result


def _open(session: SimSession) -> SimSession:
    return session.reopen() if session.dropped else session


@pytest.mark.parametrize("platform", sorted(HOSTS))
def test_changed_then_ok_saved_and_backed_up_first(project: Project, platform: str) -> None:
    switch = SimSwitch(platform)
    session = SimSession(switch)
    before = switch.running()
    host = HOSTS[platform]
    first = _apply(project, host, _action(platform, save=True), session)
    assert first.status is Status.CHANGED, first.message
    assert session.sent[1:-1] == EXPECTED[platform]  # config mode, the commands, out again
    assert first.payload.verified is True and first.payload.saved is True
    assert "logging host 10.20.0.11" in session.startup_config().replace("info-center loghost", "logging host")
    stored = BackupStore(project.backups_dir)
    assert first.payload.backup == stored.latest(host).rev
    assert normalised_equal(platform, stored.show(host, first.payload.backup, masked=False), before)

    again = _apply(project, host, _action(platform, save=True), session)
    assert (again.status, again.message) == (Status.OK, "ntp, logging, vlan already as the lines given")


@pytest.mark.parametrize("platform", sorted(HOSTS))
def test_check_mode_sends_nothing_and_commits_nothing(project: Project, platform: str) -> None:
    switch = SimSwitch(platform)
    session = SimSession(switch)
    before = switch.running()
    result = _apply(project, HOSTS[platform], _action(platform, save=True), session, check=True)
    assert result.status is Status.CHANGED and result.message.startswith("check: would send")
    assert session.sent == [] and switch.running() == before
    assert not project.backups_dir.exists()


BAD = {"cisco_ios": "ntp sever 1.2.3.4", "huawei_vrp": "ntp-service unicst-server 1.2.3.4"}


@pytest.mark.parametrize("platform", sorted(HOSTS))
def test_a_refused_line_rolls_back_to_the_backup(project: Project, platform: str) -> None:
    switch = SimSwitch(platform)
    session = SimSession(switch)
    before, saved = switch.running(), session.startup_config()
    action = _action(platform, [*CHANGE[platform], BAD[platform]], save=True)
    result = _apply(project, HOSTS[platform], action, session)
    assert (result.status, result.error_kind) == (Status.FAILED, ErrorKind.COMMAND_FAILED)
    assert f"device refused '{BAD[platform]}'" in result.message
    assert "rolled back to the pre-change backup" in result.message and "verified" in result.message
    assert normalised_equal(platform, before, switch.running())
    data = result.payload
    assert data.sent[-1] == BAD[platform] and data.rollback.verified and data.saved is False
    assert session.startup_config() == saved


def test_a_dropped_connection_reconnects_and_rolls_back(project: Project) -> None:
    switch = SimSwitch("cisco_ios")
    session = SimSession(switch, drop_after=3)
    before = switch.running()
    result = _apply(project, IOS, _action("cisco_ios"), session)
    assert (result.status, result.error_kind) == (Status.FAILED, ErrorKind.CONNECTION_LOST)
    assert session.opened == 2  # a new connection for the rollback
    assert result.payload.sent == tuple(EXPECTED["cisco_ios"][:3])  # the 3rd may have been applied
    assert result.payload.rollback.verified and normalised_equal("cisco_ios", before, switch.running())


def test_verify_fails_when_the_device_did_not_do_it(project: Project) -> None:
    """The device answers a line without error but does not apply it: not saved, rolled back."""
    switch = SimSwitch("huawei_vrp")
    session = SimSession(switch, ignore=("info-center loghost 10.20.0.11",))
    before = switch.running()
    result = _apply(project, VRP, _action("huawei_vrp", save=True), session)
    assert result.error_kind is ErrorKind.COMMAND_FAILED
    assert result.message.startswith("verify failed: 1 command(s) still to do after the push "
                                     "(first: 'info-center loghost 10.20.0.11'); rolled back")
    assert result.payload.verified is False and result.payload.saved is False
    assert normalised_equal("huawei_vrp", before, switch.running())


def test_a_failed_save_rolls_back(project: Project) -> None:
    switch = SimSwitch("cisco_ios")
    before = switch.running()
    result = _apply(project, IOS, _action("cisco_ios", save=True), SimSession(switch, refuse_save=True))
    assert result.error_kind is ErrorKind.COMMAND_FAILED and "saving failed" in result.message
    assert result.payload.verified is True and result.payload.rollback.verified
    assert normalised_equal("cisco_ios", before, switch.running())


def test_a_device_gone_for_good_is_rollback_failed(project: Project) -> None:
    switch = SimSwitch("cisco_ios")
    session = SimSession(switch, drop_after=2)
    gone = SessionError(ErrorKind.UNREACHABLE, "127.0.0.1:22: connection refused")
    opens = iter([session])
    host = dataclasses.replace(IOS, timeouts=Timeouts(command=1))
    result = drive(project, _action("cisco_ios"), [host],
                   {host.name: lambda: next(opens, gone)}).results[0]
    assert (result.status, result.error_kind) == (Status.FAILED, ErrorKind.ROLLBACK_FAILED), result.message
    assert result.message.startswith("NOT ROLLED BACK: sim closed the connection; then "
                                     "127.0.0.1:22: connection refused. sw-ios may be half-changed")
    assert "its running-config could not be read" in result.message
    assert result.payload.rollback.verified is False and result.payload.kept is None


def test_a_rollback_that_does_not_converge_keeps_the_running_config(project: Project) -> None:
    """The device ignores the line that would undo the change: the running-config as it is
    is kept aside (mode 0600) and the host is rollback_failed."""
    switch = SimSwitch("cisco_ios")
    session = SimSession(switch, ignore=("no ntp server time1.nimt.or.th",))
    lines = [*CHANGE["cisco_ios"], BAD["cisco_ios"]]
    result = _apply(project, IOS, _action("cisco_ios", lines), session)
    assert result.error_kind is ErrorKind.ROLLBACK_FAILED
    assert "the running-config still differs from the pre-change backup" in result.message
    kept = project.root / result.payload.kept
    assert "ntp server time1.nimt.or.th" in kept.read_text()
    assert oct(os.stat(kept).st_mode & 0o777) == "0o600"


# --- restore of a switch --------------------------------------------------------------------


def test_restore_plans_the_revision_over_every_feature(project: Project) -> None:
    switch = SimSwitch("huawei_vrp")
    session = SimSession(switch)
    first = _apply(project, VRP, _action("huawei_vrp"), session)
    assert first.status is Status.CHANGED
    store = BackupStore(project.backups_dir)
    restore = RestoreSwitch(store, first.payload.backup)
    plan = plan_of(restore, VRP, _facts(switch), project)
    assert summary(plan)[0][0].startswith("send 4 configuration command(s) (all ")
    assert list(plan.payload.commands) == ["undo vlan batch 40", "undo info-center loghost 10.20.0.11",
                                           "undo ntp-service unicast-server time1.nimt.or.th",
                                           "info-center loghost 10.20.0.10"]
    back = _apply(project, VRP, RestoreSwitch(store, first.payload.backup), session)
    assert back.status is Status.CHANGED and "verified" in back.message
    noop = plan_of(RestoreSwitch(store, first.payload.backup), VRP, _facts(switch), project)
    assert noop.empty and noop.reason.startswith("all ") and "already as backup" in noop.reason


def test_a_restore_cut_half_way_goes_back_to_the_config_before_the_restore(
        project: Project) -> None:
    """The rollback of a restore is to its own pre-change backup (the config as it was before
    the restore), not to the revision being restored."""
    switch = SimSwitch("huawei_vrp")
    first = _apply(project, VRP, _action("huawei_vrp"), SimSession(switch))
    assert first.status is Status.CHANGED
    changed = switch.running()
    store = BackupStore(project.backups_dir)
    session = SimSession(switch, drop_after=2)  # of the 4 restore commands, 2 get in
    back = _apply(project, VRP, RestoreSwitch(store, first.payload.backup), session)
    assert (back.status, back.error_kind) == (Status.FAILED, ErrorKind.CONNECTION_LOST), back.message
    assert "rolled back to the pre-change backup" in back.message and "verified" in back.message
    assert back.payload.backup != first.payload.backup  # the pre-restore config, committed
    assert back.payload.rollback.verified and session.opened == 2
    assert normalised_equal("huawei_vrp", changed, switch.running())
    assert normalised_equal("huawei_vrp", store.show(VRP, back.payload.backup, masked=False),
                            changed)


def test_the_rollback_undoes_what_the_device_did_beyond_the_features(project: Project) -> None:
    """``aaa new-model`` makes IOS drop ``login local`` from the vty lines (feature vty): the
    rollback covers every feature, so the vty lines get it back."""
    switch = SimSwitch("cisco_ios")
    before = switch.running()
    action = SwitchConfig(lines=("aaa new-model", "aaa authentication login default local",
                                 "aaa authorization exex default local"), features=("aaa",))
    result = _apply(project, IOS, action, SimSession(switch))
    assert result.error_kind is ErrorKind.COMMAND_FAILED, result.message
    assert " login local" in result.payload.rollback.commands
    assert normalised_equal("cisco_ios", before, switch.running())


@pytest.mark.parametrize("platform", sorted(HOSTS))
def test_merge_adds_and_keeps_the_rest_of_the_features(project: Project, platform: str) -> None:
    """merge: true: the log host is added, the one the switch has stays (replaced otherwise)."""
    lines = [CHANGE[platform][2]]
    replace = plan_of(SwitchConfig(lines=tuple(lines)), HOSTS[platform],
                      _facts(SimSwitch(platform)), project)
    merge = plan_of(SwitchConfig(lines=tuple(lines), merge=True), HOSTS[platform],
                    _facts(SimSwitch(platform)), project)
    added = EXPECTED[platform][2]
    assert list(replace.payload.commands) == [EXPECTED[platform][0], added]
    assert list(merge.payload.commands) == [added]
    assert merge.changes[0].description == "send 1 configuration command(s) (logging)"


def test_golden_uses_each_hosts_template(project: Project) -> None:
    """golden: true is what `ictops audit golden` compares: templates/switch/<platform>.j2."""
    repo = Path(__file__).resolve().parents[3]
    inventory = load_inventory(repo / "inventory", repo)
    project = Project.at(repo)  # check mode: nothing is written to it
    for name in ("phukhieo-sw-core", "phukhieo-sw-lab"):
        host = inventory.hosts[name]
        switch = SimSwitch(host.platform_name, "typical", name.upper())
        plan = plan_of(build(Args(golden=True), project), host, _facts(switch), project, check=True)
        assert not plan.empty and "vlan" in plan.payload.features
        stray = ("no vlan", "undo vlan", "hostname", "sysname")
        assert not [c for c in plan.payload.commands if c.startswith(stray)]


def test_an_empty_intended_config_changes_nothing(project: Project) -> None:
    """A template with no line for a platform would remove its features: refused."""
    with pytest.raises(HostFailure, match="the lines given has no line for sw-ios: nothing was"):
        plan_of(SwitchConfig(lines=("{% if false %}ntp server x{% endif %}",), features=("ntp",)),
                IOS, _facts(SimSwitch("cisco_ios")), project)


def test_hosts_in_parallel_each_get_the_commit_that_holds_their_backup(project: Project) -> None:
    """Pre-change backups are committed in groups (whoever commits takes every host staged
    so far): each host's revision holds its own config as it was."""
    hosts, sessions, before = [], {}, {}
    for i in range(8):
        platform = sorted(HOSTS)[i % 2]
        host = dataclasses.replace(HOSTS[platform], name=f"sw-{i}")
        switch = SimSwitch(platform, hostname=f"SW-{i}")
        hosts.append(host)
        sessions[host.name] = SimSession(switch)
        before[host.name] = switch.running()
    action = SwitchConfig(lines=(("{% if platform == 'cisco_ios' %}logging host 10.9.9.9"
                                  "{% else %}info-center loghost 10.9.9.9{% endif %}"),), merge=True)
    results = drive(project, action, hosts, sessions).results
    assert {r.status for r in results} == {Status.CHANGED}
    store = BackupStore(project.backups_dir)
    for r in results:
        platform = next(h.platform_name for h in hosts if h.name == r.host)
        stored = store.show(r.host, r.payload.backup, masked=False)
        assert normalised_equal(platform, stored, before[r.host]), r.host
    # one commit per group, at most one per host (and the store's own first commit)
    runs = [s for s in store.git.text("log", "--format=%s").splitlines()
            if not s.startswith("ictops backup store created")]
    assert 1 <= len(runs) <= 8, runs
