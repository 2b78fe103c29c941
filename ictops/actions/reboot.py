"""Reboot a server and wait until it answers again with a new boot id.

The reboot is proven by the boot id (/proc/sys/kernel/random/boot_id) changing, never by a
dropped connection alone: the command that asks for it may return or lose its connection
first (both happen on real servers). Not back with a new boot id by ``timeout`` seconds:
FAILED with that reason.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from ictops.actions.base import Context
from ictops.connections.base import SessionError
from ictops.facts import BOOT_ID
from ictops.project import Project
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Payload, Plan
from ictops.validation import StrictModel

DEFAULT_TIMEOUT = 600


class Args(StrictModel):
    timeout: int = Field(default=DEFAULT_TIMEOUT, gt=0)  # seconds to come back


def build(args: Args, project: Project) -> RebootAction:
    """The playbook's ``reboot:`` step."""
    return RebootAction(args.timeout)


@dataclass(frozen=True)
class Rebooted(Payload):
    kind: ClassVar[str] = "reboot"
    old_boot_id: str
    new_boot_id: str
    seconds: float

    def record(self) -> dict[str, Any]:
        return {"old_boot_id": self.old_boot_id, "new_boot_id": self.new_boot_id,
                "seconds": round(self.seconds, 1)}


def reboot_and_wait(ctx: Context, timeout: float) -> Rebooted:
    """Ask for a reboot, then reconnect until the boot id is new; HostFailure at the deadline."""
    old = ctx.facts.get(BOOT_ID)
    started = time.monotonic()
    deadline = started + timeout
    try:
        asked = ctx.server().run("reboot", sudo=ctx.host.sudo, timeout=min(60.0, timeout))
        if not asked.ok:
            reason = (asked.stderr.strip() or asked.stdout.strip() or f"exit {asked.exit_code}")
            raise HostFailure(f"reboot refused: {reason.splitlines()[-1]}")
    except SessionError as exc:
        if exc.kind not in (ErrorKind.CONNECTION_LOST, ErrorKind.TIMEOUT):
            raise  # the connection went as the host went down: that is expected
    waiter = threading.Event()
    last = "it still had its old boot id"
    while True:
        try:
            ctx.reconnect(deadline)
            new = ctx.facts.get(BOOT_ID)
            if new != old:
                return Rebooted(old, new, time.monotonic() - started)
        except SessionError as exc:
            last = exc.message
        if time.monotonic() + 0.5 >= deadline:
            raise HostFailure(f"rebooted, but not back with a new boot id within {timeout:g}s "
                              f"(last: {last})", ErrorKind.TIMEOUT)
        waiter.wait(0.5)  # the old system still answers: its shutdown has not begun


class RebootAction:
    name = "reboot"
    changes_hosts = True

    def __init__(self, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout

    def plan(self, ctx: Context) -> Plan:
        return Plan((Change(f"reboot (back with a new boot id within {self.timeout:g}s)"),))

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        done = reboot_and_wait(ctx, self.timeout)
        return Outcome.changed(rebooted_words(done), payload=done)


def rebooted_words(done: Rebooted) -> str:
    return (f"rebooted: boot id {done.old_boot_id[:8]} -> {done.new_boot_id[:8]}, "
            f"back in {done.seconds:.0f}s")
