"""The lab servers that run in their own Debian root: create, boot, halt, and their supervisor.

Each root lives in ``state/lab/roots/<host>/``: ``upper/ work/ merged/`` (the overlay),
``layers`` (the read-only layers it was created on, top first, kept for its whole life so a
rebuilt cache never changes a server under its feet), ``boot_id`` and ``lock``.
A new server of profile P is stacked on ``ictops.lab.layers.stack(P)``.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from ictops.errors import LabError
from ictops.lab import boot, daemon, layers, roots, sshd
from ictops.lab.boot import RootedServer
from ictops.lab.cache import locked

SUPERVISOR = "ictops.lab.supervisor"
LAYERS_FILE = "layers"


class RootFleet:
    """The rooted servers of one lab directory (``state/lab``)."""

    def __init__(self, lab_dir: Path, servers: list[tuple[RootedServer, str]]):
        """``servers``: each server with its profile (used only when its root is created)."""
        self.lab_dir = lab_dir
        self.servers = servers

    @property
    def spec_file(self) -> Path:
        return self.lab_dir / "supervisor.json"

    @property
    def pid_file(self) -> Path:
        return self.lab_dir / "supervisor.pid"

    @property
    def log_file(self) -> Path:
        return self.lab_dir / "supervisor.log"

    # --- up -----------------------------------------------------------------------------------
    def up(self, authorized_keys: Path, timeout: float) -> int:
        """Boot every server whose sshd does not run; start the supervisor. Returns #booted."""
        stacks: dict[str, list[Path]] = {}
        servers = [self._with_layers(s, profile, stacks) for s, profile in self.servers]
        with ExitStack() as held:
            for server in sorted(servers, key=lambda s: s.name):
                held.enter_context(boot.lock(server))
            todo = [s for s in servers if not sshd.sshd_running(s.pid_file)]
            for server in todo:
                if roots.mounts_under(server.paths.dir):
                    boot.halt(server)  # half up (sshd died, lab killed): start from cold
                boot.mount(server)
                if not roots.is_created(server.paths):
                    roots.personalise(server.paths, server.name, self._profile(server))
                roots.install_authorized_keys(server.paths, authorized_keys)
            if todo:
                boot.start(todo, timeout)
            self._ensure_supervisor(servers)
        return len(todo)

    def _profile(self, server: RootedServer) -> str:
        return next(p for s, p in self.servers if s.name == server.name)

    def _with_layers(
        self, server: RootedServer, profile: str, stacks: dict[str, list[Path]]
    ) -> RootedServer:
        """The server with the layers its root was created on (recorded at creation)."""
        record = server.paths.dir / LAYERS_FILE
        try:
            lowers = [Path(p) for p in json.loads(record.read_text())]
        except (OSError, ValueError):
            if profile not in stacks:
                stacks[profile] = layers.stack(profile)
            lowers = stacks[profile]
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps([str(p) for p in lowers]) + "\n")
        missing = [p for p in lowers if not p.is_dir()]
        if missing:
            raise LabError(
                f"lab server {server.name} was created on {missing[0]}, which is no longer in "
                f"the cache; remove {server.paths.dir} (ictops lab down first) to create it anew"
            )
        return RootedServer(server.name, server.paths, tuple(lowers), server.sshd,
                            server.reboot_seconds)

    def _ensure_supervisor(self, servers: list[RootedServer]) -> None:
        text = boot.to_json(servers)
        if daemon.pid_of(self.pid_file, SUPERVISOR) is not None:
            if self.spec_file.is_file() and self.spec_file.read_text() == text:
                return
            daemon.stop(self.pid_file, SUPERVISOR, timeout=5.0)
        self.spec_file.write_text(text)
        proc = daemon.spawn(SUPERVISOR, [str(self.spec_file)], self.pid_file, self.log_file)
        if proc.poll() is not None or daemon.pid_of(self.pid_file, SUPERVISOR) is None:
            raise LabError(f"the lab's supervisor did not start; see {self.log_file}")

    # --- down ---------------------------------------------------------------------------------
    def down(self, timeout: float) -> int:
        """Stop the supervisor, then every sshd and process in each root under ``roots/``, and
        unmount them (all roots at once: one look at /proc). Returns # sshd stopped."""
        daemon.stop(self.pid_file, SUPERVISOR, timeout)
        top = self.lab_dir / "roots"
        dirs = sorted(p for p in top.glob("*") if p.is_dir()) if top.is_dir() else []
        with ExitStack() as held:
            for d in dirs:
                held.enter_context(locked(d / "lock"))
            pid_files = [roots.RootPaths(d).inside(roots.SSHD_PID) for d in dirs]
            running = [p for p in pid_files if sshd.sshd_running(p)]
            sshd.stop_sshd(running, timeout=timeout)
            mounted = [roots.RootPaths(d) for d in dirs if roots.mounts_under(d)]
            roots.kill_processes_in(*(p.merged for p in mounted), timeout=timeout)
            for paths in mounted:
                roots.unmount_all_under(paths.dir)
        return len(running)

    def supervisor_running(self) -> bool:
        return daemon.pid_of(self.pid_file, SUPERVISOR) is not None


def rooted_server(name: str, paths: roots.RootPaths, spec: sshd.SshdSpec,
                  reboot_seconds: float) -> RootedServer:
    """A server not yet given its layers (:meth:`RootFleet.up` finds them)."""
    return RootedServer(name, paths, (), spec, reboot_seconds)

