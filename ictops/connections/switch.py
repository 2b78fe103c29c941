"""Sessions to network switches: our SSH login, netmiko's knowledge of each vendor's CLI.

The login is the servers' one (ictops/connections/ssh.py: known_hosts, timeouts, one way of
classifying failures). netmiko then drives the shell we open for it: prompt detection,
paging off, enable, saving. Commands are read by our own loop, which stops at the first
prompt of any mode (so ``configure terminal`` cannot hang until the timeout), sees a closed
channel at once, and keeps at most ``limits.output`` bytes; configuration lines go through
the same loop, one at a time (ictops/connections/configmode.py). Every phase runs under
the connection's watchdog (ictops/connections/deadline.py).
"""

from __future__ import annotations

import codecs
import re
import select
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

import paramiko
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from netmiko.channel import SSHChannel
from netmiko.exceptions import ReadException, ReadTimeout

from ictops.connections.base import CommandResult, SessionError, size
from ictops.connections.classify import session_error
from ictops.connections.configmode import send_config
from ictops.connections.deadline import GRACE
from ictops.connections.server import quiet_paramiko
from ictops.connections.ssh import Credentials, Link, credentials, login
from ictops.inventory.host import Host
from ictops.results import ErrorKind

T = TypeVar("T")

# netmiko device types whose check_config_mode waits for 2 s of silence (it is called twice
# per config_mode/exit_config_mode and at logout): read until the prompt instead.
# device type -> (text that shows config mode, any prompt)
CONFIG_CHECK = {"huawei": ("]", r"[\]>]")}
CHUNK = 65536
TAIL = 1024  # characters of the latest output searched for the prompt


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


class LiveChannel(SSHChannel):
    """netmiko's channel, except that a closed channel is an error at once: netmiko's own
    reads return '' from a dead channel until their timeout (60 s for a dropped switch)."""

    def read_buffer(self) -> str:
        chan = self.remote_conn
        if chan is not None and not chan.recv_ready() and not _alive(chan):
            raise ReadException("Channel stream closed by remote device.")
        return super().read_buffer()


def _alive(chan: paramiko.Channel) -> bool:
    transport = chan.get_transport()
    ended = chan.closed or chan.eof_received
    return not ended and transport is not None and transport.is_active()


def any_prompt(base_prompt: str) -> re.Pattern[str]:
    """The device's prompt in any mode, at the very end of the output: SW#, SW(config-if)#,
    SW>, <SW>, [SW], [~SW-GigabitEthernet0/0/1], RouterOS [admin@SW] > and [admin@SW] /ip>."""
    return re.compile(
        rf"(?m)^(?:HRP_.)?[<\[]?[~*]?{re.escape(base_prompt)}"
        rf"(?:\S{{0,64}}?| (?:/[\w/ -]{{0,64}}?)?)[>#\]][ \t]*\Z"
    )


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
    creds = credentials(host, project_root)
    conn = _driver(host, creds)  # its login name may carry options (RouterOS: admin+ct...)
    link = login(host, creds, known_hosts, allow_agent=False, username=conn.username)
    t = host.timeouts
    try:
        with link.watchdog.phase("open a session channel", t.channel, connecting=True):
            _attach_shell(conn, link, t.channel)
        session = NetmikoSwitchSession(host, conn, link)
        what = "set up the CLI session (prompt, paging, enable)"
        with link.watchdog.phase(what, t.channel, connecting=True):
            conn.read_timeout_override = t.channel  # bounds each netmiko read while preparing
            conn.special_login_handler()
            conn.session_preparation()
            conn.read_timeout_override = None
            conn.enable()  # a no-op on platforms without an enable mode (netmiko's NoEnable)
            session.home = session._exchange("", t.channel, None).prompt
    except SessionError:
        link.close()
        raise
    except Exception as exc:
        link.close()
        raise session_error(
            exc,
            where=host.known_hosts_name,
            name=host.name,
            timeout=t.channel,
            during_connect=True,
        ) from None
    return session


def _driver(host: Host, creds: Credentials) -> BaseConnection:
    """netmiko's driver for the platform, not connected: we hand it our shell."""
    conn = ConnectHandler(
        device_type=host.platform.netmiko,
        host=host.hostname,
        port=host.port,
        username=host.username or "",
        password=creds.password,
        secret=creds.enable_secret,
        fast_cli=True,
        session_log=None,
        auto_connect=False,
    )
    _fast_config_check(conn, host.platform.netmiko or "")
    conn._modify_connection_params()
    return conn


