"""`ictops cmd` against the simulated district: all hosts, faults, host keys, timeouts."""

from __future__ import annotations

import subprocess
import time

import paramiko
import pytest

from ictops.connections.hostkeys import forget, trust_many
from ictops.lab.switchsim.faults import set_fault
from tests.net import LAB

pytestmark = pytest.mark.lab


def by_host(payload: dict) -> dict[str, dict]:
    return {r["host"]: r for r in payload["results"]}


def test_cmd_on_every_host(district):
    code, out = district.ictops_json("cmd", "uptime", "-l", "role=server")
    assert code == 0, out
    assert out["totals"]["ok"] == 4 and all("load average" in r["output"] for r in out["results"])
    code, out = district.ictops_json("cmd", "show version", "-l", "cisco")
    assert code == 0 and all("Cisco IOS" in r["output"] for r in out["results"]), out
    code, out = district.ictops_json("cmd", "display version", "-l", "huawei")
    assert code == 0 and all("Huawei" in r["output"] for r in out["results"]), out


def test_terminal_recap_and_no_progress_when_piped(district):
    proc = district.ictops("cmd", "hostname", "-l", "srv-1,srv-2")
    assert proc.returncode == 0, proc.stderr
    assert "srv-1" in proc.stdout and "ok=2" in proc.stdout
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal


def test_failed_command_is_a_result(district):
    code, out = district.ictops_json("cmd", "exit 3", "-l", "role=server")
    assert code == 1
    assert {r["status"] for r in out["results"]} == {"failed"}
    assert all(r["error_kind"] == "command_failed" and "exit code 3" in r["message"] for r in out["results"])


def test_invalid_switch_command_is_command_failed(district):
    code, out = district.ictops_json("cmd", "show nonsense-here", "-l", "sw-cisco-1")
    assert code == 1 and out["results"][0]["error_kind"] == "command_failed", out


def test_bad_limit_is_exit_2_with_one_line(district):
    proc = district.ictops("cmd", "uptime", "-l", "rol=server")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "did you mean 'role'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "fault, status, kind, limit_seconds",
    [
        ("auth-refuse", "unreachable", "auth_failed", 8),
        ("no-banner", "unreachable", "timeout", 10),
        ("stall", "failed", "timeout", 12),
        ("drop", "failed", "connection_lost", 10),
    ],
)
def test_fault_modes_yield_their_kind_while_others_succeed(district, fault, status, kind, limit_seconds):
    faults = district.lab.paths.faults
    set_fault(faults, "sw-cisco-2", fault)
    try:
        code, out = district.ictops_json("cmd", "show running-config", "--timeout", "4", "-l", "cisco")
    finally:
        set_fault(faults, "sw-cisco-2", None)
    results = by_host(out)
    assert code == 1
    bad = results["sw-cisco-2"]
    assert (bad["status"], bad["error_kind"]) == (status, kind), bad
    assert bad["duration"] < limit_seconds, bad
    for name, r in results.items():
        if name != "sw-cisco-2":
            assert r["status"] == "ok", r


def test_unknown_and_changed_host_keys_are_refused(district):
    host = district.inventory.host("srv-3")
    known = district.project.known_hosts
    forget(known, host)
    try:
        code, out = district.ictops_json("cmd", "uptime", "-l", "srv-3,srv-4")
        results = by_host(out)
        assert code == 1
        assert results["srv-3"]["error_kind"] == "hostkey_unknown"
        assert "ictops hostkeys trust" in results["srv-3"]["message"]
        assert results["srv-4"]["status"] == "ok"
        trust_many(known, [(host, paramiko.Ed25519Key.from_private_key_file(str(district.project.lab_dir / "id_ed25519")))])
        code, out = district.ictops_json("cmd", "uptime", "-l", "srv-3")
        assert out["results"][0]["error_kind"] == "hostkey_changed", out
        # trusting again refuses the changed key too
        code, out = district.ictops_json("hostkeys", "trust", "-l", "srv-3")
        assert code == 1 and out["results"][0]["error_kind"] == "hostkey_changed"
    finally:
        forget(known, host)
        district.ictops("hostkeys", "trust", "-l", "srv-3")
    code, out = district.ictops_json("cmd", "uptime", "-l", "srv-3")
    assert code == 0


def test_hostkeys_list_and_forget(district):
    proc = district.ictops("hostkeys", "list", "-l", "srv-4")
    assert proc.returncode == 0 and "ssh-ed25519 SHA256:" in proc.stdout
    try:
        proc = district.ictops("hostkeys", "forget", "srv-4")
        assert proc.returncode == 0 and f"removed 1 key(s) for [{LAB}.10.4]:2222" in proc.stdout
        assert "not trusted" in district.ictops("hostkeys", "list", "-l", "srv-4").stdout
    finally:
        district.ictops("hostkeys", "trust", "-l", "srv-4")


def _leftover(marker: str) -> list[str]:
    proc = subprocess.run(["pgrep", "-af", marker], capture_output=True, text=True)
    return [line for line in proc.stdout.splitlines() if "pgrep" not in line]


def test_timed_out_command_is_stopped_on_the_server(district):
    marker = "sleep 4321"
    code, out = district.ictops_json("cmd", f"{marker}; echo never", "--timeout", "2", "-l", "srv-1")
    r = out["results"][0]
    assert code == 1 and r["error_kind"] == "timeout", r
    assert r["duration"] < 8
    deadline = time.monotonic() + 10
    while _leftover(marker) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling with a deadline: the server may take a moment to reap
    assert _leftover(marker) == []
