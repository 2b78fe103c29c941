"""Sessions to Linux servers over paramiko: commands (stopped on the server at their
timeout) and files over SFTP (written atomically)."""

from __future__ import annotations

import logging
import secrets
import select
import shlex
import stat
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import paramiko

from ictops.connections.base import CommandResult, SessionError
from ictops.connections.classify import open_tcp, session_error
from ictops.connections.hostkeys import client_with_known_keys
from ictops.errors import SecretError
from ictops.inventory.host import Host
from ictops.results import ErrorKind

KILL_AFTER = 2  # seconds between TERM and KILL when a command times out on the server
BACKSTOP = 3.0  # extra seconds the client waits before it gives up on the channel itself
TIMEOUT_EXITS = (124, 137)  # timeout(1): TERM worked / KILL was needed
CHUNK = 65536


def quiet_paramiko() -> None:
    """paramiko's transport thread logs tracebacks for failures we already report."""
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)


def _resolve_secrets(host: Host, project_root: Path) -> tuple[str | None, str | None, str | None]:
    """(key file, password, sudo password) for the host; SessionError CONFIG_ERROR if unusable."""
    try:
        password = host.password.resolve(project_root) if host.password else None
        sudo_password = host.sudo_password.resolve(project_root) if host.sudo_password else None
    except SecretError as exc:
        raise SessionError(ErrorKind.CONFIG_ERROR, str(exc)) from None
    key_file = None
    if host.ssh_key:
        key_path = project_root / host.ssh_key
        if not key_path.is_file():
            raise SessionError(
                ErrorKind.CONFIG_ERROR,
                f"{host.source or host.name}: ssh_key file {key_path} does not exist; "
                "fix ssh_key in the inventory",
            )
        key_file = str(key_path)
    return key_file, password, sudo_password


def open_server_session(host: Host, project_root: Path, known_hosts: Path) -> ParamikoServerSession:
    """Connect and log in to a server, trusting only the keys in ``known_hosts``.

    Raises SessionError (UNREACHABLE, TIMEOUT, AUTH_FAILED, HOSTKEY_*, CONFIG_ERROR).
    """
    quiet_paramiko()
    key_file, password, sudo_password = _resolve_secrets(host, project_root)
    where = host.known_hosts_name
    t = host.timeouts
    sock = open_tcp(host)
    client = client_with_known_keys(known_hosts, host)
    try:
        client.connect(
            hostname=host.hostname,
            port=host.port,
            username=host.username,
            password=password,
            key_filename=key_file,
            look_for_keys=False,
            allow_agent=key_file is None,
            timeout=t.connect,
            banner_timeout=t.banner,
            auth_timeout=t.auth,
            channel_timeout=t.channel,
            sock=sock,
        )
    except Exception as exc:
        client.close()
        sock.close()
        limit = t.banner if "banner" in str(exc) else max(t.connect, t.auth)
        raise session_error(
            exc, where=where, name=host.name, timeout=limit, during_connect=True
        ) from None
    return ParamikoServerSession(host, client, sudo_password)


def _sudo_prefix(sudo_password: str | None) -> list[str]:
    if sudo_password is None:
        return ["sudo", "-n", "--"]
    # -k: never use cached credentials, so the password line is always read by sudo
    # and never left on the command's stdin.
    return ["sudo", "-k", "-S", "-p", "", "--"]


