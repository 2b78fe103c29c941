"""Real OpenSSH servers on loopback addresses: the lab's Linux servers.

Each lab server is one ``/usr/sbin/sshd`` with its own config, host key, pid file and log,
listening on its own 127.x.y.z address. All of them share one client key
(``lab_dir/id_ed25519``) and one ``authorized_keys`` file. Sessions log in as the
unprivileged user ``ictops`` (when run as root) whose shell is ``/bin/sh``, so no rc files
slow down each command.

A spec with a ``root`` runs its sshd inside that Debian root (``chroot ROOT /usr/sbin/sshd -f
/etc/ictops-lab/sshd_config ...``, see ``ictops.lab.roots``): sessions see only the root.

Sudo: ``ensure_lab_user`` gives ``ictops`` passwordless sudo only when ``sudo`` is installed
and ``/etc/sudoers.d`` exists. Without sudo, tasks that need it fail on the lab servers with
"sudo: not found" (install it with ``apt-get install -y sudo``).
"""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import Event

from ictops.errors import LabError
from ictops.lab.run import run

SSHD = "/usr/sbin/sshd"
LAB_USER = "ictops"
SUDOERS_FILE = Path("/etc/sudoers.d/ictops-lab")
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
POLL = 0.02  # seconds between two looks at a condition we wait for


@dataclass(frozen=True)
class SshdSpec:
    """One lab sshd instance: where it listens and where its files live."""

    name: str
    address: str
    port: int
    host_key: Path
    pid_file: Path
    config_file: Path
    log_file: Path
    authorized_keys: Path
    user: str = LAB_USER
    # A Debian root (ictops.lab.roots) the sshd runs in (chroot); the paths above are host
    # paths inside it, written into the config relative to the root. None: the host's own /.
    root: Path | None = None

    def seen(self, path: Path) -> str:
        """``path`` as sshd sees it: absolute on the host, or from the root's / when chrooted."""
        if self.root is None:
            return str(path.resolve())
        return "/" + str(path.resolve().relative_to(self.root.resolve()))


def ensure_lab_user() -> str:
    """The login user of the lab servers: ``ictops`` when root (created if needed), else the
    current user."""
    if os.geteuid() != 0:
        return getpass.getuser()
    try:
        pwd.getpwnam(LAB_USER)
    except KeyError:
        run(["useradd", "-m", "-s", "/bin/sh", LAB_USER], f"creating the user {LAB_USER}")
    # useradd leaves the account locked ("!"): with UsePAM no, sshd refuses even key logins.
    run(["usermod", "-p", "*", LAB_USER], f"unlocking the user {LAB_USER}")
    _ensure_sudo(LAB_USER)
    return LAB_USER


def _ensure_sudo(user: str) -> bool:
    """Passwordless sudo for the lab user, when sudo is installed. True if granted."""
    if not shutil.which("sudo") or not SUDOERS_FILE.parent.is_dir():
        return False
    text = f"{user} ALL=(ALL) NOPASSWD:ALL\n"
    if SUDOERS_FILE.is_file() and SUDOERS_FILE.read_text() == text:
        return True
    tmp = SUDOERS_FILE.parent / f".{SUDOERS_FILE.name}.tmp"
    tmp.write_text(text)
    tmp.chmod(0o440)
    visudo = shutil.which("visudo") or "/usr/sbin/visudo"
    check = subprocess.run([visudo, "-c", "-f", str(tmp)], capture_output=True)
    if check.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise LabError(f"the sudoers rule for {user} does not pass visudo -c")
    os.replace(tmp, SUDOERS_FILE)  # sudo ignores names with a dot, so the temp file was inert
    return True


