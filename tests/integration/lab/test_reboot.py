"""A lab server rebooted from inside its root (127.N.41.x): SSH refused for a while, then the
server answers again with a new boot id and an empty /run."""

from __future__ import annotations

import pytest

from ictops.connections.base import SessionError
from ictops.connections.server import open_server_session
from ictops.facts import BOOT_ID, PENDING_UPDATES, REBOOT_REQUIRED, SERVICE, Facts, RebootNeed, ServiceState
from ictops.lab import roots, servers
from ictops.lab.daemon import pid_of
from tests.integration.lab.rooted import answers, ok, refused, rooted_district, run, wait_until
from tests.net import LAB

pytestmark = pytest.mark.lab

SERVERS = {
    "rb-1": (f"{LAB}.41.1", "typical"),
    "rb-2": (f"{LAB}.41.2", "compliant"),
    "rb-3": (f"{LAB}.41.3", "noncompliant"),
    "rb-4": (f"{LAB}.41.4", "typical"),
}
PAUSE = 1.0  # reboot_seconds of these servers
HOST_BOOT_ID = open("/proc/sys/kernel/random/boot_id").read().strip()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with rooted_district(tmp_path_factory.mktemp("reboot"), SERVERS, PAUSE) as district:
        yield district


def boot_id(lab, name: str) -> str:
    return ok(lab, name, "cat /proc/sys/kernel/random/boot_id").strip()


def ask(lab, name: str, command: str) -> None:
    """Run a power command as root on the server and wait until SSH is refused."""
    host = lab.inventory.host(name)
    try:
        result = run(lab, name, command, sudo=True, timeout=10)
        assert result.exit_code in (0, -1), result  # the session may end before the exit status
    except SessionError:
        pass  # or the connection drops first, as with a real reboot
    wait_until(lambda: refused(host.hostname, host.port), 10, f"{name} going down")


def wait_halted(lab, name: str) -> None:
    paths = lab.lab.paths.root_paths(lab.inventory.host(name))
    wait_until(lambda: not roots.mounts_under(paths.dir), 5, f"{name}'s root unmounted")


def reboot_from_inside(lab, name: str, command: str) -> tuple[str, float]:
    """Run ``command`` (sudo) on the server; wait until SSH is refused, then until it answers
    with a new boot id. Returns (new boot id, seconds the server did not answer)."""
    address, port = lab.inventory.host(name).hostname, lab.inventory.host(name).port
    before = boot_id(lab, name)
    ask(lab, name, command)
    down = wait_until(lambda: answers(address, port), 60, f"{name} coming back")
    after = boot_id(lab, name)
    assert after != before
    return after, down


@pytest.mark.parametrize(
    "name, command",
    [("rb-1", "reboot"), ("rb-2", "shutdown -r now"), ("rb-3", "systemctl reboot")],
)
def test_reboot_from_inside(lab, name, command):
    first = boot_id(lab, name)
    assert first != HOST_BOOT_ID and len(first) == 36
    ok(lab, name, "touch /run/reboot-required /home/ictops/kept && echo x > /run/mine", sudo=True)
    new, down = reboot_from_inside(lab, name, command)
    assert new not in (first, HOST_BOOT_ID)
    assert down >= PAUSE * 0.8  # the realistic pause: SSH refused meanwhile
    assert ok(lab, name, "ls -A /run").split() == sorted(
        ["ictops-lab", "ictops-lab-hello.pid", "lock", "sshd"]
    )  # /run cleared; the enabled lab service started again at boot
    assert ok(lab, name, "ls /home/ictops") == "kept\n"  # the disk survives a reboot
    status = run(lab, name, "service ictops-lab-hello status", sudo=True)
    assert status.exit_code == 0, status


def read(lab, name: str, fact, *args):
    """One fact of a lab server, read by ictops' own fact reader (a session of its own)."""
    host = lab.inventory.host(name)
    with open_server_session(host, lab.project.root, lab.project.known_hosts) as session:
        return Facts(host, lambda: session).get(fact, *args)


def test_the_fact_readers_see_a_kernel_update_and_its_reboot(lab):
    pending = read(lab, "rb-4", PENDING_UPDATES)
    assert sorted(u.name for u in pending.updates) == ["ictops-lab-hello", "ictops-lab-kernel"]
    assert [u.name for u in pending.security] == ["ictops-lab-kernel"]
    assert read(lab, "rb-4", REBOOT_REQUIRED) == RebootNeed(False)
    ok(lab, "rb-4", "DEBIAN_FRONTEND=noninteractive apt-get -y -q install ictops-lab-kernel "
                    "</dev/null", sudo=True)
    assert read(lab, "rb-4", REBOOT_REQUIRED) == RebootNeed(True, ("ictops-lab-kernel",))
    before = read(lab, "rb-4", BOOT_ID)
    reboot_from_inside(lab, "rb-4", "reboot")
    assert read(lab, "rb-4", BOOT_ID) not in (before, HOST_BOOT_ID)
    assert read(lab, "rb-4", REBOOT_REQUIRED) == RebootNeed(False)
    assert read(lab, "rb-4", SERVICE, "ictops-lab-hello") == ServiceState(
        "ictops-lab-hello", "sysv", active=True, enabled=True
    )


def test_each_server_has_its_own_boot_id(lab):
    ids = {name: boot_id(lab, name) for name in SERVERS}
    assert len(set(ids.values()) | {HOST_BOOT_ID}) == len(SERVERS) + 1


def test_reboot_needs_root(lab):
    before = boot_id(lab, "rb-1")
    denied = run(lab, "rb-1", "/usr/sbin/reboot")
    assert (denied.exit_code, denied.stderr) == (1, "reboot: must be superuser.\n")
    denied = run(lab, "rb-1", "shutdown -r +5", sudo=True)
    assert denied.exit_code == 1 and "only shuts down at once" in denied.stderr
    assert boot_id(lab, "rb-1") == before


def test_reboot_hang_fault_keeps_the_server_down_until_lab_up(lab):
    host = lab.inventory.host("rb-2")
    lab.lab.set_fault(host, "reboot-hang")
    ask(lab, "rb-2", "reboot")
    wait_halted(lab, "rb-2")
    assert refused(host.hostname, host.port)
    lab.lab.set_fault(host, None)
    assert lab.lab.up(timeout=30) == (1, 0)  # powered on by hand
    assert boot_id(lab, "rb-2") != HOST_BOOT_ID


def test_poweroff_stays_down_until_lab_up(lab):
    host = lab.inventory.host("rb-1")
    ask(lab, "rb-1", "shutdown -h now")
    wait_halted(lab, "rb-1")
    status = {d.name: d.running for d in lab.lab.status()}
    assert status == {"rb-1": False, "rb-2": True, "rb-3": True, "rb-4": True}
    assert lab.lab.up(timeout=30) == (1, 0)
    assert answers(host.hostname, host.port)


def test_down_stops_the_supervisor_and_up_starts_it_again(lab):
    lab_dir = lab.project.lab_dir
    pid_file = lab_dir / "supervisor.pid"
    first = pid_of(pid_file, servers.SUPERVISOR)
    assert first is not None
    lab.lab.down()
    assert pid_of(pid_file, servers.SUPERVISOR) is None
    assert [m for m in roots.mounts() if m.startswith(str(lab_dir.resolve()))] == []
    lab.lab.up(timeout=30)
    assert pid_of(pid_file, servers.SUPERVISOR) not in (None, first)
    reboot_from_inside(lab, "rb-3", "reboot")  # the new supervisor does its job
