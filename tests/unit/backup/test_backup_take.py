"""Per-host backup and restore, through the engine, over fake sessions (switch) and a local
shell (server)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from backup_fakes import FakeSwitch, LocalServer, commits, corpus, server_host, switch_host

from ictops.actions.backup import BackupAction
from ictops.actions.restore import RestoreServer
from ictops.backup.commands import CommandSpec, Need
from ictops.backup.store import BackupStore
from ictops.connections.base import SessionError
from ictops.project import Project
from ictops.results import ErrorKind, Status
from tests.drive import drive

IOS_RAW = corpus("cisco_ios/oxidized-c9200l-24p.cfg")


def _project(store: BackupStore) -> Project:
    return Project.at(store.path.parent.parent)  # the store is <project>/state/backups


def _switch_run(store: BackupStore, session: FakeSwitch, run: str, **kwargs):
    host = switch_host()
    action = BackupAction(store=store, **kwargs)
    return drive(_project(store), action, [host], {host.name: session}, run_id=run).results[0]


def test_switch_backup_changed_then_ok(store: BackupStore) -> None:
    session = FakeSwitch(IOS_RAW)
    first = _switch_run(store, session, "r1")
    assert first.status is Status.CHANGED
    assert first.message.startswith(f"stored in {commits_revs(store)[0][:12]}: new backup")
    assert first.payload.running_equals_startup is True
    second = _switch_run(store, session, "r2")
    assert second.status is Status.OK and second.message == "unchanged"
    session.running = IOS_RAW.replace(
        "hostname LAB-SW123_9200L", "hostname LAB-SW123_9200L\nip domain name lab"
    )
    third = _switch_run(store, session, "r3")
    assert third.status is Status.CHANGED
    assert third.message == (
        f"stored in {commits_revs(store)[0][:12]}: running-config: +1 -0 lines; unsaved changes "
        "(running-config differs from startup-config)"
    )
    assert "+ip domain name lab" in third.diff and "SECRET_ENABLE" not in third.diff
    assert store.meta("sw-01")["running_equals_startup"] is False
    assert len(commits(store)) == 3


@pytest.mark.parametrize(
    "broken,reason",
    [
        ("", "empty output"),
        ("\n".join(IOS_RAW.splitlines()[:120]), "no end marker"),
        # 3,000 random bytes followed by `end` (issue 8 item 7) and text that is not IOS
        (random.Random(7).randbytes(3000).decode("utf-8", "replace") + "\nend\n", "not text"),
        ("hostname sw-01\n" + "lorem ipsum dolor\n" * 200 + "end\n", "does not look like"),
    ],
)
def test_switch_bad_output_keeps_last_good(store: BackupStore, broken: str, reason: str) -> None:
    session = FakeSwitch(IOS_RAW)
    _switch_run(store, session, "r1")
    good = (store.host_dir("sw-01") / "running-config.txt").read_text()
    session.running = broken
    result = _switch_run(store, session, "r2")
    assert result.status is Status.FAILED and result.error_kind is ErrorKind.INVALID_OUTPUT
    assert reason in result.message
    assert (store.host_dir("sw-01") / "running-config.txt").read_text() == good
    assert len(commits(store)) == 2
    assert "last_failure" in store.status()["sw-01"]


def test_switch_shrink_is_quarantined(store: BackupStore) -> None:
    session = FakeSwitch(IOS_RAW)
    _switch_run(store, session, "r1")
    lines = IOS_RAW.splitlines()
    session.running = "\n".join(lines[:60] + ["end"]) + "\n"
    result = _switch_run(store, session, "r2")
    assert result.status is Status.FAILED and "shrank from" in result.message
    quarantined = list((store.quarantine_dir / "sw-01").glob("*-running-config.txt"))
    assert len(quarantined) == 1 and quarantined[0].with_suffix(".reason").exists()
    assert len(commits(store)) == 2
    accepted = _switch_run(store, session, "r3", accept_shrink=True)
    assert accepted.status is Status.CHANGED


def test_switch_session_failure_is_a_result(store: BackupStore) -> None:
    session = FakeSwitch(IOS_RAW)
    session.fail = SessionError(ErrorKind.TIMEOUT, "show running-config took more than 60 s")
    result = _switch_run(store, session, "r1")
    assert result.status is Status.FAILED and result.error_kind is ErrorKind.TIMEOUT
    session.fail = SessionError(ErrorKind.UNREACHABLE, "connection refused")
    assert _switch_run(store, session, "r2").status is Status.UNREACHABLE


@pytest.fixture
def server_root(tmp_path: Path) -> Path:
    root = tmp_path / "server"
    (root / "etc/ssh/sshd_config.d").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin no\nPasswordAuthentication no\n")
    (root / "etc/ssh/sshd_config.d/10-local.conf").write_text("X11Forwarding no\n")
    (root / "etc/ssh/sshd_config.d/20-more.conf").write_text("MaxAuthTries 3\n")
    (root / "etc/wifi.conf").write_text("ssid=school\npsk=VerySecretPsk\n")
    (root / "etc/binary").write_bytes(bytes(range(256)))
    (root / "etc/my file").write_text("spaces in the name\n")
    os.chmod(root / "etc/ssh/sshd_config", 0o640)
    return root


COMMANDS = {
    "kernel": CommandSpec("kernel", "echo 6.1.0-test"),
    "uptime": CommandSpec("uptime", "date +%N", volatile=True),
    "chronyc": CommandSpec("chronyc", "no-such-command-ictops"),
    "quoted": CommandSpec(
        "quoted", "printf '%s\\t%s\\n' '${Package}' \"$HOME\" >/dev/null; echo ok"
    ),
    # cannot exist on this host: N/A with the reason, not a failure
    "no_tool": CommandSpec("no_tool", "echo never", needs=(Need(tool="no-such-tool-ictops"),)),
    "no_daemon": CommandSpec(
        "no_daemon",
        "echo never",
        needs=(Need(tool="sh"), Need(path="/run/no-ictopsd.pid", missing="ictopsd is not running")),
    ),
    "needs_met": CommandSpec("needs_met", "echo ran", needs=(Need(tool="sh"), Need(path="/"))),
}


def _patterns(root: Path) -> list[str]:
    return [
        f"{root}/etc/ssh/sshd_config",
        f"{root}/etc/ssh/sshd_config.d/*",
        f"{root}/etc/wifi.conf",
        f"{root}/etc/binary",
        f"{root}/etc/my file",
        f"{root}/etc/missing.conf",
        f"{root}/etc/nothing.d/*",
    ]


def _server_run(store: BackupStore, session: LocalServer, root: Path, run: str):
    host = server_host(backup_files=_patterns(root))
    action = BackupAction(store=store, commands=COMMANDS)
    return host, drive(_project(store), action, [host], {host.name: session}, run_id=run).results[0]


def _restore(store: BackupStore, session: LocalServer, host, rev, check: bool, paths=None):
    action = RestoreServer(store, rev, paths)
    return drive(_project(store), action, [host], {host.name: session}, check=check).results[0]


def test_server_backup_in_one_round_trip(store: BackupStore, server_root: Path) -> None:
    session = LocalServer()
    host, first = _server_run(store, session, server_root, "r1")
    assert first.status is Status.CHANGED, first.message
    assert len(session.runs) == 1
    assert "1 command(s) failed: chronyc" in first.message
    stored = store.list_files(host)
    rel = str(server_root).lstrip("/")
    assert f"files/{rel}/etc/ssh/sshd_config.d/20-more.conf" in stored
    assert f"files/{rel}/etc/my file" in stored
    assert store.files_at(host, prefix=f"files/{rel}/etc/binary")[
        f"files/{rel}/etc/binary"
    ] == bytes(range(256))
    assert "commands/kernel.txt" in stored and "commands/chronyc.txt" not in stored
    assert store.show(host, file="commands/quoted.txt", masked=False) == "ok\n"
    meta = store.meta(host)
    assert meta["missing"] == sorted(
        [f"{server_root}/etc/missing.conf", f"{server_root}/etc/nothing.d/*"]
    )
    assert meta["modes"][f"{server_root}/etc/ssh/sshd_config"] == "640"
    assert meta["commands_failed"]["chronyc"].startswith("exit 127")
    assert set(meta["commands_failed"]) == {"chronyc"}
    assert meta["commands_na"] == {
        "no_daemon": "ictopsd is not running",
        "no_tool": "no-such-tool-ictops is not installed",
    }
    assert first.payload.commands_na == meta["commands_na"]
    assert store.show(host, file="commands/needs_met.txt", masked=False) == "ran\n"
    assert "commands/no_tool.txt" not in stored
    assert "VerySecretPsk" not in store.show(host, file=f"{server_root}/etc/wifi.conf")

    _, second = _server_run(store, session, server_root, "r2")  # uptime changed: volatile
    assert second.status is Status.OK, second.message
    (server_root / "etc/ssh/sshd_config.d/20-more.conf").unlink()
    (server_root / "etc/ssh/sshd_config").write_text(
        "PermitRootLogin no\nPasswordAuthentication yes\n"
    )
    _, third = _server_run(store, session, server_root, "r3")
    assert third.status is Status.CHANGED
    assert "sshd_config: +1 -1 lines" in third.message and "20-more.conf gone" in third.message
    assert len(commits(store)) == 3


def test_server_truncated_output_refused(store: BackupStore, server_root: Path) -> None:
    class Truncating(LocalServer):
        def run(self, command, **kwargs):  # type: ignore[no-untyped-def]
            result = super().run(command, **kwargs)
            return type(result)(
                result.command,
                0,
                result.stdout[: len(result.stdout) // 2],
                result.stderr,
                result.duration,
            )

    _server_run(store, LocalServer(), server_root, "r1")
    _, result = _server_run(store, Truncating(), server_root, "r2")
    assert result.status is Status.FAILED and result.error_kind is ErrorKind.INVALID_OUTPUT
    assert "truncated" in result.message
    assert len(commits(store)) == 2


def test_server_bad_pattern_is_config_error(store: BackupStore) -> None:
    host = server_host(backup_files=["/etc/*; rm -rf /"])
    session = LocalServer()
    result = drive(_project(store), BackupAction(store=store), [host], {host.name: session}).results[0]
    assert result.status is Status.FAILED and result.error_kind is ErrorKind.CONFIG_ERROR
    assert not session.runs  # refused before anything ran on the host


def test_restore_server_check_then_real(store: BackupStore, server_root: Path) -> None:
    session = LocalServer()
    host, _ = _server_run(store, session, server_root, "r1")
    rev = store.latest(host).rev  # type: ignore[union-attr]
    sshd = server_root / "etc/ssh/sshd_config"
    wifi = server_root / "etc/wifi.conf"
    sshd.write_text("PermitRootLogin yes\nPasswordAuthentication no\n")
    wifi.write_text("ssid=school\npsk=ChangedPsk\n")
    os.chmod(sshd, 0o600)

    check = _restore(store, session, host, rev, check=True)
    assert check.status is Status.CHANGED
    assert check.message == (f"check: would restore {sshd} from backup {rev[:12]}; "
                             f"restore {wifi} from backup {rev[:12]}")
    assert "-PermitRootLogin yes" in check.diff and "+PermitRootLogin no" in check.diff
    assert "ChangedPsk" not in check.diff and "VerySecretPsk" not in check.diff
    assert sshd.read_text().startswith("PermitRootLogin yes") and not session.puts

    real = _restore(store, session, host, rev, check=False)
    assert real.status is Status.CHANGED and "restored 2 file(s)" in real.message
    assert sshd.read_text() == "PermitRootLogin no\nPasswordAuthentication no\n"
    assert wifi.read_text() == "ssid=school\npsk=VerySecretPsk\n"
    assert oct(sshd.stat().st_mode & 0o777) == "0o600"  # the file's current mode is kept
    again = _restore(store, session, host, rev, check=False)
    assert again.status is Status.OK and again.message == f"all 6 file(s) match backup {rev[:12]}"


def test_restore_server_one_path_and_unknown_path(store: BackupStore, server_root: Path) -> None:
    session = LocalServer()
    host, _ = _server_run(store, session, server_root, "r1")
    (server_root / "etc/ssh/sshd_config").write_text("changed\n")
    (server_root / "etc/wifi.conf").write_text("changed\n")
    only = _restore(store, session, host, None, check=False, paths=[f"{server_root}/etc/wifi.conf"])
    assert (
        only.status is Status.CHANGED
        and (server_root / "etc/ssh/sshd_config").read_text() == "changed\n"
    )
    bad = _restore(store, session, host, None, check=True, paths=["/etc/shadow"])
    assert bad.status is Status.FAILED and bad.error_kind is ErrorKind.CONFIG_ERROR
    assert bad.message.startswith("/etc/shadow not in backup")


def commits_revs(store: BackupStore) -> list[str]:
    return store.git.text("log", "--format=%H").splitlines()