def ensure_client_key(lab_dir: Path) -> Path:
    """The lab's ed25519 client key ``lab_dir/id_ed25519`` (created if missing), and
    ``lab_dir/authorized_keys`` holding its public key. Returns the private key path."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    key = lab_dir / "id_ed25519"
    if not key.is_file():
        run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ictops-lab", "-f", str(key)],
            "creating the lab client key",
        )
    public = Path(f"{key}.pub").read_text()
    authorized = lab_dir / "authorized_keys"
    if not authorized.is_file() or authorized.read_text() != public:
        authorized.write_text(public)
    # sshd reads authorized_keys as the login user: it must be readable by them.
    authorized.chmod(0o644)
    return key


def _ensure_host_key(path: Path) -> None:
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ictops-lab-host", "-f", str(path)],
        f"creating the host key {path}",
    )


def _authorized_keys_lines(spec: SshdSpec) -> list[str]:
    """How sshd finds the lab's authorized key.

    sshd reads AuthorizedKeysFile as the login user, who cannot enter a project kept under a
    private directory (pytest's tmp, /root). As root we let sshd read it as root through
    AuthorizedKeysCommand instead, wherever the project lives.
    """
    path = spec.seen(spec.authorized_keys)
    if os.geteuid() != 0:
        return [f"AuthorizedKeysFile {path}"]
    return [
        "AuthorizedKeysFile none",
        f"AuthorizedKeysCommand /bin/cat {path}",
        "AuthorizedKeysCommandUser root",
    ]


def write_config(spec: SshdSpec) -> Path:
    """Write the instance's sshd_config (and its host key if missing). Returns the config path."""
    _ensure_host_key(spec.host_key)
    for path in (spec.pid_file, spec.config_file, spec.log_file):
        path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# lab server {spec.name}: written by ictops, rewritten at each lab start",
        f"Port {spec.port}",
        f"ListenAddress {spec.address}",
        f"HostKey {spec.seen(spec.host_key)}",
        f"PidFile {spec.seen(spec.pid_file)}",
        *_authorized_keys_lines(spec),
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",  # keys under /tmp would fail "bad ownership or modes"
        "UseDNS no",
        "MaxStartups 100:30:200",
        "MaxSessions 50",
        f"Subsystem sftp {SFTP_SERVER}",
        f"AllowUsers {spec.user}",
        "LogLevel INFO",
        "",
    ]
    spec.config_file.write_text("\n".join(lines))
    return spec.config_file


def start_sshd(specs: Sequence[SshdSpec], timeout: float = 10.0) -> None:
    """Start every instance (configs must be written) and wait until all answer with a banner.

    Raises LabError naming the instances that failed, with the last line of their log.
    """
    procs = []
    for spec in specs:
        # privilege separation directory, on the host or in the server's root
        (spec.root / "run/sshd" if spec.root else Path("/run/sshd")).mkdir(
            parents=True, exist_ok=True
        )
        spec.log_file.parent.mkdir(parents=True, exist_ok=True)
        spec.log_file.write_text("")  # one start per log: old errors would mislead
        argv = [SSHD, "-f", spec.seen(spec.config_file), "-E", spec.seen(spec.log_file)]
        if spec.root is not None:
            argv = in_root(spec.root, argv)
        procs.append((spec, subprocess.Popen(argv, stdin=subprocess.DEVNULL)))
    deadline = time.monotonic() + timeout
    failed: list[str] = []
    for spec, proc in procs:  # sshd forks and its parent exits once the socket is bound
        try:
            code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = -1
        if code != 0:
            failed.append(f"{spec.name} ({spec.address}:{spec.port}): {_last_log_line(spec)}")
    if not failed:
        remaining = max(0.5, deadline - time.monotonic())
        not_ready = set(wait_banners([(s.address, s.port) for s in specs], remaining))
        failed = [
            f"{s.name} ({s.address}:{s.port}): no SSH banner within {timeout:.0f}s"
            for s in specs
            if (s.address, s.port) in not_ready
        ]
    if not failed:
        # sshd exits 0 even when it could not bind ("Cannot bind any address"): a banner
        # may then come from someone else (a lab left over by another project). Only our
        # own pid file naming a live sshd proves the listener is ours.
        failed = [
            f"{s.name} ({s.address}:{s.port}): {_last_log_line(s)} "
            "(is another lab or program using this address? see: ss -ltnp)"
            for s in specs
            if not _wait_pid_file(s, deadline)
        ]
    if failed:
        raise LabError("lab sshd did not start: " + "; ".join(failed[:5]))


def _wait_pid_file(spec: SshdSpec, deadline: float) -> bool:
    """True once the instance's pid file names a live sshd (polled until ``deadline``)."""
    waiter = Event()
    pid_file = spec.root / spec.seen(spec.pid_file).lstrip("/") if spec.root else spec.pid_file
    while True:
        if sshd_running(pid_file):
            return True
        if time.monotonic() >= deadline:
            return False
        waiter.wait(POLL)


