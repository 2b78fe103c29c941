"""One bad device never holds the run back: 13 switches and a server on loopback, real CLI.

Issue 8 #2: a switch that accepts the login but never opens its channel stalled `ictops cmd`
and `ictops backup` for an hour (paramiko's default channel timeout). Issue 8 #8 and
issue 9 §4: a dropped session, `configure terminal`, a Huawei error. Issue 8 #11: output cut
at limits.output, whole with --output-dir.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ictops.actions.base import RunSettings
from ictops.actions.command import RunCommand
from ictops.engine.driver import Driver, Step
from ictops.lab.switchsim.faults import set_fault
from ictops.results import ActionResult
from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab

CISCO = [f"{LAB}.41.{i}" for i in range(1, 14)]  # the 13 of the issue
HUAWEI = [f"{LAB}.41.{i}" for i in range(14, 18)]
CHANNEL = 3  # timeouts.channel of the district (tests/integration/district.py)


@pytest.fixture(scope="module")
def fleet():
    if not Path("/usr/sbin/sshd").exists():
        pytest.fail("openssh-server is not installed (make test installs it)")
    root = Path(tempfile.mkdtemp(prefix="ictops-deadlines-"))
    try:
        root.chmod(0o755)  # the lab user reads big.conf below
        (root / "big.conf").write_text("x = 1\n" * 200_000)  # 1.2 MB, over limits.output
        big = (
            f"srv-big:\n  hostname: {LAB}.42.2\n  groups: [servers, school_a]\n"
            f"  backup_files: ['{root}/big.conf']\n"
        )
        project = make_project(
            root, servers=[f"{LAB}.42.1"], cisco=CISCO, huawei=HUAWEI, extra_hosts=big
        )
        defaults = project.inventory_dir / "defaults.yaml"
        defaults.write_text(defaults.read_text() + "limits: {output: 256KiB}\n")
        d = start_district(project)  # stops what it started when it fails
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield d
    finally:
        stop_district(d)


@pytest.fixture
def fault(fleet):
    """Set a fault the way an officer would: ictops lab fault HOST MODE."""
    touched: list[str] = []

    def put(name: str, mode: str) -> None:
        touched.append(name)
        proc = fleet.ictops("lab", "fault", name, mode)
        assert proc.returncode == 0, proc.stderr

    try:
        yield put
    finally:
        for name in touched:
            set_fault(fleet.lab.paths.faults, name, None)


def by_host(payload: dict) -> dict[str, dict]:
    return {r["host"]: r for r in payload["results"]}


def timed_json(fleet, *args: str, budget: float) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        code, out = fleet.ictops_json(*args, timeout=budget)
    except subprocess.TimeoutExpired:
        pytest.fail(f"ictops {' '.join(args)} still running after {budget:g}s")
    return code, out, time.monotonic() - started


@pytest.mark.parametrize("mode", ["channel-stall", "auth-stall"])
def test_cmd_over_13_switches_finishes_with_the_others_results(fleet, fault, mode) -> None:
    fault("sw-cisco-3", mode)
    code, out, took = timed_json(fleet, "cmd", "show version", "-l", "cisco", budget=60)
    results = by_host(out)
    assert code == 1 and len(results) == 13
    bad = results.pop("sw-cisco-3")
    assert (bad["status"], bad["error_kind"]) == ("unreachable", "timeout"), bad
    assert bad["duration"] < CHANNEL + 4  # login included
    assert {r["status"] for r in results.values()} == {"ok"}, [
        r for r in results.values() if r["status"] != "ok"
    ]
    assert took < 30  # process start and 13 logins on a loaded machine included


def test_backup_over_13_switches_stores_the_12_others(fleet, fault) -> None:
    fault("sw-cisco-12", "channel-stall")
    code, out, took = timed_json(fleet, "backup", "-l", "cisco", budget=90)
    results = by_host(out)
    assert code == 1
    assert results.pop("sw-cisco-12")["error_kind"] == "timeout"
    assert {r["status"] for r in results.values()} == {"changed"}, results
    stored = sorted(p.parent.name for p in fleet.project.backups_dir.glob("*/*/running-config.txt"))
    assert stored == sorted(results)
    assert took < 45


def test_each_result_reaches_the_listeners_as_it_finishes(fleet, fault) -> None:
    """Progress and recap see the 12 good switches long before the stalled one."""
    fault("sw-cisco-1", "channel-stall")
    arrived: dict[str, float] = {}
    started = time.monotonic()

    def listener(result: ActionResult) -> None:
        arrived[result.host] = time.monotonic() - started

    hosts = [h for h in fleet.inventory.hosts.values() if h.platform_name == "cisco_ios"]
    with Driver(RunSettings(project=fleet.project), hosts, listeners=[listener]) as driver:
        driver.run_step(Step(RunCommand("show version"), "cmd"), hosts)
    stalled = arrived.pop("sw-cisco-1")
    assert len(arrived) == 12 and stalled >= CHANNEL
    assert max(arrived.values()) < stalled - 1, arrived


def test_a_dropped_session_is_reported_at_once(fleet, fault) -> None:
    fault("sw-huawei-1", "drop")
    code, out, _ = timed_json(
        fleet, "cmd", "display current-configuration", "-l", "sw-huawei-1", budget=60
    )
    r = out["results"][0]
    assert code == 1 and (r["status"], r["error_kind"]) == ("failed", "connection_lost"), r
    assert r["duration"] < 10  # login included; not the command timeout (20 s here)


@pytest.mark.parametrize(
    "name, command, prompt",
    [("sw-cisco-2", "configure terminal", "(config)#"), ("sw-huawei-3", "system-view", "]")],
)
def test_a_command_that_enters_config_mode_is_refused_clearly(
    fleet, name, command, prompt
) -> None:
    code, out, _ = timed_json(fleet, "cmd", command, "-l", name, budget=60)
    r = out["results"][0]
    assert code == 1 and (r["status"], r["error_kind"]) == ("failed", "command_failed"), r
    assert "into configuration mode" in r["message"] and prompt in r["message"]
    assert "ictops left it again" in r["message"]
    assert r["duration"] < 10  # login included; not the command timeout (20 s here)


def test_a_huawei_error_shows_the_devices_words(fleet) -> None:
    code, out, _ = timed_json(fleet, "cmd", "display nonsense", "-l", "sw-huawei-4", budget=60)
    r = out["results"][0]
    assert code == 1 and r["error_kind"] == "command_failed"
    assert r["message"] == (
        "the switch refused the command: Error: Unrecognized command found at '^' position."
    )


def test_output_over_the_limit_is_cut_and_said_and_kept_whole_on_request(
    fleet, tmp_path
) -> None:
    big = "head -c 1000000 /dev/zero | tr '\\0' x"
    where = tmp_path / "whole"
    code, out, _ = timed_json(
        fleet, "cmd", big, "-l", "srv-1", "--output-dir", str(where), budget=60
    )
    r = out["results"][0]
    assert code == 0 and r["status"] == "ok", r
    assert r["data"]["cut_bytes"] == 1_000_000 - 256 * 1024
    assert r["output"].startswith("x" * 1000)
    assert r["message"] == "x" * 197 + "..."  # a message, not the output again
    assert f"the whole output is in {where}/srv-1.out" in r["output"].splitlines()[-1]
    saved = where / "srv-1.out"
    assert saved.stat().st_size == 1_000_000
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    # without --output-dir the recap says how to keep it all
    proc = fleet.ictops("cmd", big, "-l", "srv-1")
    assert proc.returncode == 0 and "run again with --output-dir DIR" in proc.stdout


def test_a_server_backup_bigger_than_limits_output_is_whole(fleet) -> None:
    """The backup's collection keeps what its own caps allow (max_host_size), not
    limits.output: a 1.2 MB file is stored whole on a host whose limits.output is 256 KiB."""
    code, out, _ = timed_json(fleet, "backup", "-l", "srv-big", budget=60)
    r = out["results"][0]
    assert code == 0 and r["status"] == "changed", r
    stored = list(fleet.project.backups_dir.glob("*/srv-big/files/**/big.conf"))
    assert len(stored) == 1 and stored[0].stat().st_size == 1_200_000
