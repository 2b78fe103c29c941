"""Power on, power off and reboot a lab server in its own root: the lab plays init.

Booting a server (:func:`boot`) mounts its root (``roots.mount_root``: overlay on its layers,
/dev, /proc and a fresh tmpfs /run), gives it a new boot id, starts the services linked in its
``/etc/rc2.d`` whose names begin with ``ictops-lab-`` (as init would in runlevel 2; the
machine's own daemons such as chrony or rsyslog never run in a lab server) and starts its sshd.
:func:`halt` stops the sshd, ends every process left in the root and unmounts it (the upper
layer stays). A reboot is a halt, a pause, a boot.

The boot id: ``/proc/sys/kernel/random/boot_id`` is the machine's in a chroot, so each boot
writes a new one to ``state/lab/roots/<host>/boot_id`` and bind-mounts it read-only over that
file inside the root. A fact reader reads ``/proc/sys/kernel/random/boot_id`` on lab and real
servers alike and needs nothing lab-specific.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ictops.lab import roots, sshd
from ictops.lab.cache import locked
from ictops.lab import mounts
from ictops.lab.mounts import MS_BIND, MS_RDONLY, MS_REMOUNT

BOOT_ID_IN_ROOT = "proc/sys/kernel/random/boot_id"
RUNLEVEL_DIR = "etc/rc2.d"
_LAB_SERVICE = re.compile(r"^S[0-9]{2}(ictops-lab-[a-z0-9.+-]+)$")
SERVICE_TIMEOUT = 30.0
BOOT_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "TERM": "dumb"}


@dataclass(frozen=True)
class RootedServer:
    """A lab server in its own root: where the root is, what it is stacked on, its sshd."""

    name: str
    paths: roots.RootPaths
    lowers: tuple[Path, ...]
    sshd: sshd.SshdSpec
    reboot_seconds: float = 3.0

    @property
    def lock_file(self) -> Path:
        """Held while the server is booted, halted or rebooted (by lab up/down, the supervisor)."""
        return self.paths.dir / "lock"

    @property
    def boot_id_file(self) -> Path:
        return self.paths.dir / "boot_id"

    @property
    def pid_file(self) -> Path:
        return self.sshd.pid_file

    def to_dict(self) -> dict:
        spec = {k: (str(v) if isinstance(v, Path) else v) for k, v in self.sshd.__dict__.items()}
        return {"name": self.name, "dir": str(self.paths.dir),
                "lowers": [str(p) for p in self.lowers], "sshd": spec,
                "reboot_seconds": self.reboot_seconds}

    @classmethod
    def from_dict(cls, data: dict) -> RootedServer:
        paths = {"host_key", "pid_file", "config_file", "log_file", "authorized_keys", "root"}
        spec = {k: (Path(v) if k in paths and v is not None else v) for k, v in data["sshd"].items()}
        return cls(name=data["name"], paths=roots.RootPaths(Path(data["dir"])),
                   lowers=tuple(Path(p) for p in data["lowers"]), sshd=sshd.SshdSpec(**spec),
                   reboot_seconds=float(data["reboot_seconds"]))


def to_json(servers: list[RootedServer]) -> str:
    return json.dumps([s.to_dict() for s in servers], indent=1, sort_keys=True)


def from_json(text: str) -> list[RootedServer]:
    return [RootedServer.from_dict(d) for d in json.loads(text)]


# --- boot ---------------------------------------------------------------------------------------
def mount(server: RootedServer) -> None:
    """Mount the server's root with a fresh /run and a new boot id (the first half of a boot)."""
    roots.mount_root(server.paths, server.lowers)
    _new_boot_id(server)


def start(servers: list[RootedServer], timeout: float) -> None:
    """Start the lab services and the sshd of mounted servers (the second half of a boot);
    returns when every sshd answers, else LabError naming those that do not."""
    with ThreadPoolExecutor(max_workers=min(8, max(1, len(servers)))) as pool:
        list(pool.map(start_services, servers))
    for server in servers:
        sshd.write_config(server.sshd)
    sshd.start_sshd([s.sshd for s in servers], timeout=timeout)


def boot(servers: list[RootedServer], timeout: float) -> None:
    for server in servers:
        mount(server)
    start(servers, timeout)


def _new_boot_id(server: RootedServer) -> None:
    target = server.paths.merged.resolve() / BOOT_ID_IN_ROOT
    if str(target) in mounts.mounts():
        mounts.umount(str(target))
    server.boot_id_file.unlink(missing_ok=True)  # read-only: write a new file
    server.boot_id_file.write_text(f"{uuid.uuid4()}\n")
    server.boot_id_file.chmod(0o444)
    mounts.mount(str(server.boot_id_file), target, None, MS_BIND)
    mounts.mount("none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def boot_id(server: RootedServer) -> str | None:
    """The server's current boot id (what /proc/sys/kernel/random/boot_id shows inside it)."""
    try:
        return server.boot_id_file.read_text().strip() or None
    except OSError:
        return None


def lab_services(paths: roots.RootPaths) -> list[str]:
    """The lab services a boot starts: ``ictops-lab-*`` linked as S?? in /etc/rc2.d, in order."""
    try:
        names = sorted(p.name for p in paths.inside(RUNLEVEL_DIR).iterdir())
    except OSError:
        return []
    return [m.group(1) for n in names if (m := _LAB_SERVICE.match(n))]


def start_services(server: RootedServer) -> None:
    """Run ``/etc/init.d/NAME start`` in the root for each lab service; a service that fails
    does not stop the boot (as on a real machine): see /var/log/ictops-lab/boot.log."""
    log = server.paths.inside("var/log/ictops-lab/boot.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as out:
        for name in lab_services(server.paths):
            argv = sshd.in_root(server.paths.merged, ["/usr/bin/env", "-i", *(
                f"{k}={v}" for k, v in BOOT_ENV.items()), f"/etc/init.d/{name}", "start"])
            out.write(f"boot: {name} start\n")
            out.flush()
            try:
                subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                               timeout=SERVICE_TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                out.write(f"boot: {name} did not start within {SERVICE_TIMEOUT:.0f}s\n")


# --- halt ---------------------------------------------------------------------------------------
def halt(server: RootedServer, timeout: float = 5.0) -> None:
    """Stop the server: its sshd, every process in its root, then unmount the root."""
    if sshd.sshd_running(server.pid_file):
        sshd.stop_sshd([server.pid_file], timeout=timeout)
    roots.unmount_root(server.paths, timeout)


def lock(server: RootedServer):
    """The server's lock (a context manager): one power operation at a time."""
    return locked(server.lock_file)
