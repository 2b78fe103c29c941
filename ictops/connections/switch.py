"""Sessions to network switches over netmiko, with the project's host-key policy.

netmiko builds its own paramiko client and, with ``ssh_strict=True``, sets paramiko's
RejectPolicy. We create the connection with ``auto_connect=False``, put our own
``RefuseUnknownHostKey`` policy in its place (same refusal, with the fix in the message),
then connect. Only the project's known_hosts is loaded (``alt_key_file``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import paramiko
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import ConfigInvalidException, ReadTimeout

from ictops.connections.base import SessionError
from ictops.connections.classify import open_tcp, session_error
from ictops.connections.hostkeys import RefuseUnknownHostKey, client_with_known_keys
from ictops.connections.server import quiet_paramiko
from ictops.errors import SecretError
from ictops.inventory.host import Host
from ictops.results import ErrorKind

T = TypeVar("T")

# netmiko device types whose check_config_mode waits for 2 s of silence (it is called twice
# per config_mode/exit_config_mode and at logout): read until the prompt instead.
# device type -> (text that shows config mode, any prompt)
CONFIG_CHECK = {"huawei": ("]", r"[\]>]")}


def _fast_config_check(conn: BaseConnection, device_type: str) -> None:
    if device_type not in CONFIG_CHECK:
        return
    in_config, prompt = CONFIG_CHECK[device_type]
    slow = conn.check_config_mode

    def check(check_string: str = in_config, pattern: str = "", force_regex: bool = False) -> bool:
        return BaseConnection.check_config_mode(
            conn, check_string=check_string, pattern=pattern or prompt, force_regex=force_regex
        )

    check.__doc__ = slow.__doc__
    conn.check_config_mode = check  # type: ignore[method-assign]


def _secrets(host: Host, project_root: Path) -> tuple[str | None, str]:
    try:
        password = host.password.resolve(project_root) if host.password else None
        secret = host.enable_secret.resolve(project_root) if host.enable_secret else ""
    except SecretError as exc:
        raise SessionError(ErrorKind.CONFIG_ERROR, str(exc)) from None
    return password, secret


def open_switch_session(host: Host, project_root: Path, known_hosts: Path) -> NetmikoSwitchSession:
    """Connect, log in and enter enable mode (where the platform has one).

    Raises SessionError (UNREACHABLE, TIMEOUT, AUTH_FAILED, HOSTKEY_*, CONFIG_ERROR).
    """
    quiet_paramiko()
    platform = host.platform
    if not platform.netmiko:
        raise SessionError(
            ErrorKind.CONFIG_ERROR,
            f"{host.source or host.name}: platform {platform.name} is not a switch",
        )
    password, secret = _secrets(host, project_root)
    key_file = str(project_root / host.ssh_key) if host.ssh_key else None
    where = host.known_hosts_name
    t = host.timeouts
    sock = open_tcp(host)
    conn: BaseConnection | None = None
    try:
        conn = ConnectHandler(
            device_type=platform.netmiko,
            host=host.hostname,
            port=host.port,
            username=host.username or "",
            password=password,
            secret=secret,
            use_keys=key_file is not None,
            key_file=key_file,
            allow_agent=False,
            ssh_strict=True,
            system_host_keys=False,
            alt_host_keys=False,  # the client below carries this host's keys only
            conn_timeout=t.connect,
            banner_timeout=t.banner,
            auth_timeout=t.auth,
            blocking_timeout=max(t.channel, t.command),
            # Bounds every read while the session is prepared (prompt, paging off);
            # lifted once connected so each show() uses its own timeout.
            read_timeout_override=t.channel,
            fast_cli=True,
            session_log=None,
            sock=sock,
            auto_connect=False,
        )
        conn.key_policy = RefuseUnknownHostKey(host.name)
        client = client_with_known_keys(known_hosts, host)
        conn._build_ssh_client = lambda: client  # type: ignore[method-assign]  # netmiko builds it in _open()
        _fast_config_check(conn, platform.netmiko)
        conn._open()  # netmiko's connect step, split from __init__ for exactly this use
        conn.read_timeout_override = None
        conn.enable()  # a no-op on platforms without an enable mode (netmiko's NoEnable)
    except Exception as exc:
        if conn is not None:
            conn.disconnect()
        sock.close()
        limit = t.banner if "banner" in str(exc) else max(t.connect, t.auth, t.channel)
        raise session_error(
            exc, where=where, name=host.name, timeout=limit, during_connect=True
        ) from None
    return NetmikoSwitchSession(host, conn)


class NetmikoSwitchSession:
    """A CLI session in enable mode on one switch (implements SwitchSession)."""

    def __init__(self, host: Host, conn: BaseConnection):
        self.host = host
        self._conn = conn
        self._where = host.known_hosts_name
        self._closed = False
        self._broken = False  # a timeout or a lost connection: no graceful logout
        patterns = host.platform.config_errors
        self._error_pattern = "|".join(f"(?:{p.pattern})" for p in patterns)

    def _guard(self, what: str, timeout: float, call: Callable[[], T]) -> T:
        """Run a netmiko call; turn its failures into SessionErrors."""
        if self._closed:
            raise SessionError(ErrorKind.INTERNAL, f"the session to {self._where} is closed")
        try:
            return call()
        except SessionError as exc:
            self._broken = exc.kind is not ErrorKind.COMMAND_FAILED
            raise
        except ReadTimeout as exc:
            self._broken = True
            if not self._alive():  # netmiko sees a dropped channel only as silence
                raise SessionError(
                    ErrorKind.CONNECTION_LOST,
                    f"{self._where} closed the connection during '{what}'",
                ) from None
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=timeout
            ) from None
        except Exception as exc:
            self._broken = True
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=timeout
            ) from None

    def _alive(self) -> bool:
        channel = getattr(self._conn, "remote_conn", None)
        if not isinstance(channel, paramiko.Channel):
            return False
        transport = channel.get_transport()
        return (
            not (channel.closed or channel.eof_received)
            and transport is not None
            and transport.is_active()
        )

    def show(self, command: str, *, timeout: float | None = None) -> str:
        """Run a show/display command; its output without echo and prompt."""
        limit = timeout if timeout is not None else self.host.timeouts.command
        output = self._guard(
            command, limit, lambda: self._conn.send_command(command, read_timeout=limit)
        )
        return str(output)

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> str:
        """Apply config lines; SessionError COMMAND_FAILED naming the line the device refused."""
        limit = timeout if timeout is not None else self.host.timeouts.command
        lines = [line for line in lines if line.strip()]
        if not lines:
            return ""

        def send() -> str:
            try:
                return str(
                    self._conn.send_config_set(
                        lines, read_timeout=limit, error_pattern=self._error_pattern
                    )
                )
            except ConfigInvalidException as exc:
                raise self._refused(str(exc)) from None

        output = self._guard("configure", limit, send)
        refused = self.host.platform.config_error(output)
        if refused:
            raise SessionError(
                ErrorKind.COMMAND_FAILED, f"{self._where}: device refused a line: {refused}"
            )
        return output

    def _refused(self, message: str) -> SessionError:
        """The device stayed in config mode after a refused line: leave it, then report."""
        try:
            self._conn.exit_config_mode()
        except Exception:  # the error below is what the officer needs to see
            pass
        found = re.search(r"at command: (.*), matched error: (.*)", message)
        if found:
            line, error = found.group(1).strip(), found.group(2).strip()
            return SessionError(
                ErrorKind.COMMAND_FAILED, f"{self._where}: device refused '{line}': {error}"
            )
        return SessionError(
            ErrorKind.COMMAND_FAILED, f"{self._where}: device refused a line: {message}"
        )

    def running_config(self) -> str:
        return self.show(self.host.platform.commands["running_config"])

    def startup_config(self) -> str:
        return self.show(self.host.platform.commands["startup_config"])

    def save(self) -> str:
        """Write the running-config to the startup-config; COMMAND_FAILED if the device refuses."""
        limit = self.host.timeouts.command
        output = str(self._guard("save", limit, lambda: self._conn.save_config()))
        refused = self.host.platform.config_error(output)
        if refused:
            raise SessionError(ErrorKind.COMMAND_FAILED, f"{self._where}: saving failed: {refused}")
        return output

    def close(self) -> None:
        """Disconnect. Safe to call twice; never raises."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._broken:  # a graceful logout would wait for a device that does not answer
                self._conn.paramiko_cleanup()
            else:
                self._conn.disconnect()
        except Exception:
            pass

    def __enter__(self) -> NetmikoSwitchSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
