"""The SSH steps servers and switches share: secrets, TCP, handshake, host key and login.

Both kinds log in here, with paramiko, under the project's known_hosts and the host's
timeouts; a switch session then hands the logged-in client to netmiko for its CLI.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

from ictops.connections.base import SessionError
from ictops.connections.classify import session_error
from ictops.connections.deadline import GRACE, Watchdog, shut
from ictops.connections.hostkeys import client_with_known_keys
from ictops.errors import SecretError
from ictops.inventory.host import Host
from ictops.results import ErrorKind


@dataclass(frozen=True)
class Credentials:
    """What a host's login needs, read from the secret files and the key file."""

    password: str | None = field(default=None, repr=False)
    enable_secret: str = field(default="", repr=False)
    sudo_password: str | None = field(default=None, repr=False)
    key: paramiko.PKey | None = field(default=None, repr=False)


def credentials(host: Host, project_root: Path) -> Credentials:
    """The host's secrets and client key; SessionError CONFIG_ERROR when one cannot be used."""
    try:
        password = host.password.resolve(project_root) if host.password else None
        secret = host.enable_secret.resolve(project_root) if host.enable_secret else ""
        sudo_password = host.sudo_password.resolve(project_root) if host.sudo_password else None
    except SecretError as exc:
        raise SessionError(ErrorKind.CONFIG_ERROR, str(exc)) from None
    key = _load_key(host, project_root / host.ssh_key) if host.ssh_key else None
    return Credentials(password, secret, sudo_password, key)


def _load_key(host: Host, path: Path) -> paramiko.PKey:
    where = f"{host.source or host.name}: ssh_key file {path}"
    if not path.is_file():
        raise SessionError(
            ErrorKind.CONFIG_ERROR, f"{where} does not exist; fix ssh_key in the inventory"
        )
    try:
        return paramiko.PKey.from_path(path)
    except paramiko.PasswordRequiredException:
        reason = "is protected by a passphrase; ictops needs a key without one"
    except (OSError, paramiko.SSHException, ValueError) as exc:
        reason = f"cannot be read as a private key ({exc})"
    except Exception as exc:  # paramiko's UnknownKeyType and friends
        reason = f"cannot be read as a private key ({type(exc).__name__})"
    raise SessionError(ErrorKind.CONFIG_ERROR, f"{where} {reason}; fix ssh_key in the inventory")


def open_tcp(host: Host) -> socket.socket:
    """A TCP connection to the host within its connect timeout, with TCP_NODELAY.

    Nagle + delayed ACK stall every small SSH packet by ~40 ms otherwise.
    Raises SessionError (UNREACHABLE or TIMEOUT) marked as a connect failure.
    """
    limit = host.timeouts.connect
    try:
        sock = socket.create_connection((host.hostname, host.port), timeout=limit)
    except OSError as exc:
        raise session_error(
            exc,
            where=host.known_hosts_name,
            name=host.name,
            phase="tcp",
            timeout=limit,
            during_connect=True,
        ) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


@dataclass
class Link:
    """A logged-in SSH connection: the client, its socket and the watchdog that guards it."""

    client: paramiko.SSHClient
    sock: socket.socket
    watchdog: Watchdog

    @property
    def transport(self) -> paramiko.Transport:
        transport = self.client.get_transport()
        if transport is None or not transport.is_active():
            raise SessionError(
                ErrorKind.CONNECTION_LOST, f"the SSH session to {self.watchdog.where} is gone"
            )
        return transport

    def close(self) -> None:
        """Drop the connection at once, without a goodbye. Never raises, never blocks."""
        shut(self.sock)
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - closing must never fail
            pass
        self.sock.close()


def login(
    host: Host,
    creds: Credentials,
    known_hosts: Path,
    *,
    allow_agent: bool,
    username: str | None = None,
) -> Link:
    """TCP, SSH handshake, host-key check and login, each within the host's timeouts.

    ``username``: the name sent at login when it is not the host's own (a RouterOS login
    carries terminal options after a ``+``: netmiko's ``admin+ct511w4098h``).

    Raises SessionError (UNREACHABLE, TIMEOUT, AUTH_FAILED, HOSTKEY_*) marked as a
    connect failure.
    """
    t = host.timeouts
    where = host.known_hosts_name
    sock = open_tcp(host)
    watchdog = Watchdog(sock, where)
    client = client_with_known_keys(known_hosts, host)
    # banner, key exchange and auth each have their own paramiko limit; together they
    # can never take longer than their sum (plus the watchdog's grace)
    total = t.banner + t.connect + t.auth
    try:
        what = "finish the SSH handshake and login"
        with watchdog.phase(what, total, grace=GRACE, connecting=True):
            client.connect(
                hostname=host.hostname,
                port=host.port,
                username=username or host.username,
                password=creds.password,
                pkey=creds.key,
                look_for_keys=False,
                allow_agent=allow_agent and creds.key is None,
                timeout=t.connect,
                banner_timeout=t.banner,
                auth_timeout=t.auth,
                channel_timeout=t.channel,
                sock=sock,
            )
    except SessionError:
        Link(client, sock, watchdog).close()
        raise
    except Exception as exc:
        Link(client, sock, watchdog).close()
        text = str(exc).lower()
        limit = t.banner if "banner" in text else t.auth if "auth" in text else t.connect
        raise session_error(
            exc, where=where, name=host.name, timeout=limit, during_connect=True
        ) from None
    except BaseException:  # Ctrl-C: leave nothing open behind
        Link(client, sock, watchdog).close()
        raise
    return Link(client, sock, watchdog)
