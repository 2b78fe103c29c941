"""Computed commands pushed over SSH with netmiko's send_config_set to simulated switches
(127.<NET>.25.1-2): re-planning after the push is empty, and the rollback list brings the
running-config back to the pre-change config."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import ConfigInvalidException

from ictops.compliance.templating import render_intended
from ictops.inventory import load_inventory
from ictops.lab.switchsim import SimSpec
from ictops.platforms import get_platform
from ictops.switchconfig import normalised_equal, remediation, rollback
from tests.integration.lab.test_switchsim_netmiko import _device_spec, _start, _stop, _wait_ready
from tests.net import LAB
from tests.unit.switchconfig.sim import config_sets, expected_message

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
PORT = 2222
DEVICES = {"push-ios": (f"{LAB}.25.1", "cisco_ios"), "push-vrp": (f"{LAB}.25.2", "huawei_vrp")}
SAMPLE = {"cisco_ios": "phukhieo-sw-core", "huawei_vrp": "phukhieo-sw-lab"}
CHANGES = {
    "cisco_ios": (
        (
            "ntp server time1.nimt.or.th\nntp server time.navy.mi.th\nlogging host 10.20.0.11\n"
            "vlan 40\n name GUEST\n"
        ),
        ["ntp", "logging", "vlan"],
    ),
    "huawei_vrp": (
        (
            "ntp-service unicast-server time1.nimt.or.th\nntp-service unicast-server time.navy.mi.th\n"
            "info-center loghost 10.20.0.11\nvlan batch 40\n"
        ),
        ["ntp", "logging", "vlan"],
    ),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimSpec]:
    tmp = tmp_path_factory.mktemp("switchconfig")
    spec = SimSpec(
        log_file=str(tmp / "sim.log"),
        faults_dir=str(tmp / "faults"),
        devices=[_device_spec(tmp, n, a, p) for n, (a, p) in DEVICES.items()],
    )
    proc = _start(spec, tmp / "spec.json")
    try:
        _wait_ready(proc, [(a, PORT) for a, _ in DEVICES.values()], deadline_s=20)
        yield spec
    finally:
        _stop(proc)


def _connect(name: str) -> Any:
    address, platform = DEVICES[name]
    conn = ConnectHandler(
        device_type=get_platform(platform).netmiko,
        host=address,
        port=PORT,
        username="admin",
        password="lab-pass",
        secret="lab-enable",
        use_keys=False,
        allow_agent=False,
        conn_timeout=5,
        auth_timeout=5,
        banner_timeout=5,
    )
    if platform == "cisco_ios":
        conn.enable()
    return conn


def _running(conn: Any, platform: str) -> str:
    return str(conn.send_command(get_platform(platform).commands["running_config"]))


def _push(conn: Any, platform: str, commands: tuple[str, ...]) -> None:
    """send_config_set with the platform's error patterns, multi-line banners in sets of their
    own (``config_sets``). VRP: netmiko's config-mode check waits 2 s of silence each time, so
    the views are entered and left here."""
    errors = "|".join(p.pattern for p in get_platform(platform).config_errors)
    vrp = platform == "huawei_vrp"
    if vrp:
        conn.send_command("system-view", expect_string=r"\]")
    for chunk in config_sets(commands):
        conn.send_config_set(
            chunk,
            error_pattern=errors,
            read_timeout=20,
            enter_config_mode=not vrp,
            exit_config_mode=not vrp,
        )
    if vrp:
        conn.send_command("return", expect_string=r">")


def _leave(conn: Any, platform: str) -> None:
    """Back to exec mode (netmiko's VRP exit waits 2 s of silence twice)."""
    if platform == "huawei_vrp":
        conn.send_command("return", expect_string=r">")
    else:
        conn.exit_config_mode()


@pytest.mark.parametrize("name", sorted(DEVICES))
def test_push_converges_and_rollback_restores(lab: SimSpec, name: str) -> None:
    platform = DEVICES[name][1]
    host = load_inventory(REPO / "inventory", REPO).hosts[SAMPLE[platform]]
    conn = _connect(name)
    try:
        before = _running(conn, platform)
        for intended, features in [
            CHANGES[platform],
            (render_intended(REPO / "templates", host), None),  # the golden template
        ]:
            plan = remediation(platform, before, intended, features)
            assert not plan.empty
            _push(conn, platform, plan.commands)
            after = _running(conn, platform)
            assert remediation(platform, after, intended, features).empty
            assert not normalised_equal(platform, before, after)

            back = rollback(platform, after, before, plan.features)
            _push(conn, platform, back.commands)
            assert normalised_equal(platform, before, _running(conn, platform))
    finally:
        conn.disconnect()


@pytest.mark.parametrize(
    "name, line, message",
    [
        ("push-ios", "ntp sever 1.2.3.4", "{caret:sever}\n% Invalid input detected at '^' marker."),
        ("push-ios", "ntp server", "% Incomplete command."),
        (
            "push-vrp",
            "ntp-service unicst-server 1.2.3.4",
            "{caret:unicst-server}\nError: Unrecognized command found at '^' position.",
        ),
        (
            "push-vrp",
            "info-center loghost",
            "{end}\nError: Incomplete command found at '^' position.",
        ),
    ],
)
def test_a_refused_line_is_detected_and_changes_nothing(
    lab: SimSpec, name: str, line: str, message: str
) -> None:
    platform = DEVICES[name][1]
    conn = _connect(name)
    try:
        before = _running(conn, platform)
        with pytest.raises(ConfigInvalidException, match=f"at command: {line}, matched error"):
            _push(conn, platform, (line,))
        _leave(conn, platform)
        assert _running(conn, platform) == before
        # what the device printed, as a real one does: the caret under the word, the message
        prompt = f"{name.upper()}(config)#" if platform == "cisco_ios" else f"[{name.upper()}]"
        conn.send_command(
            "configure terminal" if platform == "cisco_ios" else "system-view",
            expect_string=re.escape(prompt),
        )
        printed = conn.send_command(
            line, expect_string=re.escape(prompt), strip_command=True, strip_prompt=True
        )
        _leave(conn, platform)
        assert printed.strip("\n") == expected_message(message, prompt, line)
    finally:
        conn.disconnect()
