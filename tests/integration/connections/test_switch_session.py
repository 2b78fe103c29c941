"""NetmikoSwitchSession against the switch simulator on 127.0.8.11 (cisco_ios) and
127.0.8.12 (huawei_vrp), including its fault modes."""

from __future__ import annotations

import importlib.util
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from ictops.connections import hostkeys
from ictops.connections.base import SessionError, SwitchSession
from ictops.connections.factory import open_session
from ictops.connections.switch import NetmikoSwitchSession, open_switch_session
from ictops.inventory.host import Host, Timeouts
from ictops.lab.sshd import wait_banners
from ictops.project import Project
from ictops.results import ErrorKind
from ictops.secrets import SecretRef
from tests.integration.connections.helpers import fails_within
from tests.net import LAB

HAVE_SIM = importlib.util.find_spec("ictops.lab.switchsim") is not None and (
    importlib.util.find_spec("ictops.lab.switchsim.__main__") is not None
)
pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        not HAVE_SIM, reason="the switch simulator (ictops.lab.switchsim) is not there yet"
    ),
]

PORT = 2222
DEVICES = {"sw-ios": (f"{LAB}.8.11", "cisco_ios"), "sw-vrp": (f"{LAB}.8.12", "huawei_vrp")}
FAST = Timeouts(connect=3, banner=2, auth=3, channel=4, command=4)
LOCATION_LINE = {
    "cisco_ios": "snmp-server location ictops-test-{}",
    "huawei_vrp": "snmp-agent sys-info location ictops-test-{}",
}


@dataclass(frozen=True)
class Sim:
    project: Project
    hosts: dict[str, Host]
    faults_dir: Path


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    from ictops.lab.switchsim.spec import DeviceSpec, SimSpec

    root = Path(tempfile.mkdtemp(prefix="ictops-switch-test-"))
    proc: subprocess.Popen[bytes] | None = None
    log = root / "sim.log"
    try:
        secrets_dir = root / "secrets"
        secrets_dir.mkdir()
        for name, value in (("password", "lab-pass-1"), ("enable", "lab-enable-1")):
            (secrets_dir / name).write_text(value + "\n")
            (secrets_dir / name).chmod(0o600)
        devices = [
            DeviceSpec(
                name=name,
                address=address,
                port=PORT,
                platform=platform,
                hostname=name.upper(),
                username="admin",
                password="lab-pass-1",
                enable_secret="lab-enable-1",
                host_key=str(root / f"{name}.key"),
                state_file=str(root / f"{name}.json"),
            )
            for name, (address, platform) in DEVICES.items()
        ]
        spec = SimSpec(log_file=str(log), faults_dir=str(root / "faults"), devices=devices)
        spec.write(root / "sim.json")
        with open(root / "sim.out", "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ictops.lab.switchsim", str(root / "sim.json")],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        not_ready = wait_banners([(a, PORT) for a, _ in DEVICES.values()], timeout=20)
        if not_ready:
            tail = (root / "sim.out").read_text(errors="replace")[-2000:]
            pytest.fail(f"switch simulator not ready on {not_ready}:\n{tail}")
        hosts = {
            name: Host(
                name=name,
                hostname=address,
                port=PORT,
                platform_name=platform,
                username="admin",
                password=SecretRef(file="secrets/password"),
                enable_secret=SecretRef(file="secrets/enable"),
                timeouts=FAST,
            )
            for name, (address, platform) in DEVICES.items()
        }
        project = Project(root)
        pairs = [(h, hostkeys.scan_host_key(h, timeout=5)) for h in hosts.values()]
        hostkeys.trust_many(project.known_hosts, pairs)
        yield Sim(project, hosts, root / "faults")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=list(DEVICES))
def session(request: pytest.FixtureRequest, sim: Sim) -> Iterator[NetmikoSwitchSession]:
    s = open_switch_session(sim.hosts[request.param], sim.project.root, sim.project.known_hosts)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def fault(sim: Sim) -> Iterator[callable]:  # type: ignore[valid-type]
    from ictops.lab.switchsim.faults import set_fault

    touched: list[str] = []

    def put(name: str, mode: str) -> None:
        touched.append(name)
        set_fault(sim.faults_dir, name, mode)

    try:
        yield put
    finally:
        for name in touched:
            set_fault(sim.faults_dir, name, None)


