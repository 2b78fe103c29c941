"""Per-server Debian roots for the lab: one cached debootstrap base, an overlayfs per server.

A lab server whose inventory data says ``lab: {root: debian}`` runs its sshd inside its own
root (``chroot ROOT /usr/sbin/sshd ...``), so it has its own /etc, packages and logs:

- the base: ``debootstrap --variant=minbase`` of bookworm with openssh-server, sudo, chrony,
  rsyslog, logrotate and ca-certificates, built once per machine into the cache
  (``ictops.lab.cache``: ``/var/cache/ictops-lab/bookworm-base``). It holds the lab user
  ``ictops`` with passwordless sudo and no SSH host keys (each server makes its own). The
  layers a server stacks on it (apt repository, profile packages) are ``ictops.lab.layers``.
- per server, under ``state/lab/roots/<host>/``: ``upper/`` + ``work/`` + ``merged/``
  (the overlay), a small ``/dev`` (tmpfs with device nodes, its own devpts), ``/proc`` and a
  tmpfs ``/run``. At creation the server gets its hostname, its host key and the files of its
  profile (``ictops/data/lab_roots/<profile>/``, copied over the root's /etc).

Everything mounted under a root is unmounted by :func:`unmount_root`; processes still
running inside a root are ended first (:func:`kill_processes_in`). Booting, halting and
rebooting a server are ``ictops.lab.boot``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from threading import Event

from ictops.errors import LabError
from ictops.lab.cache import CACHE_DIR, build_once
from ictops.lab.mounts import (
    MS_NODEV,
    MS_NOSUID,
    mount,
    mounts,
    mounts_under,  # noqa: F401 - re-exported: the lab's callers use roots.mounts_under
    unmount_all_under,
)
from ictops.lab.run import run
SUITE = "bookworm"
BASE_NAME = f"{SUITE}-base"
INCLUDE = ("openssh-server", "sudo", "chrony", "rsyslog", "logrotate", "ca-certificates")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
LAB_USER = "ictops"
ROOT_KINDS = ("debian",)
PROFILES = ("typical", "compliant", "noncompliant")
LAB_ETC = "etc/ictops-lab"  # the lab's own sshd config and authorized key, inside a root
CREATED_MARK = f"{LAB_ETC}/created"
SSHD_PID = "run/ictops-lab/sshd.pid"  # inside a root (in its /run: gone after a reboot)
# (name, major, minor): the devices an sshd session and its tools need
DEVICES = (
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
)
DEV_LINKS = (
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
)


# --- the base -----------------------------------------------------------------------------------
def apt_mirror(etc_apt: Path = Path("/etc/apt")) -> str:
    """The Debian mirror this machine's apt uses (deb822 ``debian.sources`` first, then
    ``sources.list``); :data:`DEFAULT_MIRROR` when neither names one."""
    for path in sorted((etc_apt / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", _read(path)):
            fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.MULTILINE))
            suites = fields.get("Suites", "").split()
            if SUITE in suites and fields.get("URIs"):
                return fields["URIs"].split()[0]
    for path in [etc_apt / "sources.list", *sorted((etc_apt / "sources.list.d").glob("*.list"))]:
        for line in _read(path).splitlines():
            match = re.match(
                r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+" + SUITE + r"\s", line.strip() + " "
            )
            if match:
                return match.group(1)
    return DEFAULT_MIRROR


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def base_dir(cache: Path = CACHE_DIR) -> Path:
    return cache / BASE_NAME


def ensure_base(cache: Path = CACHE_DIR, mirror: str | None = None, timeout: float = 900) -> Path:
    """The cached base root, built first if missing. Raises LabError when it cannot be built."""
    base = base_dir(cache)
    if base.is_dir():
        return base
    if os.geteuid() != 0:
        raise LabError("Debian roots for lab servers need root (debootstrap, mount, chroot)")
    if not shutil.which("debootstrap"):
        raise LabError("debootstrap is missing; install it: apt-get install -y debootstrap")
    source = mirror or apt_mirror()

    def build(tmp: Path) -> None:
        argv = ["debootstrap", "--variant=minbase", f"--include={','.join(INCLUDE)}", SUITE]
        run([*argv, str(tmp), source], f"debootstrap {SUITE} (from {source})", timeout=timeout)
        _prepare_base(tmp)

    return build_once(cache, BASE_NAME, build)


def _prepare_base(root: Path) -> None:
    """What every lab root shares: no daemons from package scripts, no shared host keys, the
    lab user with passwordless sudo, the directories sshd needs."""
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\n# ictops lab: package scripts start no daemons\nexit 101\n")
    policy.chmod(0o755)
    for key in (root / "etc/ssh").glob("ssh_host_*"):
        key.unlink()
    chroot = ["chroot", str(root)]
    run([*chroot, "useradd", "-m", "-s", "/bin/sh", LAB_USER], f"creating {LAB_USER} in the base")
    run([*chroot, "usermod", "-p", "*", LAB_USER], f"unlocking {LAB_USER} in the base")
    sudoers = root / "etc/sudoers.d/ictops-lab"
    sudoers.write_text(f"{LAB_USER} ALL=(ALL) NOPASSWD:ALL\n")
    sudoers.chmod(0o440)
    run(
        [*chroot, "visudo", "-c", "-f", "/etc/sudoers.d/ictops-lab"],
        "checking the base's sudoers rule",
    )
    for directory in ("run/sshd", LAB_ETC, "var/log/ictops-lab", "run/ictops-lab"):
        (root / directory).mkdir(parents=True, exist_ok=True)
    run([*chroot, "apt-get", "clean"], "cleaning the base's apt cache")


# --- per server ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RootPaths:
    """One server's root: ``dir/upper``, ``dir/work``, ``dir/merged`` (what sshd sees as /)."""

    dir: Path

    @property
    def upper(self) -> Path:
        return self.dir / "upper"

    @property
    def work(self) -> Path:
        return self.dir / "work"

    @property
    def merged(self) -> Path:
        return self.dir / "merged"

    def inside(self, path: str) -> Path:
        """The host path of ``path`` as seen inside the root."""
        return self.merged / path.lstrip("/")


