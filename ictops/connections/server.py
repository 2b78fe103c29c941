"""Sessions to Linux servers over paramiko: commands (stopped on the server at their
timeout, output kept up to the host's limits.output) and files over SFTP (written
atomically, read up to limits.file). Every step has a deadline (ictops/connections/deadline.py)."""

from __future__ import annotations

import logging
import secrets
import select
import shlex
import stat
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import paramiko
from paramiko.common import MSG_CHANNEL_REQUEST

from ictops.connections.base import CommandResult, SessionError, size
from ictops.connections.classify import session_error
from ictops.connections.deadline import GRACE
from ictops.connections.ssh import Link, credentials, login
from ictops.inventory.host import Host
from ictops.results import ErrorKind

log = logging.getLogger("ictops.connections")

KILL_AFTER = 2  # seconds between TERM and KILL when a command times out on the server
BACKSTOP = 3.0  # extra seconds the client waits before it gives up on the channel itself
TIMEOUT_EXITS = (124, 137)  # timeout(1): TERM worked / KILL was needed
CHUNK = 65536


def quiet_paramiko() -> None:
    """paramiko's transport thread logs tracebacks for failures we already report."""
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)


def open_server_session(host: Host, project_root: Path, known_hosts: Path) -> ParamikoServerSession:
    """Connect and log in to a server, trusting only the keys in ``known_hosts``.

    Raises SessionError (UNREACHABLE, TIMEOUT, AUTH_FAILED, HOSTKEY_*, CONFIG_ERROR).
    """
    quiet_paramiko()
    creds = credentials(host, project_root)
    link = login(host, creds, known_hosts, allow_agent=True)
    return ParamikoServerSession(host, link, creds.sudo_password)


def _sudo_prefix(sudo_password: str | None) -> list[str]:
    if sudo_password is None:
        return ["sudo", "-n", "--"]
    # -k: never use cached credentials, so the password line is always read by sudo
    # and never left on the command's stdin.
    return ["sudo", "-k", "-S", "-p", "", "--"]


