"""The host key a device shows, read by a key exchange alone (no login, no session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import paramiko

from ictops.connections.hostkeys import scan_host_key
from ictops.facts.base import Fact
from ictops.inventory.host import Host


class HostKeyFact(Fact[paramiko.PKey]):
    """Argument: the project's known_hosts (its key types are asked for first, as a session
    would, so a scan compares like with like)."""

    kind = "network"

    def read(self, session: Any, host: Host, known_hosts: str) -> paramiko.PKey:
        return scan_host_key(host, known_hosts=Path(known_hosts))
