"""Stand up, inspect and stop the simulated district for an inventory.

Every inventory host whose address is in 127.0.0.0/8 gets a device of its kind:
a real OpenSSH ``sshd`` for a server, a simulated switch for a switch (all
switches are served by one simulator process). Readiness is the SSH banner,
never a sleep. What runs is recorded in ``state/lab/``; ``up`` on a running lab
starts only what is missing.

A server with ``lab: {root: debian}`` in its data runs in its own Debian root
(``ictops.lab.servers``: overlay under ``state/lab/roots/<host>/``, profile from
``lab.profile``, the lab's apt repository, reboots through the lab's supervisor); the others
share the host's filesystem. docs/lab.md describes it all.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ictops.errors import LabError
from ictops.inventory.host import Host
from ictops.inventory.inventory import Inventory
from ictops.lab import daemon, roots, sshd
from ictops.lab.servers import RootFleet, rooted_server
from ictops.lab.supervisor import SERVER_FAULTS, server_fault
from ictops.lab.switchsim.faults import FAULT_MODES, atomic_write, read_fault, set_fault
from ictops.lab.switchsim.spec import PLATFORMS as SIM_PLATFORMS
from ictops.lab.switchsim.spec import DeviceSpec, SimSpec
from ictops.project import Project

SIM_PID = "switchsim.pid"
SIM_MODULE = "ictops.lab.switchsim"
DEFAULT_REBOOT_SECONDS = 3.0


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False


@dataclass(frozen=True)
class LabPaths:
    """Where the lab keeps its files (under state/lab/)."""

    root: Path

    @property
    def sim_spec(self) -> Path:
        return self.root / "switchsim.json"

    @property
    def sim_pid(self) -> Path:
        return self.root / SIM_PID

    @property
    def sim_log(self) -> Path:
        return self.root / "switchsim.log"

    @property
    def faults(self) -> Path:
        return self.root / "faults"

    @property
    def roots(self) -> Path:
        return self.root / "roots"

    def root_paths(self, host: Host) -> roots.RootPaths:
        return roots.RootPaths(self.roots / host.name)

    def sshd_spec(self, host: Host, user: str) -> sshd.SshdSpec:
        if root_kind(host):
            return self._rooted_spec(host)
        base = self.root / "servers" / host.name
        return sshd.SshdSpec(
            name=host.name,
            address=host.hostname,
            port=host.port,
            host_key=base / "ssh_host_ed25519_key",
            pid_file=base / "sshd.pid",
            config_file=base / "sshd_config",
            log_file=base / "sshd.log",
            authorized_keys=self.root / "authorized_keys",
            user=user,
        )

    def _rooted_spec(self, host: Host) -> sshd.SshdSpec:
        paths = self.root_paths(host)
        return sshd.SshdSpec(
            name=host.name,
            address=host.hostname,
            port=host.port,
            host_key=paths.inside("etc/ssh/ssh_host_ed25519_key"),
            pid_file=paths.inside(roots.SSHD_PID),
            config_file=paths.inside(f"{roots.LAB_ETC}/sshd_config"),
            log_file=paths.inside("var/log/ictops-lab/sshd.log"),
            authorized_keys=paths.inside(f"{roots.LAB_ETC}/authorized_keys"),
            user=roots.LAB_USER,
            root=paths.merged,
        )


def _lab_data(host: Host) -> dict:
    lab = host.data.get("lab")
    return lab if isinstance(lab, dict) else {}


def root_kind(host: Host) -> str | None:
    """``debian`` when the host's data asks for its own root (``lab: {root: debian}``), else None."""
    kind = _lab_data(host).get("root")
    if kind in (None, False, "", "host"):
        return None
    if kind not in roots.ROOT_KINDS:
        raise LabError(f"host {host.name}: lab.root '{kind}' is not known; use {', '.join(roots.ROOT_KINDS)} or leave it out")
    return str(kind)


def root_profile(host: Host) -> str:
    profile = str(_lab_data(host).get("profile") or "typical")
    if profile not in roots.PROFILES:
        raise LabError(f"host {host.name}: lab.profile '{profile}' is not known; use one of {', '.join(roots.PROFILES)}")
    return profile


def reboot_seconds(host: Host) -> float:
    """How long a reboot of the lab server takes (``lab: {reboot_seconds: N}``, default 3)."""
    value = _lab_data(host).get("reboot_seconds", DEFAULT_REBOOT_SECONDS)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3600:
        raise LabError(f"host {host.name}: lab.reboot_seconds must be a number of seconds (0-3600)")
    return float(value)


