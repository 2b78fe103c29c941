"""The switch simulator driven over real SSH by netmiko (addresses 127.0.9.1-10, port 2222)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)

from ictops.lab.switchsim import DeviceSpec, SimSpec, set_fault
from tests.net import LAB

pytestmark = pytest.mark.lab

PORT = 2222
FAST = {"conn_timeout": 3, "auth_timeout": 3, "banner_timeout": 3, "read_timeout_override": 3}
DEVICES = {
    # name: (address, platform)
    "ios-a": (f"{LAB}.9.1", "cisco_ios"),
    "ios-b": (f"{LAB}.9.2", "cisco_ios"),
    "vrp-a": (f"{LAB}.9.3", "huawei_vrp"),
    "ios-auth": (f"{LAB}.9.4", "cisco_ios"),
    "ios-nobanner": (f"{LAB}.9.5", "cisco_ios"),
    "ios-stall": (f"{LAB}.9.6", "cisco_ios"),
    "ios-drop": (f"{LAB}.9.7", "cisco_ios"),
    "ios-trunc": (f"{LAB}.9.8", "cisco_ios"),
    "vrp-trunc": (f"{LAB}.9.9", "huawei_vrp"),
}


def _device_spec(tmp: Path, name: str, address: str, platform: str, port: int = PORT) -> DeviceSpec:
    return DeviceSpec(
        name=name,
        address=address,
        port=port,
        platform=platform,
        hostname=name.upper(),
        username="admin",
        password="lab-pass",
        enable_secret="lab-enable",
        host_key=str(tmp / "keys" / name),
        state_file=str(tmp / "state" / f"{name}.json"),
    )


def _banner(address: str, port: int, timeout: float = 0.5) -> bytes:
    with socket.create_connection((address, port), timeout=timeout) as sock:
        return sock.recv(64)


def _wait_ready(
    proc: subprocess.Popen[bytes], targets: list[tuple[str, int]], deadline_s: float
) -> None:
    """Poll every listener until it sends its SSH banner; fail early if the process died."""
    deadline = time.monotonic() + deadline_s
    pending = list(targets)
    while pending:
        if proc.poll() is not None:
            stderr = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"simulator exited with {proc.returncode}: {stderr}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no SSH banner from {pending} within {deadline_s} s")
        try:
            if _banner(*pending[0]).startswith(b"SSH-"):
                pending.pop(0)
        except OSError:
            time.sleep(0.02)  # poll interval, not a wait for an event


def _start(spec: SimSpec, spec_path: Path) -> subprocess.Popen[bytes]:
    spec.write(spec_path)
    return subprocess.Popen(
        [sys.executable, "-m", "ictops.lab.switchsim", str(spec_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimSpec]:
    tmp = tmp_path_factory.mktemp("switchsim")
    spec = SimSpec(
        log_file=str(tmp / "sim.log"),
        faults_dir=str(tmp / "faults"),
        devices=[_device_spec(tmp, n, a, p) for n, (a, p) in DEVICES.items()],
        log_level="info",
    )
    proc = _start(spec, tmp / "spec.json")
    try:
        _wait_ready(proc, [(a, PORT) for a, _ in DEVICES.values()], deadline_s=20)
        yield spec
    finally:
        _stop(proc)


def _connect(name: str, **extra: Any) -> Any:
    address, platform = DEVICES[name]
    params: dict[str, Any] = dict(
        device_type="cisco_ios" if platform == "cisco_ios" else "huawei",
        host=address,
        port=PORT,
        username="admin",
        password="lab-pass",
        secret="lab-enable",
        use_keys=False,
        allow_agent=False,
        ssh_strict=False,
        **FAST,
    )
    params.update(extra)
    return ConnectHandler(**params)


def _config_body(text: str) -> list[str]:
    """Config lines without the header and comment lines that differ between running and startup."""
    return [
        ln for ln in text.splitlines() if not ln.startswith(("!", "Building", "Current", "Using"))
    ]


def test_ios_enable_show_configure_save(lab: SimSpec) -> None:
    conn = _connect("ios-a")
    try:
        assert conn.find_prompt() == "IOS-A>"
        conn.enable()
        assert conn.find_prompt() == "IOS-A#"
        version = conn.send_command("show version")
        assert "WS-C2960X-24TS-L" in version and "15.2(7)E" in version
        running = conn.send_command("show running-config")
        assert running.splitlines()[-1] == "end" and "hostname IOS-A" in running
        assert "description LAB-CHANGE" not in running

        conn.send_config_set(
            ["int gi1/0/20", "description LAB-CHANGE", "switchport access vlan 30"],
            error_pattern=r"% Invalid input",
        )
        running = conn.send_command("show running-config")
        block = running.split("interface GigabitEthernet1/0/20\n", 1)[1].split("!")[0]
        assert " description LAB-CHANGE" in block and " switchport access vlan 30" in block
        assert "switchport access vlan 20" not in block
        assert "LAB-CHANGE" not in conn.send_command("show startup-config")

        with pytest.raises(ConfigInvalidException):
            conn.send_config_set(["hostnme BROKEN"], error_pattern=r"% Invalid input")

        conn.save_config()
        startup = _config_body(conn.send_command("show startup-config"))
        assert startup == _config_body(conn.send_command("show running-config"))
    finally:
        conn.disconnect()


def test_vrp_display_configure_save(lab: SimSpec) -> None:
    conn = _connect("vrp-a")
    try:
        assert conn.find_prompt() == "<VRP-A>"
        current = conn.send_command("display current-configuration")
        assert current.splitlines()[-1] == "return" and "sysname VRP-A" in current
        # netmiko's huawei send_config_set spends ~2 s per config-mode check; drive the views directly
        conn.send_command("system-view", expect_string=r"\]")
        conn.send_command("interface GigabitEthernet0/0/20", expect_string=r"\]")
        assert "Error" not in conn.send_command("description LAB-CHANGE", expect_string=r"\]")
        assert "Error:" in conn.send_command("sysnme X", expect_string=r"\]")
        conn.send_command("return", expect_string=r">")
        assert " description LAB-CHANGE" in conn.send_command("display current-configuration")
        assert "LAB-CHANGE" not in conn.send_command("display saved-configuration")
        output = conn.save_config()
        assert "successfully" in output
        assert " description LAB-CHANGE" in conn.send_command("display saved-configuration")
    finally:
        conn.disconnect()


def test_devices_have_their_own_host_keys(lab: SimSpec) -> None:
    fingerprints = []
    for name in ("ios-a", "ios-b"):
        with socket.create_connection((DEVICES[name][0], PORT), timeout=3) as sock:
            transport = paramiko.Transport(sock)
            try:
                transport.start_client(timeout=3)
                key = transport.get_remote_server_key()
            finally:
                transport.close()
        on_disk = Path(lab.devices[0].host_key).parent / f"{name}.pub"
        assert key.get_base64() in on_disk.read_text()
        fingerprints.append(key.get_fingerprint())
    assert fingerprints[0] != fingerprints[1]


def test_fault_auth_refuse(lab: SimSpec) -> None:
    set_fault(lab.faults_dir, "ios-auth", "auth-refuse")
    try:
        with pytest.raises(NetmikoAuthenticationException):
            _connect("ios-auth")
    finally:
        set_fault(lab.faults_dir, "ios-auth", None)
    _connect("ios-auth").disconnect()  # cleared: logs in again


def test_fault_no_banner(lab: SimSpec) -> None:
    set_fault(lab.faults_dir, "ios-nobanner", "no-banner")
    try:
        started = time.monotonic()
        with pytest.raises(NetmikoTimeoutException):
            _connect("ios-nobanner")
        assert time.monotonic() - started < 10
    finally:
        set_fault(lab.faults_dir, "ios-nobanner", None)


def test_fault_stall(lab: SimSpec) -> None:
    conn = _connect("ios-stall")
    try:
        conn.enable()
        set_fault(lab.faults_dir, "ios-stall", "stall")
        with pytest.raises(ReadTimeout):
            conn.send_command("show running-config", read_timeout=3)
        assert conn.is_alive()  # stalled, not closed
    finally:
        set_fault(lab.faults_dir, "ios-stall", None)
        conn.remote_conn_pre.close()  # a polite disconnect would wait on the stalled device


def test_fault_drop(lab: SimSpec) -> None:
    conn = _connect("ios-drop")
    try:
        conn.enable()
        set_fault(lab.faults_dir, "ios-drop", "drop")
        # netmiko cannot tell a closed channel from a silent one: it times out, then the
        # transport is found dead
        with pytest.raises((ReadTimeout, OSError, EOFError)):
            conn.send_command("show version", read_timeout=3)
        assert not conn.remote_conn.get_transport().is_active()
    finally:
        set_fault(lab.faults_dir, "ios-drop", None)
        conn.remote_conn_pre.close()


@pytest.mark.parametrize(
    "name, command, marker",
    [
        ("ios-trunc", "show running-config", "end"),
        ("vrp-trunc", "display current-configuration", "return"),
    ],
)
def test_fault_truncate(lab: SimSpec, name: str, command: str, marker: str) -> None:
    conn = _connect(name)
    try:
        conn.enable()
        full = conn.send_command(command)
        set_fault(lab.faults_dir, name, "truncate")
        cut = conn.send_command(command)
        assert marker in full.splitlines() and marker not in cut.splitlines()
        assert 0.3 * len(full) < len(cut) < 0.7 * len(full)
    finally:
        set_fault(lab.faults_dir, name, None)
        conn.disconnect()


def test_hundred_devices_start_fast_and_stop_cleanly(tmp_path: Path) -> None:
    address = f"{LAB}.9.10"
    spec = SimSpec(
        log_file=str(tmp_path / "sim.log"),
        faults_dir=str(tmp_path / "faults"),
        devices=[
            _device_spec(
                tmp_path, f"sw-{i:03d}", address, ("cisco_ios", "huawei_vrp")[i % 2], 30000 + i
            )
            for i in range(100)
        ],
    )
    started = time.monotonic()
    proc = _start(spec, tmp_path / "spec.json")
    try:
        _wait_ready(proc, [(address, 30000 + i) for i in range(100)], deadline_s=15)
        elapsed = time.monotonic() - started
        assert elapsed < 6, f"100 devices took {elapsed:.1f} s to answer"  # ~0.5 s when idle
    finally:
        code = _stop(proc)
    assert code == 0
    with pytest.raises(OSError):
        _banner(address, 30000)