def _attach_shell(conn: BaseConnection, link: Link, limit: float) -> None:
    """What netmiko's establish_connection does after the login, on our client."""
    chan = link.transport.open_session(timeout=limit)
    chan.get_pty(term="vt100", width=511, height=1000)
    chan.invoke_shell()
    chan.settimeout(limit)
    conn.remote_conn_pre = link.client
    conn.remote_conn = chan
    conn.channel = LiveChannel(conn=chan, encoding=conn.encoding)


@dataclass(frozen=True)
class _Exchange:
    """One command's reply: the text (cut at the limit), the prompt after it, bytes cut."""

    text: str
    prompt: str
    cut: int
    took: float


class NetmikoSwitchSession:
    """A CLI session in enable mode on one switch (implements SwitchSession)."""

    def __init__(self, host: Host, conn: BaseConnection, link: Link):
        self.host = host
        self._conn = conn
        self._link = link
        self._where = host.known_hosts_name
        self._closed = False
        self._broken = False  # a timeout or a lost connection: no graceful logout
        self.home = ""  # the enable-mode prompt, read when the session opened

    # commands -----------------------------------------------------------------------------

    def run(
        self, command: str, *, timeout: float | None = None, sink: BinaryIO | None = None
    ) -> CommandResult:
        """Run one exec command; see SwitchSession.run."""
        limit = timeout if timeout is not None else self.host.timeouts.command

        def exchange() -> _Exchange:
            reply = self._exchange(command, limit, sink)
            if reply.prompt != self.home:
                raise self._mode_changed(command, reply.prompt)
            return reply

        reply = self._guard(command, limit, exchange)
        return CommandResult(command, 0, reply.text, "", reply.took, reply.cut)

    def show(self, command: str, *, timeout: float | None = None) -> str:
        """The whole output of a show/display command, without echo and prompt."""
        result = self.run(command, timeout=timeout)
        if result.cut:
            raise SessionError(
                ErrorKind.INVALID_OUTPUT,
                f"the output of '{command}' on {self._where} is over limits.output "
                f"({size(self.host.limits.output)}; {size(len(result.stdout) + result.cut)} "
                "came): not used; raise limits.output for this host if it is expected",
            )
        return result.stdout

    def _exchange(self, command: str, limit: float, sink: BinaryIO | None) -> _Exchange:
        """Send a line, read until the device shows a prompt (of any mode) again.

        A prompt that comes before the command's echo is not the answer: it is left over
        from the set-up (netmiko's ProCurve preparation reads ``no page`` only up to its echo,
        so that command's prompt is still on the way)."""
        chan = self._conn.remote_conn
        assert isinstance(chan, paramiko.Channel)
        prompt = any_prompt(self._conn.base_prompt)
        decoder = codecs.getincrementaldecoder(self._conn.encoding)("replace")
        kept: list[bytes] = []
        room, cut, tail = self.host.limits.output, 0, ""
        echo = command.strip()
        echoed = not echo
        started = time.monotonic()
        deadline = started + limit
        self._conn.write_channel(command + self._conn.RETURN)
        while True:
            if chan.recv_ready():
                data = chan.recv(CHUNK)
                if sink is not None:
                    sink.write(data)
                if room > 0:
                    kept.append(data[:room])
                cut += max(0, len(data) - max(room, 0))
                room -= len(data)
                tail = self._clean(tail + decoder.decode(data))
                if not echoed:
                    at = tail.find(echo)
                    if at < 0:
                        tail = tail[-TAIL:]
                        continue
                    echoed, tail = True, tail[at + len(echo) :]
                tail = tail[-TAIL:]
                if prompt.search(tail):
                    break
                continue
            if not _alive(chan):
                raise SessionError(
                    ErrorKind.CONNECTION_LOST,
                    f"{self._where} closed the connection during '{command}'",
                )
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._no_prompt(command, limit, tail)
            select.select([chan], [], [], min(left, 1.0))
        found = prompt.search(tail)
        assert found is not None
        text = self._clean(b"".join(kept).decode(self._conn.encoding, errors="replace"))
        at = text.find(echo) if echo else -1
        if at >= 0:  # what came before the echo (a left-over prompt) is not the answer
            text = text[text.rfind("\n", 0, at) + 1 :]
        if cut == 0:  # the prompt ends what was kept: drop it
            text = text[: prompt.search(text).start()]  # type: ignore[union-attr]
        took = time.monotonic() - started
        return _Exchange(_strip_echo(text, command), found.group(0).strip(), cut, took)

    def _clean(self, text: str) -> str:
        return self._conn.normalize_linefeeds(self._conn.strip_ansi_escape_codes(text))

    def _no_prompt(self, command: str, limit: float, tail: str) -> SessionError:
        self._broken = True
        last = next((line.strip() for line in reversed(tail.splitlines()) if line.strip()), "")
        if last:
            hint = f"; its last line was '{last[-80:]}': if that asks something, no one answers"
        else:
            hint = "; the device is slow or stuck: retry, or raise timeouts.command"
        return SessionError(
            ErrorKind.TIMEOUT,
            f"{self._where} did not finish '{command}' within {limit:g}s{hint}",
        )

    def _mode_changed(self, command: str, prompt: str) -> SessionError:
        """The command left enable mode: go back, then say what happened."""
        config = self._conn.check_config_mode() if not self._broken else False
        try:
            if config:
                self._conn.exit_config_mode()
            else:
                self._conn.enable()
            back = self._exchange("", self.host.timeouts.channel, None).prompt == self.home
        except Exception:  # noqa: BLE001 - reported below
            back = False
        mode = "configuration mode" if config else "another CLI mode"
        if back:
            after = f"ictops left it again ({self.home})"
        else:
            self._broken = True
            after = "ictops could not leave it and closed the session"
        return SessionError(
            ErrorKind.COMMAND_FAILED,
            f"'{command}' took {self._where} into {mode} (prompt '{prompt}'); {after}. "
            "ictops cmd runs show/display commands; configuration changes go through a playbook",
        )

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> str:
        """Apply config lines, one at a time (ictops/connections/configmode.py); SessionError
        COMMAND_FAILED names the line the device refused, ``sent`` the lines it got."""
        limit = timeout if timeout is not None else self.host.timeouts.command
        lines = [line for line in lines if line.strip()]
        if not lines:
            return ""
        return send_config(self, self.host.platform, lines, limit, self._where)

    def send_lines(self, lines: Sequence[str], limit: float) -> _Exchange:
        """Write ``lines`` and read up to the prompt after the last one (any mode), within
        ``limit`` (configmode's Terminal)."""

        def exchange() -> _Exchange:
            for line in lines[:-1]:
                self._conn.write_channel(line + self._conn.RETURN)
            return self._exchange(lines[-1], limit, None)

        return self._guard(lines[0].strip() or "configure", limit, exchange)

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

    def _guard(self, what: str, timeout: float, call: Callable[[], T]) -> T:
        """Run ``call`` within ``timeout`` (and the watchdog's grace); failures -> SessionError."""
        if self._closed:
            raise SessionError(ErrorKind.INTERNAL, f"the session to {self._where} is closed")
        try:
            with self._link.watchdog.phase(f"finish '{what}'", timeout, grace=GRACE):
                return call()
        except SessionError as exc:
            self._broken = self._broken or exc.kind is not ErrorKind.COMMAND_FAILED
            raise
        except ReadException:
            self._broken = True
            raise SessionError(
                ErrorKind.CONNECTION_LOST, f"{self._where} closed the connection during '{what}'"
            ) from None
        except Exception as exc:
            self._broken = True
            if isinstance(exc, ReadTimeout) and not _alive(self._conn.remote_conn):
                raise SessionError(
                    ErrorKind.CONNECTION_LOST,
                    f"{self._where} closed the connection during '{what}'",
                ) from None
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=timeout
            ) from None

    # lifetime -----------------------------------------------------------------------------

    def close(self) -> None:
        """Log out (or just drop a broken connection). Safe to call twice; never raises."""
        if self._closed:
            return
        self._closed = True
        if not (self._broken or self._link.watchdog.cut):
            try:
                with self._link.watchdog.phase("log out", self.host.timeouts.channel):
                    self._conn.cleanup()
            except Exception:  # noqa: BLE001 - the connection is dropped below anyway
                pass
        self._link.close()

    def abort(self) -> None:
        """Close at once, without a graceful logout, even while another thread waits on the
        device (the run was interrupted: the waiting command fails as a lost connection)."""
        self._broken = True
        self.close()

    def __enter__(self) -> NetmikoSwitchSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _strip_echo(text: str, command: str) -> str:
    """The output without the echoed command line (and what a stale prompt put before it)."""
    first, _, rest = text.partition("\n")
    if command.strip() and command.strip() in first:
        return rest
    if not command.strip() and not first.strip():
        return rest
    return text