class ParamikoServerSession:
    """A logged-in SSH session to one server (implements ServerSession)."""

    def __init__(self, host: Host, link: Link, sudo_password: str | None = None):
        self.host = host
        self._link = link
        self._sudo_password = sudo_password
        self._sftp: paramiko.SFTPClient | None = None
        self._where = host.known_hosts_name
        self._closed = False
        _keep_exit_signals(link.transport)
        # every command of this session carries this tag in its argv (as sh's $0), so that
        # stop_commands() can find and stop them on the server; in-flight count per sudo
        self._tag = f"ictops-cmd-{secrets.token_hex(6)}"
        self._running = {False: 0, True: 0}
        self._running_lock = threading.Lock()

    # commands -----------------------------------------------------------------------------

    def run(
        self,
        command: str | Sequence[str],
        *,
        timeout: float | None = None,
        sudo: bool = False,
        stdin: bytes | None = None,
        sink: BinaryIO | None = None,
        keep: int | None = None,
    ) -> CommandResult:
        """Run a command; it is stopped on the server when ``timeout`` passes (TIMEOUT).

        At most ``keep`` (default: ``limits.output``) bytes of stdout and of stderr are kept
        (``cut`` counts the rest); ``sink``, when given, receives the whole output.
        """
        text = command if isinstance(command, str) else shlex.join(command)
        ran = self._exec(text, timeout=timeout, sudo=sudo, stdin=stdin, sink=sink, keep=keep)
        return CommandResult(
            command=text,
            exit_code=ran.code,
            stdout=ran.out.decode("utf-8", errors="replace"),
            stderr=ran.err.decode("utf-8", errors="replace"),
            duration=ran.took,
            cut=ran.cut,
        )

    def _wrap(self, text: str, limit: float, sudo: bool, tag: str | None = None) -> tuple[str, bytes]:
        argv = ["timeout", "-k", str(KILL_AFTER), f"{limit:g}", "sh", "-c", text, tag or self._tag]
        prefix = b""
        if sudo:
            argv = _sudo_prefix(self._sudo_password) + argv
            if self._sudo_password is not None:
                prefix = self._sudo_password.encode() + b"\n"
        return shlex.join(argv), prefix

    def _exec(
        self,
        text: str,
        *,
        timeout: float | None,
        sudo: bool,
        stdin: bytes | None,
        sink: BinaryIO | None = None,
        keep: int | None = None,
        tag: str | None = None,
    ) -> _Ran:
        limit = timeout if timeout is not None else self.host.timeouts.command
        wrapped, prefix = self._wrap(text, limit, sudo, tag)
        started = time.monotonic()
        channel = self._start(wrapped)
        with self._running_lock:
            self._running[sudo] += 1
        try:
            self._feed_stdin(channel, prefix + (stdin or b""))
            kept = keep if keep is not None else self.host.limits.output
            ran = self._collect(channel, started + limit + KILL_AFTER + BACKSTOP, limit, kept, sink)
        except SessionError:
            raise
        except Exception as exc:
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=limit
            ) from None
        finally:
            with self._running_lock:
                self._running[sudo] -= 1
            channel.close()
        ran.took = time.monotonic() - started
        if (ran.code in TIMEOUT_EXITS or ran.signal) and ran.took >= limit - 0.05:
            raise SessionError(
                ErrorKind.TIMEOUT,
                f"command did not finish within {limit:g}s on {self._where}; it was stopped "
                f"on the server: {_short(text)}",
            )
        if ran.signal:
            raise SessionError(
                ErrorKind.COMMAND_FAILED,
                f"command was killed by signal {ran.signal} on {self._where}: {_short(text)}",
            )
        return ran

    def _start(self, command: str) -> paramiko.Channel:
        """A session channel with ``command`` started on it, within timeouts.channel."""
        self._check_open()
        limit = self.host.timeouts.channel
        with self._link.watchdog.phase("open a session channel", limit, grace=GRACE):
            transport = self._link.transport
            try:
                channel = transport.open_session(timeout=limit)
            except Exception as exc:
                raise session_error(
                    exc, where=self._where, name=self.host.name, timeout=limit
                ) from None
            try:
                channel.exec_command(command)  # waits for the server's answer, without a limit
            except Exception as exc:
                channel.close()
                raise session_error(
                    exc, where=self._where, name=self.host.name, timeout=limit
                ) from None
        return channel

    @staticmethod
    def _feed_stdin(channel: paramiko.Channel, data: bytes) -> None:
        if not data:
            channel.shutdown_write()
            return

        def feed() -> None:  # in a thread: a big stdin must not block reading the output
            try:
                channel.sendall(data)
                channel.shutdown_write()
            except Exception:  # the command ended or the channel closed: its result says why
                pass

        threading.Thread(target=feed, name="ictops-stdin", daemon=True).start()

    def _collect(
        self,
        channel: paramiko.Channel,
        deadline: float,
        limit: float,
        keep: int,
        sink: BinaryIO | None,
    ) -> _Ran:
        """Read stdout and stderr until the command exits, without filling either window;
        keep ``keep`` bytes of each, hand everything to ``sink``."""
        out = _Capped(keep, sink)
        err = _Capped(keep, sink)
        while True:
            drained = False
            while channel.recv_ready():
                out.add(channel.recv(CHUNK))
                drained = True
            while channel.recv_stderr_ready():
                err.add(channel.recv_stderr(CHUNK))
                drained = True
            finished = channel.exit_status_ready() and (channel.eof_received or channel.closed)
            pending = drained or channel.recv_ready() or channel.recv_stderr_ready()
            if finished and not pending:
                code = channel.recv_exit_status()
                signal = getattr(channel, EXIT_SIGNAL, None)
                if code == -1 and signal is None:
                    raise SessionError(
                        ErrorKind.CONNECTION_LOST,
                        f"{self._where} closed the connection before the command ended",
                    )
                return _Ran(code, out.data(), err.data(), out.cut + err.cut, signal)
            left = deadline - time.monotonic()
            if left <= 0:
                raise SessionError(
                    ErrorKind.TIMEOUT,
                    f"command did not finish within {limit:g}s on {self._where} and the server "
                    "did not stop it; the channel was closed",
                )
            if drained:
                continue
            if channel.eof_received:
                # The pipe stays readable after EOF: wait for the exit status instead.
                channel.status_event.wait(min(left, 1.0))
            else:
                select.select([channel], [], [], min(left, 1.0))

    # files --------------------------------------------------------------------------------

    def _sftp_client(self) -> paramiko.SFTPClient:
        self._check_open()
        if self._sftp is None:
            limit = self.host.timeouts.channel
            # paramiko's open_sftp() waits for the channel and the version answer forever
            with self._link.watchdog.phase("start SFTP", limit, grace=GRACE):
                try:
                    channel = self._link.transport.open_session(timeout=limit)
                    channel.settimeout(limit)
                    channel.invoke_subsystem("sftp")
                    self._sftp = paramiko.SFTPClient(channel)
                except SessionError:
                    raise
                except Exception as exc:
                    raise session_error(
                        exc, where=self._where, name=self.host.name, timeout=limit
                    ) from None
            self._sftp.get_channel().settimeout(self.host.timeouts.command)
        return self._sftp

    def get_file(self, path: str, *, sudo: bool = False) -> bytes:
        """Read a remote file of at most ``limits.file`` bytes (bigger: INVALID_OUTPUT).

        FileNotFoundError when it does not exist.
        """
        most = self.host.limits.file
        if sudo:
            cat = shlex.join(["cat", "--", path])
            ran = self._exec(cat, timeout=None, sudo=True, stdin=None, keep=most)
            if ran.code != 0:
                message = ran.err.decode("utf-8", errors="replace").strip()
                if "No such file" in message:
                    raise FileNotFoundError(path)
                raise SessionError(
                    ErrorKind.COMMAND_FAILED,
                    f"cannot read {path} on {self._where} with sudo: {message}",
                )
            if ran.cut:
                raise self._too_big(path, len(ran.out) + ran.cut)
            return ran.out
        sftp = self._sftp_client()
        limit = self.host.timeouts.command
        try:
            with (
                self._link.watchdog.phase(f"send {path} over SFTP", limit, grace=GRACE),
                sftp.open(path, "rb") as f,
            ):
                announced = f.stat().st_size or 0
                if announced > most:
                    raise self._too_big(path, announced)
                f.prefetch(announced)
                data = f.read(most + 1)  # the size it announced may be a lie
            if len(data) > most:
                raise self._too_big(path, len(data))
            return data
        except (SessionError, FileNotFoundError):
            raise
        except PermissionError:
            raise SessionError(
                ErrorKind.COMMAND_FAILED,
                f"permission denied reading {path} on {self._where}; read it with sudo",
            ) from None
        except Exception as exc:
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=limit
            ) from None

    def _too_big(self, path: str, seen: int) -> SessionError:
        return SessionError(
            ErrorKind.INVALID_OUTPUT,
            f"{path} on {self._where} is over limits.file ({size(self.host.limits.file)}; "
            f"at least {size(seen)}): not read; raise limits.file for this host if it is expected",
        )

    def put_file(
        self, path: str, data: bytes, *, mode: int | None = None, sudo: bool = False
    ) -> None:
        """Write a remote file atomically: a temporary file next to it, then a rename.

        Without ``mode`` an existing file keeps its mode (and, with sudo, its owner).
        """
        if sudo:
            self._put_file_sudo(path, data, mode)
            return
        sftp = self._sftp_client()
        tmp = f"{path}.ictops-tmp-{secrets.token_hex(4)}"
        limit = self.host.timeouts.command
        try:
            with self._link.watchdog.phase(f"receive {path} over SFTP", limit, grace=GRACE):
                if mode is None:
                    try:
                        mode = stat.S_IMODE(sftp.stat(path).st_mode or 0o644)
                    except FileNotFoundError:
                        mode = None
                with sftp.open(tmp, "wb") as f:
                    f.chmod(mode if mode is not None else 0o644)
                    f.set_pipelined(True)
                    f.write(data)
                sftp.posix_rename(tmp, path)
        except Exception as exc:
            if not self._link.watchdog.cut:
                try:
                    sftp.remove(tmp)
                except Exception:
                    pass
            if isinstance(exc, SessionError):
                raise
            if isinstance(exc, PermissionError):
                raise SessionError(
                    ErrorKind.COMMAND_FAILED,
                    f"permission denied writing {path} on {self._where}; write it with sudo",
                ) from None
            if isinstance(exc, FileNotFoundError):
                raise SessionError(
                    ErrorKind.COMMAND_FAILED,
                    f"cannot write {path} on {self._where}: its directory does not exist",
                ) from None
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=limit
            ) from None

    def _put_file_sudo(self, path: str, data: bytes, mode: int | None) -> None:
        staged = f"/tmp/ictops-upload-{secrets.token_hex(6)}"
        sftp = self._sftp_client()
        limit = self.host.timeouts.command
        try:
            with (
                self._link.watchdog.phase(f"receive {path} over SFTP", limit, grace=GRACE),
                sftp.open(staged, "wb") as f,
            ):
                f.chmod(0o600)  # before any byte: the data may be secret
                f.set_pipelined(True)
                f.write(data)
        except SessionError:
            raise
        except Exception as exc:
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=limit
            ) from None
        # $1 staged upload, $2 target, $3 mode or "": copy next to the target, keep an
        # existing file's owner and mode, then rename over it.
        script = (
            't="$2.ictops-tmp-$$"; trap \'rm -f "$1" "$t"\' EXIT; set -e; cp -- "$1" "$t"; '
            'if [ -e "$2" ]; then chown --reference="$2" -- "$t"; chmod --reference="$2" -- "$t"; '
            'else chmod 644 -- "$t"; fi; '
            'if [ -n "$3" ]; then chmod "$3" -- "$t"; fi; mv -f -- "$t" "$2"'
        )
        argv = [
            "sh",
            "-c",
            script,
            "ictops-put",
            staged,
            path,
            f"{mode:o}" if mode is not None else "",
        ]
        ran = self._exec(shlex.join(argv), timeout=None, sudo=True, stdin=None)
        if ran.code != 0:
            raise SessionError(
                ErrorKind.COMMAND_FAILED,
                f"cannot write {path} on {self._where} with sudo: "
                f"{ran.err.decode('utf-8', errors='replace').strip()}",
            )

    # lifetime -----------------------------------------------------------------------------

    def stop_commands(self, timeout: float = 5.0) -> None:
        """Stop this session's commands still running on the server (a run was interrupted).

        Closing the connection is not enough: a command without a terminal keeps running
        after sshd loses its channel. Each command's ``timeout`` wrapper carries the session's
        tag; SIGTERM to it is passed on to the command's whole process group. Best effort,
        within ``timeout`` seconds; the caller closes the session afterwards.
        """
        with self._running_lock:
            running = dict(self._running)
        # [x] in the pattern: the pkill's own command line does not match it
        pattern = f"{self._tag[:-1]}[{self._tag[-1]}]"
        for sudo in (True, False):
            if not running[sudo]:
                continue
            try:
                self._exec(shlex.join(["pkill", "-TERM", "-f", pattern]), timeout=timeout, sudo=sudo,
                           stdin=None, tag="ictops-stop")
            except Exception as exc:  # noqa: BLE001 - reported; the session is closed anyway
                log.warning("%s: could not stop the running commands: %s", self.host.name, exc)

    def _check_open(self) -> None:
        if self._closed:
            raise SessionError(ErrorKind.INTERNAL, f"the session to {self._where} is closed")

    def close(self) -> None:
        """Close the SFTP channel and the connection. Safe to call twice; never blocks long."""
        if self._closed:
            return
        self._closed = True
        if self._sftp is not None and not self._link.watchdog.cut:
            try:
                with self._link.watchdog.phase("close SFTP", self.host.timeouts.channel):
                    self._sftp.close()
            except Exception:
                pass
        self._link.close()

    def __enter__(self) -> ParamikoServerSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Ran:
    """What one command left: exit code, kept output, bytes cut, the signal that ended it."""

    code: int
    out: bytes
    err: bytes
    cut: int
    signal: str | None
    took: float = 0.0


