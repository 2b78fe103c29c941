"""Lab servers in their own Debian roots for integration tests: start them, talk to them.

The base root is built once per machine (~45 s, cached in /var/cache/ictops-lab) and the lab's
apt repository and profile layers once per change of their sources (a few seconds); every later
run only mounts overlays.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Event

import pytest

from ictops.connections.base import CommandResult
from ictops.connections.server import open_server_session
from ictops.errors import LabError
from ictops.lab import roots, sshd
from tests.integration.district import District, make_project, start_district, stop_district


def require_roots() -> None:
    """Skip when this machine cannot run Debian roots at all (not root, no sshd, no base and
    no way to build it)."""
    if os.geteuid() != 0:
        pytest.skip("Debian roots need root (mount, chroot)")
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed (make test installs it)")
    if roots.base_dir().is_dir():
        return
    if not shutil.which("debootstrap"):
        pytest.skip("debootstrap is not installed (make test installs it)")
    mirror = urllib.parse.urlparse(roots.apt_mirror())
    try:
        socket.create_connection((mirror.hostname, mirror.port or 80), timeout=5).close()
    except OSError as exc:
        pytest.skip(
            f"no cached base root and debootstrap cannot reach the mirror {mirror.hostname}: {exc}"
        )
    try:
        roots.ensure_base()
    except LabError as exc:
        pytest.skip(f"debootstrap could not build the base root: {exc}")


def hosts_yaml(servers: dict[str, tuple[str, str]], reboot_seconds: float | None = None) -> str:
    """Inventory lines for ``{name: (address, profile)}``, each in its own Debian root."""
    extra = f", reboot_seconds: {reboot_seconds}" if reboot_seconds is not None else ""
    return "".join(
        f"{name}:\n  hostname: {address}\n  groups: [servers, school_a]\n"
        f"  data: {{lab: {{root: debian, profile: {profile}{extra}}}}}\n"
        for name, (address, profile) in servers.items()
    )


@contextmanager
def rooted_district(
    tmp: Path, servers: dict[str, tuple[str, str]], reboot_seconds: float | None = None
) -> Iterator[District]:
    require_roots()
    project = make_project(
        tmp, servers=[], cisco=[], huawei=[], extra_hosts=hosts_yaml(servers, reboot_seconds)
    )
    district = start_district(project)
    try:
        yield district
    finally:
        stop_district(district)


def run(district: District, name: str, command: str, sudo: bool = False,
        timeout: float = 120) -> CommandResult:
    """Run ``command`` on lab server ``name`` over SSH (a new session each time)."""
    host = district.inventory.host(name)
    with open_server_session(host, district.project.root, district.project.known_hosts) as s:
        return s.run(command, sudo=sudo, timeout=timeout)


def ok(district: District, name: str, command: str, sudo: bool = False) -> str:
    """The stdout of a command that must succeed."""
    result = run(district, name, command, sudo=sudo)
    assert result.exit_code == 0, (command, result.exit_code, result.stdout, result.stderr)
    return result.stdout


def refused(address: str, port: int) -> bool:
    """True when nothing listens at address:port (connection refused): the server is down.
    A slow answer is not a refusal: on a loaded machine sshd may take seconds to greet."""
    try:
        socket.create_connection((address, port), timeout=10).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        pass
    return False


def answers(address: str, port: int, timeout: float = 60) -> bool:
    """True once the SSH server at address:port greets with its banner, within ``timeout``."""
    return sshd.wait_banner(address, port, time.monotonic() + timeout)


def wait_until(condition, timeout: float, what: str) -> float:
    """Poll ``condition()`` until it is true; fail naming ``what`` at the deadline.
    Returns the seconds it took."""
    start = time.monotonic()
    waiter = Event()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        waiter.wait(0.05)
    return time.monotonic() - start