def is_mounted(paths: RootPaths) -> bool:
    return str(paths.merged.resolve()) in mounts()


def mount_root(paths: RootPaths, lowers: Sequence[Path]) -> None:
    """Mount the server's overlay on ``lowers`` (top first, the base last), its /dev, /proc and
    a fresh /run (a tmpfs, as on every Debian system: what is in /run is gone after a reboot).
    What is mounted already stays as it is."""
    for directory in (paths.upper, paths.work, paths.merged):
        directory.mkdir(parents=True, exist_ok=True)
    merged = paths.merged.resolve()
    present = set(mounts())
    if str(merged) not in present:
        lower = ":".join(str(p.resolve()) for p in lowers)
        options = f"lowerdir={lower},upperdir={paths.upper.resolve()},workdir={paths.work.resolve()}"
        mount("overlay", merged, "overlay", 0, options)
    dev = merged / "dev"
    if str(dev) not in present:
        mount("ictops-dev", dev, "tmpfs", MS_NOSUID, "mode=755,size=1m")
        for name, major, minor in DEVICES:
            os.mknod(dev / name, 0o666 | 0o020000, os.makedev(major, minor))  # S_IFCHR
            os.chmod(dev / name, 0o666)  # mknod honours the umask
        for name, target in DEV_LINKS:
            os.symlink(target, dev / name)
        (dev / "pts").mkdir()
        (dev / "shm").mkdir(mode=0o1777)
        os.chmod(dev / "shm", 0o1777)
    if str(dev / "pts") not in present:
        options = "newinstance,ptmxmode=0666,mode=0620,gid=5"
        mount("ictops-devpts", dev / "pts", "devpts", MS_NOSUID, options)
    if str(merged / "proc") not in present:
        mount("proc", merged / "proc", "proc", MS_NOSUID | MS_NODEV)
    run_dir = merged / "run"
    if str(run_dir) not in present:
        mount("ictops-run", run_dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=32m")
        for name, mode in (("sshd", 0o755), ("lock", 0o1777), ("ictops-lab", 0o755)):
            (run_dir / name).mkdir(exist_ok=True)
            os.chmod(run_dir / name, mode)


def is_created(paths: RootPaths) -> bool:
    return paths.inside(CREATED_MARK).is_file()


def personalise(paths: RootPaths, hostname: str, profile: str) -> None:
    """Make a freshly mounted root one distinct server: hostname, host key, profile files.

    Done once, when the root is created; later ``lab up`` keeps what the server became.
    """
    if profile not in PROFILES:
        raise LabError(f"unknown lab profile '{profile}'; use one of {', '.join(PROFILES)}")
    paths.inside("etc/hostname").write_text(f"{hostname}\n")
    hosts = paths.inside("etc/hosts")
    hosts.write_text(
        f"127.0.0.1\tlocalhost\n127.0.1.1\t{hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    )
    _copy_profile(profile, paths.merged)
    key = paths.inside("etc/ssh/ssh_host_ed25519_key")
    if not key.exists():
        run(
            [
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                f"root@{hostname}",
                "-f",
                str(key),
            ],
            f"creating the host key of {hostname}",
        )
    paths.inside(CREATED_MARK).write_text(f"{hostname} {profile}\n")


def profile_of(paths: RootPaths) -> str | None:
    """The profile the root was created with (None before creation)."""
    words = _read(paths.inside(CREATED_MARK)).split()
    return words[1] if len(words) > 1 else None


def _copy_profile(profile: str, merged: Path) -> None:
    """Copy ``ictops/data/lab_roots/<profile>/`` over the root (files keep mode 0644)."""
    source = resources.files("ictops.data").joinpath("lab_roots", profile)
    with resources.as_file(source) as tree:
        if not tree.is_dir():
            return
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                target = merged / path.relative_to(tree)
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink():
                    target.unlink()
                shutil.copyfile(path, target)
                target.chmod(0o644)


def install_authorized_keys(paths: RootPaths, authorized_keys: Path) -> Path:
    """Copy the lab's authorized key into the root (``/etc/ictops-lab/authorized_keys``)."""
    target = paths.inside(f"{LAB_ETC}/authorized_keys")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = authorized_keys.read_text()
    if _read(target) != data:
        target.write_text(data)
    target.chmod(0o644)
    return target


# --- stopping -----------------------------------------------------------------------------------
def processes_in(*merged: Path) -> list[int]:
    """Processes whose root directory is one of ``merged`` (the roots' sshd, sessions,
    daemons); one look at /proc for all of them."""
    tops = tuple(str(m.resolve()) for m in merged)
    inside = tuple(top + "/" for top in tops)
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                root = os.readlink(f"/proc/{entry}/root")
            except OSError:
                continue
            if root in tops or root.startswith(inside):
                pids.append(int(entry))
    return pids


def kill_processes_in(*merged: Path, timeout: float = 5.0) -> int:
    """SIGTERM every process inside the roots, SIGKILL what is left at the deadline. Returns #."""
    if not merged or not (pids := processes_in(*merged)):
        return 0
    _signal(pids, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    waiter = Event()
    while (left := processes_in(*merged)) and time.monotonic() < deadline:
        waiter.wait(0.02)  # poll with a deadline
    if left:
        _signal(left, signal.SIGKILL)
        while processes_in(*merged) and time.monotonic() < deadline + 2.0:
            waiter.wait(0.02)
    return len(pids)


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def unmount_root(paths: RootPaths, timeout: float = 5.0) -> int:
    """End the processes inside the root and unmount its /proc, /dev and overlay. Returns #
    mounts removed. The upper layer stays: the next ``lab up`` finds the server as it was."""
    if paths.merged.exists():
        kill_processes_in(paths.merged, timeout=timeout)
    return unmount_all_under(paths.dir)