def in_root(root: Path, argv: list[str]) -> list[str]:
    """``argv`` run chrooted in ``root``, in its own UTS namespace named as the root's
    /etc/hostname (so ``hostname`` and sudo's host lookup give the server's own name)."""
    try:
        name = (root / "etc/hostname").read_text().strip()
    except OSError:
        name = ""
    if not name:
        return ["chroot", str(root.resolve()), *argv]
    script = 'hostname "$1" && shift && exec chroot "$@"'
    return ["unshare", "--uts", "/bin/sh", "-c", script, "sh", name, str(root.resolve()), *argv]


def _last_log_line(spec: SshdSpec) -> str:
    try:
        lines = spec.log_file.read_text(errors="replace").strip().splitlines()
    except OSError:
        lines = []
    return lines[-1] if lines else f"see {spec.log_file}"


def wait_banner(address: str, port: int, deadline: float) -> bool:
    """True once the server at address:port sends ``SSH-2.0-`` before ``deadline``
    (a ``time.monotonic()`` value); connection refusals are retried until then."""
    waiter = Event()
    while (left := deadline - time.monotonic()) > 0:
        try:
            with socket.create_connection((address, port), timeout=left) as sock:
                data = b""
                while len(data) < 8 and (left := deadline - time.monotonic()) > 0:
                    sock.settimeout(left)
                    chunk = sock.recv(64)
                    if not chunk:
                        break
                    data += chunk
                if data.startswith(b"SSH-2.0-"):
                    return True
        except OSError:
            pass
        waiter.wait(min(POLL, max(0.0, deadline - time.monotonic())))  # poll with a deadline
    return False


def wait_banners(targets: Sequence[tuple[str, int]], timeout: float) -> list[tuple[str, int]]:
    """Wait for many servers at once; returns the (address, port) pairs not ready in time."""
    if not targets:
        return []
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(max_workers=min(64, len(targets))) as pool:
        ready = list(pool.map(lambda t: wait_banner(t[0], t[1], deadline), targets))
    return [t for t, ok in zip(targets, ready) if not ok]


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    return _started(pid) is not None


def _started(pid: int) -> int | None:
    """When ``pid`` started (clock ticks after boot), None when it is gone or a zombie: with
    the pid, what tells a process from a later one that reuses its pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return None if fields[0] == b"Z" else int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _is_sshd(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "sshd"
    except OSError:
        return False


def sshd_running(pid_file: Path) -> bool:
    """True when the pid file names a live sshd process."""
    pid = _read_pid(pid_file)
    return pid is not None and _alive(pid) and _is_sshd(pid)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(roots: Iterable[int]) -> list[int]:
    """The roots and all their descendants (by parent pid)."""
    children = _children_map()
    result: list[int] = []
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid in result:
            continue
        result.append(pid)
        todo.extend(children.get(pid, []))
    return result


def _signal_all(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def stop_sshd(pid_files: Iterable[Path], timeout: float = 5.0) -> None:
    """Stop the listeners named by the pid files and all their session processes.

    SIGTERM to the whole process tree, poll until it is gone, SIGKILL what is left at the
    deadline. Missing or stale pid files are ignored.
    """
    roots = [pid for f in pid_files if (pid := _read_pid(f)) and _alive(pid) and _is_sshd(pid)]
    if not roots:
        return
    # collected before the signal (orphans would be reparented to init), each with its start
    # time: on a busy machine a pid that exits is soon reused, and we must not signal that one
    procs = {pid: started for pid in _tree(roots) if (started := _started(pid)) is not None}
    _signal_all(procs, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    waiter = Event()
    while time.monotonic() < deadline:
        procs = {pid: t for pid, t in procs.items() if _started(pid) == t}
        if not procs:
            return
        for child in _tree(procs):  # children forked since the signal
            if child not in procs and (started := _started(child)) is not None:
                procs[child] = started
        waiter.wait(POLL)
    _signal_all([pid for pid, t in procs.items() if _started(pid) == t], signal.SIGKILL)
