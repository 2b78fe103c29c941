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


class StartupConfigFact(Fact[str | None]):
    """The startup-config (saved configuration); None on a platform that keeps none apart
    from the running one (RouterOS writes every change at once: no ``startup_config``)."""

    kind = "switch"

    def read(self, session: SwitchSession, host: Host) -> str | None:
        if "startup_config" not in host.platform.commands:
            return None
        return session.startup_config()


class ShowFact(Fact[str]):
    """The output of one show/display command."""

    kind = "switch"

    def read(self, session: SwitchSession, host: Host, command: str) -> str:
        return session.show(command, timeout=host.timeouts.command)
