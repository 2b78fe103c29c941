"""asyncssh plumbing: one listening socket per device, one Cli per shell session, fault modes."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import socket
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from ictops.errors import LabError
from ictops.lab.switchsim.cli import Cli
from ictops.lab.switchsim.device import Device
from ictops.lab.switchsim.faults import PUSH_DROP_AFTER, PUSH_DROPS, read_fault, set_fault
from ictops.lab.switchsim.ios import IosCli
from ictops.lab.switchsim.procurve import MORE, ProCurveCli
from ictops.lab.switchsim.spec import DeviceSpec, SimSpec
from ictops.lab.switchsim.vrp import VrpCli

log = logging.getLogger("ictops.lab.switchsim")

_CLI = {"cisco_ios": IosCli, "huawei_vrp": VrpCli, "hp_procurve": ProCurveCli}
_SERVER_VERSION = {"cisco_ios": "Cisco-1.25", "huawei_vrp": "HUAWEI-1.5",
                   "hp_procurve": "Mocana SSH 6.3"}
_DRAIN_DEADLINE = 2.0  # seconds a "drop" waits for its partial output to leave


@dataclass
class _Runtime:
    """One device as served: its state, key, listener and open connections."""

    spec: DeviceSpec
    device: Device
    faults_dir: str
    options: asyncssh.SSHServerConnectionOptions | None = None
    listener: socket.socket | None = None
    connections: set[asyncssh.SSHServerConnection] = field(default_factory=set)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def fault(self) -> str | None:
        return read_fault(self.faults_dir, self.spec.name)


class _Server(asyncssh.SSHServer):
    """One SSH connection: password auth against the spec, unless a fault says otherwise."""

    def __init__(self, runtime: _Runtime):
        self.runtime = runtime
        self.conn: asyncssh.SSHServerConnection | None = None
        self.username = ""
        self.refuse = False
        self.closed = asyncio.Event()  # set when the client goes: ends every stall

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.refuse = self.runtime.fault() == "auth-refuse"
        self.runtime.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        if self.conn is not None:
            self.runtime.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        self.username = username
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool | Awaitable[bool]:
        spec = self.runtime.spec
        if self.runtime.fault() == "auth-stall":
            log.info("%s: auth-stall: the password is never answered", spec.name)
            return self._stall(False)
        ok = hmac.compare_digest(username, spec.username) & hmac.compare_digest(
            password.encode(), spec.password.encode()
        )
        if not ok or self.refuse:
            log.info("%s: authentication refused for %r", spec.name, username)
            return False
        return True

    def session_requested(self) -> asyncssh.SSHServerSession[str] | Awaitable[bool]:
        assert self.conn is not None
        if self.runtime.fault() == "channel-stall":
            log.info("%s: channel-stall: the channel is never opened", self.runtime.spec.name)
            return self._stall(False)
        return _Session(self.runtime, self.username, self.conn)

    async def _stall(self, answer: bool) -> bool:
        """Never answer while the client stays; asyncssh awaits this before it replies."""
        await self.closed.wait()
        return answer


class _Session(asyncssh.SSHServerSession[str]):
    """A shell (or exec) channel: echo, line splitting, and fault injection around a Cli."""

    def __init__(self, runtime: _Runtime, username: str, conn: asyncssh.SSHServerConnection):
        self.runtime = runtime
        self.conn = conn
        self.cli: Cli = _CLI[runtime.spec.platform](runtime.device, username)
        self.chan: asyncssh.SSHServerChannel[str] | None = None
        self.command: str | None = None
        self.buffer = ""
        self.after_cr = False
        self.echo = True
        self.dead = False  # stalled or dropped: ignore all further input
        self.config_lines = 0  # configuration lines this session applied (drop-push)
        self.waiting: str | None = None  # "key": the greeting's key; "more": a paged output
        self.more: list[str] = []  # the lines of a paged output not shown yet

    def connection_made(self, chan: asyncssh.SSHServerChannel[str]) -> None:  # type: ignore[override]
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: object, term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command
        return True

    def session_started(self) -> None:
        assert self.chan is not None
        if self.command is not None:
            self.cli.privileged = True
            reply = self.cli.handle(self.command)
            self.chan.write(_crlf(reply.output) + ("\r\n" if reply.output else ""))
            self.chan.exit(0)
            return
        greeting = self.cli.greeting()
        if self.cli.press_any_key:
            self.waiting = "key"
            self.chan.write("\r\n" + _crlf(greeting))
            return
        self.chan.write(("\r\n" + _crlf(greeting) if greeting else "") + "\r\n" + self.cli.prompt())

    def data_received(self, data: str, datatype: object) -> None:
        if self.dead or self.chan is None:
            return
        out: list[str] = []
        for ch in data:
            if ch == "\n" and self.after_cr:
                self.after_cr = False
                continue
            self.after_cr = ch == "\r"
            if self.waiting is not None:
                out.append(self._key(ch))
                continue
            if ch in "\r\n\x1a":
                line = self.buffer + ("\x1a" if ch == "\x1a" else "")
                self.buffer = ""
                out.append("^Z\r\n" if ch == "\x1a" else "\r\n")
                if not self._respond(line, out):
                    return
            elif ch in "\x7f\x08":
                if self.buffer:
                    self.buffer = self.buffer[:-1]
                    if self.echo:
                        out.append("\b \b")
            elif ch >= " " or ch == "\t":
                self.buffer += ch
                if self.echo:
                    out.append(ch)
        if out:
            self.chan.write("".join(out))

    def eof_received(self) -> bool:
        return False

    def _key(self, ch: str) -> str:
        """A key pressed while the device waits for one (not echoed): after the greeting, or
        at ``-- MORE --``: space for a page, Enter for a line, Ctrl-C or q to stop."""
        if self.waiting == "key":
            self.waiting = None
            return "\r\n" + _crlf(self.cli.after_key()) + self.cli.prompt()
        page = self.cli.page_lines or 1
        count = page if ch == " " else 1 if ch in "\r\n" else 0
        if ch in "\x03q":
            self.more = []
        shown, self.more = self.more[:count], self.more[count:]
        text = "\r" + " " * len(MORE) + "\r" + "".join(line + "\r\n" for line in shown)
        if self.more:
            return text + MORE
        self.waiting = None
        return text + self.cli.prompt()

    def _respond(self, line: str, out: list[str]) -> bool:
        """Run one line and queue its output; False when the session must stop here."""
        assert self.chan is not None
        in_config = bool(self.cli.frames) and self.cli.pending is None
        reply = self.cli.handle(line)
        self.echo = reply.echo
        text = reply.output
        if in_config and line.strip() and self._drop_mid_push(text, out):
            return False
        if reply.kind and "\n" in text.strip():
            fault = self.runtime.fault()
            lines = text.split("\n")
            if fault == "truncate" and reply.kind == "config":
                text = "\n".join(lines[: len(lines) // 2])
            elif fault in ("stall", "drop"):
                out.append(_crlf("\n".join(lines[: max(1, len(lines) // 2)])) + "\r\n")
                self.chan.write("".join(out))
                self.dead = True
                log.info("%s: %s after partial output", self.runtime.spec.name, fault)
                if fault == "drop":
                    _spawn(self.runtime, _drop(self.conn))
                return False
        if self.cli.pending is not None:
            out.append(_crlf(text) + ("" if text.endswith((": ", "? ", ":")) else "\r\n"))
            return True
        page = self.cli.page_lines
        if page and reply.kind and text.count("\n") > page:
            lines = text.rstrip("\n").split("\n")
            out.append("".join(line + "\r\n" for line in lines[:page]) + MORE)
            self.more, self.waiting = lines[page:], "more"
            return True
        if text:
            out.append(_crlf(text) + ("" if text.endswith("\n") else "\r\n"))
        if reply.close:
            self.chan.write("".join(out))
            out.clear()
            self.chan.exit(0)
            self.dead = True
            return False
        out.append(self.cli.prompt())
        return True


    def _drop_mid_push(self, text: str, out: list[str]) -> bool:
        """The drop-push faults: after the PUSH_DROP_AFTER-th configuration line (applied),
        the connection closes; the fault then becomes what PUSH_DROPS says. True: dropped."""
        fault = self.runtime.fault()
        if fault not in PUSH_DROPS:
            return False
        self.config_lines += 1
        if self.config_lines < PUSH_DROP_AFTER:
            return False
        assert self.chan is not None
        if text:
            out.append(_crlf(text) + "\r\n")
        self.chan.write("".join(out))
        self.dead = True
        set_fault(self.runtime.faults_dir, self.runtime.spec.name, PUSH_DROPS[fault])
        log.info("%s: %s after %d configuration lines", self.runtime.spec.name, fault,
                 self.config_lines)
        _spawn(self.runtime, _drop(self.conn))
        return True


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


async def _drop(conn: asyncssh.SSHServerConnection) -> None:
    """Close the TCP connection without an SSH disconnect, once queued output has left."""
    # asyncssh has no public "flush then cut"; its transport is the asyncio one.
    transport = getattr(conn, "_transport", None)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _DRAIN_DEADLINE
    while transport is not None and transport.get_write_buffer_size() and loop.time() < deadline:
        await asyncio.sleep(0.01)
    conn.abort()


def _spawn(runtime: _Runtime, coro: object) -> None:
    task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
    runtime.tasks.add(task)
    task.add_done_callback(runtime.tasks.discard)


def load_host_key(path: str) -> asyncssh.SSHKey:
    """The device's ed25519 host key, generated (mode 0600) on first use; ``<path>.pub`` beside it."""
    key_path = Path(path)
    public_path = key_path.with_name(key_path.name + ".pub")
    if key_path.exists():
        key = asyncssh.read_private_key(key_path)
        if not public_path.exists():
            public_path.write_bytes(key.export_public_key("openssh"))
        return key
    key = asyncssh.generate_private_key("ssh-ed25519")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = key_path.with_name(f".{key_path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key("openssh"))
    os.replace(tmp, key_path)
    public_path.write_bytes(key.export_public_key("openssh"))
    return key


class Simulator:
    """All devices of one spec, served from one event loop."""

    def __init__(self, spec: SimSpec):
        self.spec = spec
        self.runtimes = [_Runtime(d, Device(d), spec.faults_dir) for d in spec.devices]

    def bind(self) -> None:
        """Open every listening socket (raises LabError naming the device that cannot bind)."""
        for rt in self.runtimes:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # never SO_REUSEPORT
            try:
                sock.bind((rt.spec.address, rt.spec.port))
            except OSError as exc:
                sock.close()
                self.close_listeners()
                raise LabError(
                    f"switch {rt.spec.name}: cannot listen on {rt.spec.address}:{rt.spec.port}: "
                    f"{exc.strerror}; stop whatever holds that address or change the port"
                ) from exc
            sock.listen(128)
            sock.setblocking(False)
            rt.listener = sock
            rt.options = asyncssh.SSHServerConnectionOptions(
                server_host_keys=[load_host_key(rt.spec.host_key)],
                server_factory=lambda rt=rt: _Server(rt),
                server_version=_SERVER_VERSION[rt.spec.platform],
                line_editor=False,
                allow_scp=False,
                agent_forwarding=False,
                x11_forwarding=False,
                encoding="utf-8",
                login_timeout=30,
            )

    async def serve(self, stop: asyncio.Event) -> None:
        """Accept connections on every device until ``stop`` is set, then close everything."""
        accepters = [asyncio.ensure_future(self._accept(rt)) for rt in self.runtimes]
        log.warning("serving %d simulated switches", len(self.runtimes))
        await stop.wait()
        for task in accepters:
            task.cancel()
        self.close_listeners()
        for rt in self.runtimes:
            for conn in list(rt.connections):
                conn.abort()
            for task in list(rt.tasks):
                task.cancel()
        await asyncio.gather(
            *accepters, *(t for rt in self.runtimes for t in rt.tasks), return_exceptions=True
        )

    def close_listeners(self) -> None:
        for rt in self.runtimes:
            if rt.listener is not None:
                rt.listener.close()
                rt.listener = None

    async def _accept(self, rt: _Runtime) -> None:
        loop = asyncio.get_running_loop()
        assert rt.listener is not None
        while True:
            sock, peer = await loop.sock_accept(rt.listener)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if rt.fault() == "no-banner":
                _spawn(rt, _hold_silently(sock))
            else:
                _spawn(rt, _run_ssh(rt, sock, peer))


async def _run_ssh(rt: _Runtime, sock: socket.socket, peer: object) -> None:
    try:
        await asyncssh.run_server(sock, options=rt.options)
    except (OSError, asyncssh.Error) as exc:
        log.info("%s: connection from %s ended during login: %s", rt.spec.name, peer, exc)


async def _hold_silently(sock: socket.socket) -> None:
    """The ``no-banner`` fault: accept TCP, never speak SSH, discard input until the client leaves."""
    loop = asyncio.get_running_loop()
    try:
        while await loop.sock_recv(sock, 4096):
            pass
    except OSError:
        pass
    finally:
        sock.close()
