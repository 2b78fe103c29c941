"""template, copy, service and cmd (changed_when, creates) as data: (facts, arguments) ->
the plan, with their no-op cases; what applying runs, from recorded command outputs."""

from __future__ import annotations

import subprocess

import pytest
from pydantic import ValidationError

from ictops.actions import command, copy, service, template
from ictops.connections.base import CommandResult
from ictops.errors import InputError
from ictops.facts import FILE, PATH_EXISTS, SERVICE, FileState, ServiceState
from ictops.results import HostFailure, Status
from tests.unit.actions.given import GivenFacts, Server, context, plan_of, project_at, words

CONF = "/etc/app.conf"
OLD = b"greeting = hello\n"


def existing(content: bytes = OLD, mode: str = "644", owner: str = "root") -> FileState:
    return FileState(CONF, True, True, mode, owner, "root", len(content), content)


@pytest.fixture
def project(tmp_path):
    p = project_at(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "app.conf.j2").write_text("greeting = hello from {{ site }}\n")
    return p


@pytest.mark.parametrize("args, now, expected", [
    ({}, FileState(CONF, False), ([f"create {CONF} (1 lines from templates/app.conf.j2)"], "")),
    ({"mode": "0600", "owner": "app"}, FileState(CONF, False),
     ([f"create {CONF} (1 lines from templates/app.conf.j2; owner app, mode 0600)"], "")),
    ({}, existing(b"greeting = hello from office\n"), ([], f"file unchanged: {CONF}")),
    ({"mode": "0644"}, existing(b"greeting = hello from office\n"), ([], f"file unchanged: {CONF}")),
    ({}, existing(), ([f"update {CONF} from templates/app.conf.j2 (+1 -1 lines)"], "")),
    ({"mode": "0600", "owner": "app"}, existing(b"greeting = hello from office\n"),
     ([f"set the owner of {CONF}: root -> app", f"set the mode of {CONF}: 0644 -> 0600"], "")),
])
def test_template_plan(project, args, now, expected) -> None:
    action = template.build(template.Args(src="templates/app.conf.j2", dest=CONF, **args), project)
    plan = plan_of(action, GivenFacts({(FILE, CONF): now}), project)
    assert words(plan) == expected


def test_template_diff_is_unified(project) -> None:
    action = template.build(template.Args(src="templates/app.conf.j2", dest=CONF), project)
    plan = plan_of(action, GivenFacts({(FILE, CONF): existing()}), project)
    assert plan.diff == (f"--- {CONF}\n+++ {CONF} (templates/app.conf.j2)\n@@ -1 +1 @@\n"
                         "-greeting = hello\n+greeting = hello from office\n")


def test_template_undefined_on_a_host_names_the_file_and_line(project, tmp_path) -> None:
    (tmp_path / "templates" / "two.j2").write_text("a\nb = {{ missing_key }}\n")
    action = template.build(template.Args(src="templates/two.j2", dest=CONF), project)
    with pytest.raises(HostFailure, match=r"templates/two.j2:2: 'missing_key' is undefined"):
        plan_of(action, GivenFacts({(FILE, CONF): existing()}), project)


@pytest.mark.parametrize("args, error", [
    ({"src": "templates/nope.j2", "dest": CONF}, "template not found: templates/nope.j2"),
    ({"src": "templates/app.conf.j2", "dest": CONF}, "uses 'site', which no host data"),
])
def test_template_load_time_checks(project, args, error) -> None:
    with pytest.raises(InputError, match=error):
        template.validate(template.Args(**args), project, {"name", "hostname"})


@pytest.mark.parametrize("args, error", [
    ({"dest": "etc/app.conf"}, "must be an absolute file path"),
    ({"dest": "/etc/../shadow"}, "must not contain . or .."),
    ({"dest": CONF, "mode": 644}, "write it quoted"),
    ({"dest": CONF, "validate": "sshd -t"}, "must name the file to check as %s"),
    ({"dest": CONF, "owner": "a b"}, "is not a user or group name"),
])
def test_file_arguments_refused(args, error) -> None:
    with pytest.raises(ValidationError, match=error):
        template.Args(src="templates/app.conf.j2", **args)


def test_copy_needs_one_source() -> None:
    with pytest.raises(ValidationError, match="exactly one of content"):
        copy.Args(dest=CONF)
    with pytest.raises(ValidationError, match="exactly one of content"):
        copy.Args(dest=CONF, content="x", src="files/x")


def test_copy_plan_and_noop(project) -> None:
    action = copy.build(copy.Args(dest=CONF, content="greeting = hello\n"), project)
    assert words(plan_of(action, GivenFacts({(FILE, CONF): existing()}), project)) == (
        [], f"file unchanged: {CONF}")
    assert words(plan_of(action, GivenFacts({(FILE, CONF): existing(b"x\n")}), project)) == (
        [f"update {CONF} from content (+1 -1 lines)"], "")


def test_apply_keeps_the_previous_version_then_writes_with_validate(project, tmp_path) -> None:
    server = Server()
    action = template.build(template.Args(src="templates/app.conf.j2", dest=CONF, mode="0640",
                                          validate="check -f %s"), project)
    ctx = context(action, GivenFacts({(FILE, CONF): existing()}, server), project)
    outcome = action.apply(ctx, action.plan(ctx))
    assert outcome.status is Status.CHANGED
    assert server.stdins[-1] == b"greeting = hello from office\n"
    assert server.commands[-1].endswith(f"ictops-write {CONF} '' '' 640 'check -f \"$ICTOPS_FILE\"'")
    kept = outcome.payload.kept
    assert kept and f"kept in backup commit {kept[:12]}" in outcome.message
    shown = subprocess.run(["git", "-C", str(tmp_path / "state" / "backups"), "show",
                            f"{kept}:office/srv-01/files/etc/app.conf"], capture_output=True)
    assert shown.stdout == OLD


