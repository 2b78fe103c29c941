"""Open the right kind of session for a host: paramiko for servers, netmiko for switches."""

from __future__ import annotations

from ictops.connections.base import ServerSession, SwitchSession
from ictops.inventory.host import Host
from ictops.project import Project


def open_session(host: Host, project: Project) -> ServerSession | SwitchSession:
    """Connect to the host, trusting only the project's known_hosts. Raises SessionError."""
    if host.is_switch:
        from ictops.connections.switch import open_switch_session

        return open_switch_session(host, project.root, project.known_hosts)
    from ictops.connections.server import open_server_session

    return open_server_session(host, project.root, project.known_hosts)