EXIT_SIGNAL = "ictops_exit_signal"  # attribute of a channel whose command a signal ended


def _keep_exit_signals(transport: paramiko.Transport) -> None:
    """Note sshd's "exit-signal" on the channel (as ``EXIT_SIGNAL``): paramiko drops it, and
    without it a command killed by a signal (``timeout -k`` where the login shell execs
    timeout) looks like a lost connection: no exit status either way."""
    table = dict(transport._channel_handler_table)
    handle = table[MSG_CHANNEL_REQUEST]

    def handle_request(channel: paramiko.Channel, m: paramiko.Message) -> None:
        peek = paramiko.Message(m.asbytes())
        peek.get_int()  # the channel id, already read from m
        if peek.get_text() == "exit-signal":
            peek.get_boolean()
            setattr(channel, EXIT_SIGNAL, peek.get_text() or "?")
        handle(channel, m)

    table[MSG_CHANNEL_REQUEST] = handle_request
    transport._channel_handler_table = table


class _Capped:
    """One output stream: the first ``keep`` bytes kept, the rest counted; all to ``sink``."""

    def __init__(self, keep: int, sink: BinaryIO | None):
        self.keep = keep
        self.sink = sink
        self.parts: list[bytes] = []
        self.kept = 0
        self.cut = 0

    def add(self, data: bytes) -> None:
        if self.sink is not None:
            self.sink.write(data)
        room = self.keep - self.kept
        if room > 0:
            self.parts.append(data[:room])
            self.kept += min(room, len(data))
        self.cut += max(0, len(data) - max(room, 0))

    def data(self) -> bytes:
        return b"".join(self.parts)


def _short(text: str, width: int = 80) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 3] + "..."