@dataclass(frozen=True)
class DeviceStatus:
    name: str
    kind: str  # server | switch
    address: str
    running: bool
    fault: str | None = None
    root: str | None = None  # "debian/compliant (mounted)" for a server in its own root


class Lab:
    """The simulated district of one project and inventory."""

    def __init__(self, project: Project, inventory: Inventory):
        self.project = project
        self.paths = LabPaths(project.lab_dir)
        lab_hosts = [h for h in inventory.hosts.values() if is_loopback(h.hostname)]
        self.servers = [h for h in lab_hosts if h.is_server]
        self.switches = [h for h in lab_hosts if h.is_switch]
        self.rooted = [h for h in self.servers if root_kind(h)]  # validates lab.root early
        for h in self.rooted:
            root_profile(h)
            reboot_seconds(h)
        unsupported = sorted({h.platform_name for h in self.switches} - set(SIM_PLATFORMS))
        if unsupported:
            names = [h.name for h in self.switches if h.platform_name in unsupported]
            raise LabError(
                f"the lab cannot simulate platform {', '.join(unsupported)} ({', '.join(names[:3])}); "
                f"simulated platforms: {', '.join(SIM_PLATFORMS)}"
            )

    # --- secrets the simulated switches accept --------------------------------------------
    def _lab_secret(self, host: Host, attribute: str) -> str:
        """The switch's password or enable secret, as its inventory reference says.

        A ``file:`` reference inside state/lab is created with a random value; an ``env:``
        reference must be set by the user.
        """
        ref = getattr(host, attribute)
        if ref is None:
            return ""
        if ref.file:
            path = (self.project.root / ref.file).resolve()
            if not path.exists() and self.paths.root.resolve() in path.parents:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(18) + "\n")
        return ref.resolve(self.project.root)

    # --- switches -----------------------------------------------------------------------------
    def _sim_spec(self) -> SimSpec:
        devices = []
        for h in self.switches:
            lab = h.data.get("lab") if isinstance(h.data.get("lab"), dict) else {}
            devices.append(
                DeviceSpec(
                    name=h.name,
                    address=h.hostname,
                    port=h.port,
                    platform=h.platform_name,
                    hostname=str(lab.get("hostname") or h.name.upper()),
                    username=h.username or "admin",
                    password=self._lab_secret(h, "password"),
                    enable_secret=self._lab_secret(h, "enable_secret"),
                    host_key=str(self.paths.root / "switches" / h.name / "ssh_host_ed25519_key"),
                    state_file=str(self.paths.root / "switches" / h.name / "state.json"),
                    profile=str(lab.get("profile") or "typical"),
                )
            )
        return SimSpec(log_file=str(self.paths.sim_log), faults_dir=str(self.paths.faults), devices=devices)

    def _sim_pid(self) -> int | None:
        return daemon.pid_of(self.paths.sim_pid, SIM_MODULE)

    def _start_switches(self, timeout: float) -> int:
        """Start (or restart, when the device list changed) the simulator. Returns #started."""
        if not self.switches:
            return 0
        spec = self._sim_spec()
        pid = self._sim_pid()
        if pid is not None:
            running = self.paths.sim_spec.read_text() if self.paths.sim_spec.exists() else ""
            if running == spec.to_json():
                return 0
            self._stop_switches(timeout=5.0)  # device list changed: configs persist in state files
        self.paths.faults.mkdir(parents=True, exist_ok=True)
        self.paths.root.mkdir(parents=True, exist_ok=True)
        spec.write(self.paths.sim_spec)
        os.chmod(self.paths.sim_spec, 0o600)  # it holds the lab's switch passwords
        proc = daemon.spawn(SIM_MODULE, [str(self.paths.sim_spec)], self.paths.sim_pid, self.paths.sim_log)
        targets = [(h.hostname, h.port) for h in self.switches]
        not_ready = self._wait_ready(targets, timeout, proc)
        if not_ready:
            raise LabError(
                f"simulated switches not answering within {timeout:.0f}s: "
                f"{', '.join(f'{a}:{p}' for a, p in not_ready[:5])}; see {self.project.relative(self.paths.sim_log)}"
            )
        return len(self.switches)

    def _wait_ready(self, targets, timeout: float, proc: subprocess.Popen) -> list[tuple[str, int]]:
        # faulty devices (no-banner) never answer: do not wait for them
        quiet = {(h.hostname, h.port) for h in self.switches if self.fault(h.name) == "no-banner"}
        targets = [t for t in targets if t not in quiet]
        deadline = time.monotonic() + timeout
        not_ready = targets
        while not_ready and time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LabError(
                    f"the switch simulator exited (code {proc.returncode}); "
                    f"see {self.project.relative(self.paths.sim_log)}"
                )
            not_ready = sshd.wait_banners(not_ready, min(1.0, deadline - time.monotonic()))
        return not_ready

    def _stop_switches(self, timeout: float) -> bool:
        return daemon.stop(self.paths.sim_pid, SIM_MODULE, timeout)

    # --- servers ------------------------------------------------------------------------------
    def _root_fleet(self) -> RootFleet:
        servers = []
        for h in self.rooted:
            spec = self.paths.sshd_spec(h, sshd.LAB_USER)
            server = rooted_server(h.name, self.paths.root_paths(h), spec, reboot_seconds(h))
            servers.append((server, root_profile(h)))
        return RootFleet(self.paths.root, servers)

    def _start_servers(self, timeout: float) -> int:
        if not self.servers:
            return 0
        if not Path(sshd.SSHD).exists():
            raise LabError(f"{sshd.SSHD} is missing; install it: apt-get install -y openssh-server")
        user = sshd.ensure_lab_user()
        sshd.ensure_client_key(self.paths.root)
        started = 0
        if self.rooted:
            started = self._root_fleet().up(self.paths.root / "authorized_keys", timeout)
        plain = [self.paths.sshd_spec(h, user) for h in self.servers if h not in self.rooted]
        todo = [s for s in plain if not sshd.sshd_running(s.pid_file)]
        for spec in todo:
            sshd.write_config(spec)
        if todo:
            sshd.start_sshd(todo, timeout=timeout)
        return started + len(todo)

    # --- the verbs ----------------------------------------------------------------------------
    def up(self, timeout: float = 15.0) -> tuple[int, int]:
        """Start what is not running. Returns (servers started, switches started)."""
        if not self.servers and not self.switches:
            raise LabError("no inventory host has a 127.x.x.x address: nothing to simulate")
        servers = self._start_servers(timeout)
        switches = self._start_switches(timeout)
        return servers, switches

    def down(self, timeout: float = 5.0) -> tuple[int, int]:
        """Stop every lab device of this project. Returns (servers, switch processes) stopped."""
        pid_files = sorted((self.paths.root / "servers").glob("*/sshd.pid"))
        running = [p for p in pid_files if sshd.sshd_running(p)]
        sshd.stop_sshd(running, timeout=timeout)
        for p in pid_files:
            p.unlink(missing_ok=True)
        rooted = self._root_fleet().down(timeout)
        return len(running) + rooted, int(self._stop_switches(timeout))

    def fault(self, name: str) -> str | None:
        return read_fault(self.paths.faults, name) or server_fault(self.paths.faults, name)

    def set_fault(self, host: Host, mode: str | None) -> None:
        if host in self.rooted and mode in (None, *SERVER_FAULTS):
            path = self.paths.faults / host.name
            if mode is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, mode + "\n")
            return
        if host not in self.switches:
            raise LabError(
                f"{host.name} is not a simulated switch: fault '{mode}' does not apply "
                f"(servers in their own Debian root take {', '.join(SERVER_FAULTS)})"
            )
        if mode is not None and mode not in FAULT_MODES:
            raise LabError(
                f"unknown fault '{mode}'; use one of {', '.join(FAULT_MODES)} or 'none'"
            )
        set_fault(self.paths.faults, host.name, mode)

    def status(self) -> list[DeviceStatus]:
        result = []
        sim_up = self._sim_pid() is not None
        for h in self.servers:
            spec = self.paths.sshd_spec(h, sshd.LAB_USER)
            root = None
            if h in self.rooted:
                paths = self.paths.root_paths(h)
                mounted = roots.is_mounted(paths)
                profile = roots.profile_of(paths) if mounted else None
                root = f"{root_kind(h)}/{profile or root_profile(h)} ({'mounted' if mounted else 'not mounted'})"
            address = f"{h.hostname}:{h.port}"
            running = sshd.sshd_running(spec.pid_file)
            result.append(DeviceStatus(h.name, "server", address, running, self.fault(h.name), root))
        for h in self.switches:
            result.append(DeviceStatus(h.name, "switch", f"{h.hostname}:{h.port}", sim_up, self.fault(h.name)))
        return result