def test_write_script_validates_before_the_rename(tmp_path) -> None:
    """The upload script itself, run by a local sh: a refused file never replaces the old one,
    and no temporary file is left beside it."""
    from ictops.actions.files import _WRITE

    dest = tmp_path / "app.conf"
    dest.write_text("old\n")
    for check, code in (("grep -q good \"$ICTOPS_FILE\"", 4), ("grep -q new \"$ICTOPS_FILE\"", 0)):
        done = subprocess.run(["sh", "-c", _WRITE, "w", str(dest), "", "", "600", check],
                              input=b"new\n", capture_output=True)
        assert done.returncode == code, done.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["app.conf"]
    assert dest.read_text() == "new\n" and oct(dest.stat().st_mode & 0o777) == "0o600"


# --- service ------------------------------------------------------------------------------

SYSV_UP = ServiceState("app", "sysv", True, True)
SYSV_DOWN = ServiceState("app", "sysv", False, False)


@pytest.mark.parametrize("args, now, expected", [
    ({"state": "started"}, SYSV_UP, ([], "app already running")),
    ({"state": "started", "enabled": True}, SYSV_UP, ([], "app already running and started at boot")),
    ({"state": "stopped"}, SYSV_DOWN, ([], "app already stopped")),
    ({"enabled": False}, SYSV_DOWN, ([], "app already not started at boot")),
    ({"state": "started", "enabled": True}, SYSV_DOWN, (["start app (sysv)", "enable app (sysv)"], "")),
    ({"state": "stopped"}, SYSV_UP, (["stop app (sysv)"], "")),
    ({"state": "restarted"}, SYSV_UP, (["restart app (sysv)"], "")),
    ({"state": "reloaded"}, SYSV_UP, (["reload app (sysv)"], "")),
    ({"state": "reloaded"}, SYSV_DOWN, (["start app (sysv)"], "")),
])
def test_service_plan(project, args, now, expected) -> None:
    action = service.build(service.Args(name="app", **args), project)
    assert words(plan_of(action, GivenFacts({(SERVICE, "app"): now}), project)) == expected


def out(stdout: str, code: int = 0) -> CommandResult:
    return CommandResult("x", code, stdout, "", 0.0)


def test_systemd_path_from_recorded_outputs(project) -> None:
    """Where systemd is PID 1: the fact's answer as a Debian 12 host gives it, and the
    systemctl commands applying runs."""
    before = SERVICE.parse(out("systemd\ninactive\ndisabled\n", 0), "nginx")
    after = SERVICE.parse(out("systemd\nactive\nenabled\n", 0), "nginx")
    assert before == ServiceState("nginx", "systemd", False, False)
    states = iter([before, after])
    server = Server()
    action = service.build(service.Args(name="nginx", state="started", enabled=True), project)
    facts = GivenFacts({(SERVICE, "nginx"): lambda: next(states)}, server)
    ctx = context(action, facts, project)
    outcome = action.apply(ctx, action.plan(ctx))
    assert server.commands == ["systemctl start -- nginx", "systemctl enable -- nginx"]
    assert outcome.message == "nginx started, enabled at boot"


def test_sysv_path_commands_and_a_start_that_did_not_stick(project) -> None:
    server = Server()
    action = service.build(service.Args(name="app", state="started", enabled=True), project)
    ctx = context(action, GivenFacts({(SERVICE, "app"): SYSV_DOWN}, server), project)
    with pytest.raises(HostFailure, match="app is not running after start, enable"):
        action.apply(ctx, action.plan(ctx))
    assert server.commands == ["service app start", "update-rc.d app enable"]


def test_service_needs_something_to_do() -> None:
    with pytest.raises(ValidationError, match="say what to do"):
        service.Args(name="app")


# --- cmd: creates, changed_when -------------------------------------------------------------

@pytest.mark.parametrize("args, exists, output, status", [
    ({"creates": "/opt/app/installed"}, True, "", None),  # not run at all
    ({"creates": "/opt/app/installed"}, False, "done\n", Status.CHANGED),
    ({"changed_when": True}, None, "", Status.CHANGED),
    ({"changed_when": "^installed "}, None, "installed app 1.0\n", Status.CHANGED),
    ({"changed_when": "^installed "}, None, "nothing to do\n", Status.OK),
    ({}, None, "done\n", Status.OK),
])
def test_cmd_changed_when_and_creates(project, args, exists, output, status) -> None:
    action = command.build(command.Args(command="./install.sh", **args), project)
    server = Server(lambda c: output)
    facts = GivenFacts({} if exists is None else {(PATH_EXISTS, "/opt/app/installed"): exists}, server)
    ctx = context(action, facts, project)
    plan = action.plan(ctx)
    if status is None:
        assert words(plan) == ([], "/opt/app/installed exists (creates): not run")
        return
    assert action.apply(ctx, plan).status is status


def test_cmd_arguments_refused() -> None:
    with pytest.raises(ValidationError, match="not a regular expression"):
        command.Args(command="x", changed_when="(")
    with pytest.raises(ValidationError, match="must be an absolute path"):
        command.Args(command="x", creates="tmp/x")
    with pytest.raises(ValidationError, match="not with changes: false"):
        command.Args(command="x", changes=False, changed_when=True)