def test_show_and_configs(session: NetmikoSwitchSession) -> None:
    assert isinstance(session, SwitchSession)
    platform = session.host.platform
    version = session.show(platform.commands["version"])
    assert version.strip() and session.host.name.upper() + "#" not in version
    running = session.running_config()
    assert platform.end_marker is not None and platform.end_marker.search(running)
    assert platform.end_marker.search(session.startup_config())


def test_configure_then_save(session: NetmikoSwitchSession) -> None:
    line = LOCATION_LINE[session.host.platform_name].format(secrets.token_hex(3))
    session.configure([line])
    assert line in session.running_config()
    assert line not in session.startup_config()
    session.save()
    assert line in session.startup_config()


def test_refused_line_is_command_failed_and_session_stays_usable(
    session: NetmikoSwitchSession,
) -> None:
    with pytest.raises(SessionError) as caught:
        session.configure(["frobnicate the widgets"])
    assert caught.value.kind is ErrorKind.COMMAND_FAILED
    assert "device refused 'frobnicate the widgets'" in caught.value.message
    assert session.host.platform.end_marker.search(session.running_config())  # type: ignore[union-attr]


def test_factory_opens_switch_sessions(sim: Sim) -> None:
    s = open_session(sim.hosts["sw-ios"], sim.project)
    assert isinstance(s, NetmikoSwitchSession)
    s.close()
    s.close()


def _open_error(
    sim: Sim, host: Host, known_hosts: Path | None = None
) -> tuple[SessionError, float]:
    started = time.monotonic()
    with pytest.raises(SessionError) as caught:
        open_switch_session(host, sim.project.root, known_hosts or sim.project.known_hosts).close()
    return caught.value, time.monotonic() - started


def test_unknown_host_key_is_refused(sim: Sim, tmp_path: Path) -> None:
    error, _ = _open_error(sim, sim.hosts["sw-vrp"], tmp_path / "empty_known_hosts")
    assert error.kind is ErrorKind.HOSTKEY_UNKNOWN
    assert "ictops hostkeys trust -l sw-vrp" in error.message


def test_wrong_password_is_auth_failed(sim: Sim, tmp_path: Path) -> None:
    (sim.project.root / "secrets" / "wrong").write_text("nope\n")
    (sim.project.root / "secrets" / "wrong").chmod(0o600)
    host = replace(sim.hosts["sw-ios"], password=SecretRef(file="secrets/wrong"))
    error, _ = _open_error(sim, host)
    assert error.kind is ErrorKind.AUTH_FAILED


def test_fault_auth_refuse(sim: Sim, fault) -> None:  # type: ignore[no-untyped-def]
    fault("sw-ios", "auth-refuse")
    error, took = _open_error(sim, sim.hosts["sw-ios"])
    assert error.kind is ErrorKind.AUTH_FAILED and took < FAST.auth + 2


def test_fault_no_banner(sim: Sim, fault) -> None:  # type: ignore[no-untyped-def]
    fault("sw-vrp", "no-banner")
    error, took = _open_error(sim, sim.hosts["sw-vrp"])
    assert error.kind is ErrorKind.TIMEOUT and took < FAST.banner + 2


def test_fault_stall_mid_session(sim: Sim, fault) -> None:  # type: ignore[no-untyped-def]
    s = open_switch_session(sim.hosts["sw-ios"], sim.project.root, sim.project.known_hosts)
    try:
        fault("sw-ios", "stall")
        started = time.monotonic()
        with pytest.raises(SessionError) as caught:
            s.show("show running-config", timeout=2)
        assert caught.value.kind is ErrorKind.TIMEOUT
        assert time.monotonic() - started < 2 + 2
    finally:
        s.close()


