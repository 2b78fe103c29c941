"""Facts of switches: the running and startup configs, and show/display outputs."""

from __future__ import annotations

from ictops.connections.base import SwitchSession
from ictops.facts.base import Fact
from ictops.inventory.host import Host


class RunningConfigFact(Fact[str]):
    """The running-config (as the device prints it; normalising is the reader's business)."""

    kind = "switch"

    def read(self, session: SwitchSession, host: Host) -> str:
        return session.running_config()


class StartupConfigFact(Fact[str]):
    """The startup-config (saved configuration)."""

    kind = "switch"

    def read(self, session: SwitchSession, host: Host) -> str:
        return session.startup_config()


class ShowFact(Fact[str]):
    """The output of one show/display command."""

    kind = "switch"

    def read(self, session: SwitchSession, host: Host, command: str) -> str:
        return session.show(command, timeout=host.timeouts.command)