class ParamikoServerSession:
    """A logged-in SSH session to one server (implements ServerSession)."""

    def __init__(self, host: Host, client: paramiko.SSHClient, sudo_password: str | None = None):
        self.host = host
        self._client = client
        self._sudo_password = sudo_password
        self._sftp: paramiko.SFTPClient | None = None
        self._where = host.known_hosts_name
        self._closed = False

    # commands -----------------------------------------------------------------------------

    def run(
        self,
        command: str | Sequence[str],
        *,
        timeout: float | None = None,
        sudo: bool = False,
        stdin: bytes | None = None,
    ) -> CommandResult:
        """Run a command; it is stopped on the server when ``timeout`` passes (TIMEOUT)."""
        text = command if isinstance(command, str) else shlex.join(command)
        code, out, err, took = self._exec(text, timeout=timeout, sudo=sudo, stdin=stdin)
        return CommandResult(
            command=text,
            exit_code=code,
            stdout=out.decode("utf-8", errors="replace"),
            stderr=err.decode("utf-8", errors="replace"),
            duration=took,
        )

    def _wrap(self, text: str, limit: float, sudo: bool) -> tuple[str, bytes]:
        argv = ["timeout", "-k", str(KILL_AFTER), f"{limit:g}", "sh", "-c", text]
        prefix = b""
        if sudo:
            argv = _sudo_prefix(self._sudo_password) + argv
            if self._sudo_password is not None:
                prefix = self._sudo_password.encode() + b"\n"
        return shlex.join(argv), prefix

    def _exec(
        self, text: str, *, timeout: float | None, sudo: bool, stdin: bytes | None
    ) -> tuple[int, bytes, bytes, float]:
        limit = timeout if timeout is not None else self.host.timeouts.command
        wrapped, prefix = self._wrap(text, limit, sudo)
        started = time.monotonic()
        channel = self._open_channel()
        try:
            channel.exec_command(wrapped)
            self._feed_stdin(channel, prefix + (stdin or b""))
            code, out, err = self._collect(channel, started + limit + KILL_AFTER + BACKSTOP, limit)
        except SessionError:
            raise
        except Exception as exc:
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command", timeout=limit
            ) from None
        finally:
            channel.close()
        took = time.monotonic() - started
        if code in TIMEOUT_EXITS and took >= limit - 0.05:
            raise SessionError(
                ErrorKind.TIMEOUT,
                f"command did not finish within {limit:g}s on {self._where}; it was stopped "
                f"on the server: {_short(text)}",
            )
        return code, out, err, took

    def _open_channel(self) -> paramiko.Channel:
        self._check_open()
        transport = self._client.get_transport()
        if transport is None or not transport.is_active():
            raise SessionError(
                ErrorKind.CONNECTION_LOST, f"the SSH session to {self._where} is gone"
            )
        try:
            return transport.open_session(timeout=self.host.timeouts.channel)
        except Exception as exc:
            raise session_error(
                exc, where=self._where, name=self.host.name, timeout=self.host.timeouts.channel
            ) from None

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
        self, channel: paramiko.Channel, deadline: float, limit: float
    ) -> tuple[int, bytes, bytes]:
        """Read stdout and stderr until the command exits, without filling either window."""
        out: list[bytes] = []
        err: list[bytes] = []
        while True:
            drained = False
            while channel.recv_ready():
                out.append(channel.recv(CHUNK))
                drained = True
            while channel.recv_stderr_ready():
                err.append(channel.recv_stderr(CHUNK))
                drained = True
            finished = channel.exit_status_ready() and (channel.eof_received or channel.closed)
            pending = drained or channel.recv_ready() or channel.recv_stderr_ready()
            if finished and not pending:
                code = channel.recv_exit_status()
                if code == -1:  # closed with no exit status: the connection or sshd died
                    raise SessionError(
                        ErrorKind.CONNECTION_LOST,
                        f"{self._where} closed the channel before the command ended",
                    )
                return code, b"".join(out), b"".join(err)
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
            try:
                self._sftp = self._client.open_sftp()
            except Exception as exc:
                raise session_error(
                    exc, where=self._where, name=self.host.name, timeout=self.host.timeouts.channel
                ) from None
            self._sftp.get_channel().settimeout(self.host.timeouts.command)
        return self._sftp

    def get_file(self, path: str, *, sudo: bool = False) -> bytes:
        """Read a remote file. FileNotFoundError when it does not exist."""
        if sudo:
            code, out, err, _ = self._exec(
                shlex.join(["cat", "--", path]), timeout=None, sudo=True, stdin=None
            )
            if code != 0:
                message = err.decode("utf-8", errors="replace").strip()
                if "No such file" in message:
                    raise FileNotFoundError(path)
                raise SessionError(
                    ErrorKind.COMMAND_FAILED,
                    f"cannot read {path} on {self._where} with sudo: {message}",
                )
            return out
        sftp = self._sftp_client()
        try:
            with sftp.open(path, "rb") as f:
                f.prefetch()
                return f.read()
        except FileNotFoundError:
            raise FileNotFoundError(path) from None
        except PermissionError:
            raise SessionError(
                ErrorKind.COMMAND_FAILED,
                f"permission denied reading {path} on {self._where}; read it with sudo",
            ) from None
        except Exception as exc:
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command"
            ) from None

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
        try:
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
            try:
                sftp.remove(tmp)
            except Exception:
                pass
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
                exc, where=self._where, name=self.host.name, phase="command"
            ) from None

    def _put_file_sudo(self, path: str, data: bytes, mode: int | None) -> None:
        staged = f"/tmp/ictops-upload-{secrets.token_hex(6)}"
        sftp = self._sftp_client()
        try:
            with sftp.open(staged, "wb") as f:
                f.chmod(0o600)  # before any byte: the data may be secret
                f.set_pipelined(True)
                f.write(data)
        except Exception as exc:
            raise session_error(
                exc, where=self._where, name=self.host.name, phase="command"
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
        code, _, err, _ = self._exec(shlex.join(argv), timeout=None, sudo=True, stdin=None)
        if code != 0:
            raise SessionError(
                ErrorKind.COMMAND_FAILED,
                f"cannot write {path} on {self._where} with sudo: "
                f"{err.decode('utf-8', errors='replace').strip()}",
            )

    # lifetime -----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise SessionError(ErrorKind.INTERNAL, f"the session to {self._where} is closed")

    def close(self) -> None:
        """Close the SFTP channel and the connection. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._sftp is not None:
                self._sftp.close()
        except Exception:
            pass
        try:
            self._client.close()
        except Exception:
            pass

    def __enter__(self) -> ParamikoServerSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _short(text: str, width: int = 80) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 3] + "..."
