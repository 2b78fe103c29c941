"""The lab's supervisor: reboots and powers off lab servers when asked from inside them.

``reboot``, ``shutdown -r now``, ``systemctl reboot`` (and halt/poweroff) in a lab server's root
run the lab's power shim, which writes ``reboot``, ``poweroff`` or ``halt`` to
``/run/ictops-lab/power`` in the root and exits. This process (``python -m
ictops.lab.supervisor state/lab/supervisor.json``, started by ``ictops lab up``, stopped by
``ictops lab down``) looks for that file every :data:`POLL` seconds and, holding the server's
lock:

- reboot: halts the server (its SSH sessions end, /run is gone), waits ``reboot_seconds``
  (SSH is refused meanwhile) and boots it with a new boot id; with the fault ``reboot-hang``
  (``ictops lab fault HOST reboot-hang``) it stays down until the next ``ictops lab up``;
- poweroff, halt: halts the server, which stays down until the next ``ictops lab up``.

It exits when its spec file disappears (the lab's files were removed). It starts nothing that
outlives it but the servers' sshd and services, which ``lab down`` ends.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from ictops import clock
from ictops.lab import boot
from ictops.lab.boot import RootedServer

POLL = 0.1
REQUEST = "run/ictops-lab/power"  # in the root
ACTIONS = ("reboot", "poweroff", "halt")
SERVER_FAULTS = ("reboot-hang",)
BOOT_TIMEOUT = 30.0


def request_of(server: RootedServer) -> str | None:
    """The power action asked from inside the server, or None (anything else is ignored)."""
    try:
        text = server.paths.inside(REQUEST).read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    word = text.strip()
    return word if word in ACTIONS else None


def server_fault(faults_dir: Path, name: str) -> str | None:
    try:
        mode = (faults_dir / name).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return mode if mode in SERVER_FAULTS else None


def _log(message: str) -> None:
    print(f"{clock.stamp()} {message}", flush=True)


class Supervisor:
    def __init__(self, spec_file: Path, faults_dir: Path):
        self.spec_file = spec_file
        self.faults_dir = faults_dir
        self.servers = boot.from_json(spec_file.read_text(encoding="utf-8"))
        self.busy: set[str] = set()
        self.guard = threading.Lock()
        self.stop = threading.Event()

    def run(self) -> None:
        _log(f"supervising {len(self.servers)} lab servers")
        while not self.stop.wait(POLL):
            if not self.spec_file.exists():
                _log("spec file gone: exiting")
                return
            for server in self.servers:
                if server.name not in self.busy and request_of(server):
                    with self.guard:
                        self.busy.add(server.name)
                    threading.Thread(target=self._power, args=(server,), daemon=True).start()

    def _power(self, server: RootedServer) -> None:
        try:
            with boot.lock(server):
                action = request_of(server)  # read again under the lock: lab down may have run
                if action is None:
                    return
                self._carry_out(server, action)
        except Exception as exc:  # noqa: BLE001 - one server's failure must not stop the others
            _log(f"{server.name}: {type(exc).__name__}: {exc}")
        finally:
            with self.guard:
                self.busy.discard(server.name)

    def _carry_out(self, server: RootedServer, action: str) -> None:
        start = time.monotonic()
        hang = server_fault(self.faults_dir, server.name) == "reboot-hang"  # as asked, not later
        _log(f"{server.name}: {action} asked (boot id {boot.boot_id(server)})")
        boot.halt(server)  # removes the request with /run
        if action != "reboot":
            _log(f"{server.name}: powered off; ictops lab up starts it again")
            return
        if hang:
            _log(f"{server.name}: fault reboot-hang: stays down until ictops lab up")
            return
        if self.stop.wait(server.reboot_seconds):
            return
        boot.boot([server], BOOT_TIMEOUT)
        took = time.monotonic() - start
        _log(f"{server.name}: up again after {took:.1f}s (boot id {boot.boot_id(server)})")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m ictops.lab.supervisor state/lab/supervisor.json", file=sys.stderr)
        return 2
    spec = Path(argv[1])
    Supervisor(spec, spec.parent / "faults").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
