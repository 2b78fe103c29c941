"""Open the right kind of session for a host: paramiko for servers, netmiko for switches.

Both transports are imported with this module, never on first use: the first connections
of a run are opened in worker threads, and imports racing there deadlock (issue 8, #10).
"""

from __future__ import annotations

from ictops.connections.base import ServerSession, SwitchSession
from ictops.connections.server import open_server_session
from ictops.connections.switch import open_switch_session
from ictops.inventory.host import Host
from ictops.project import Project


def open_session(host: Host, project: Project) -> ServerSession | SwitchSession:
    """Connect to the host, trusting only the project's known_hosts. Raises SessionError."""
    if host.is_switch:
        return open_switch_session(host, project.root, project.known_hosts)
    return open_server_session(host, project.root, project.known_hosts)