def test_fault_drop_mid_session(sim: Sim, fault) -> None:  # type: ignore[no-untyped-def]
    s = open_switch_session(sim.hosts["sw-vrp"], sim.project.root, sim.project.known_hosts)
    try:
        fault("sw-vrp", "drop")
        started = time.monotonic()
        with pytest.raises(SessionError) as caught:
            s.show("display current-configuration", timeout=3)
        assert caught.value.kind is ErrorKind.CONNECTION_LOST
        assert time.monotonic() - started < 3 + 2
    finally:
        s.close()


def _open_fails(sim: Sim, host: Host, budget: float) -> tuple[SessionError, float]:
    return fails_within(
        budget, lambda: open_switch_session(host, sim.project.root, sim.project.known_hosts).close()
    )


@pytest.mark.parametrize("name", list(DEVICES))
def test_fault_channel_stall_times_out_within_the_channel_timeout(  # type: ignore[no-untyped-def]
    sim: Sim, fault, name: str
) -> None:
    """Login accepted, session channel never opened: paramiko alone would wait 3,600 s."""
    fault(name, "channel-stall")
    error, took = _open_fails(sim, sim.hosts[name], budget=FAST.channel + 10)
    assert error.kind is ErrorKind.TIMEOUT and error.during_connect, error.message
    assert "session channel" in error.message and f"{FAST.channel:g}s" in error.message
    assert took < FAST.channel + 3  # login included; paramiko's default was 3,600 s


def test_fault_auth_stall_is_a_timeout_not_auth_failed(sim: Sim, fault) -> None:  # type: ignore[no-untyped-def]
    fault("sw-vrp", "auth-stall")
    error, took = _open_fails(sim, sim.hosts["sw-vrp"], budget=FAST.auth + 10)
    assert error.kind is ErrorKind.TIMEOUT, error.message
    assert "authentication" in error.message
    assert took < FAST.auth + 3


def test_missing_key_file_is_config_error(sim: Sim) -> None:
    host = replace(sim.hosts["sw-ios"], ssh_key="secrets/no-such-key")
    error, took = _open_fails(sim, host, budget=10)
    assert error.kind is ErrorKind.CONFIG_ERROR, error.message
    assert "secrets/no-such-key" in error.message and took < 2


@pytest.mark.parametrize("name", list(DEVICES))
def test_dropped_session_is_connection_lost_at_once(sim: Sim, fault, name: str) -> None:  # type: ignore[no-untyped-def]
    """Not after the command timeout: the closed channel is seen as soon as it closes."""
    s = open_switch_session(sim.hosts[name], sim.project.root, sim.project.known_hosts)
    try:
        fault(name, "drop")
        command = s.host.platform.commands["running_config"]
        error, took = fails_within(35, lambda: s.show(command, timeout=30))
        assert error.kind is ErrorKind.CONNECTION_LOST, error.message
        assert took < 5  # the timeout was 30 s
    finally:
        s.close()


CONFIG_MODE = {
    "sw-ios": ("configure terminal", "SW-IOS(config)#"),
    "sw-vrp": ("system-view", "[SW-VRP]"),
}


@pytest.mark.parametrize("name", list(DEVICES))
def test_a_command_that_enters_config_mode_is_refused_at_once_and_left(sim: Sim, name: str) -> None:
    command, prompt = CONFIG_MODE[name]
    s = open_switch_session(sim.hosts[name], sim.project.root, sim.project.known_hosts)
    try:
        error, took = fails_within(35, lambda: s.show(command, timeout=30))
        assert error.kind is ErrorKind.COMMAND_FAILED, error.message
        assert f"'{command}'" in error.message and f"'{prompt}'" in error.message
        assert "configuration mode" in error.message and "left it" in error.message
        assert took < 5  # the timeout was 30 s
        # back where it was: a show command works and the device is not in config mode
        assert s.host.platform.end_marker.search(s.running_config())  # type: ignore[union-attr]
        home = "SW-IOS#" if name == "sw-ios" else "<SW-VRP>"
        assert s._conn.find_prompt() == home
    finally:
        s.close()
