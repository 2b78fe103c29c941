"""A faulty SSH server on loopback (paramiko in server mode) that stalls where it is told to.

Each stall blocks paramiko's server thread for that connection until the peer is stopped,
so the client sees a server that simply never answers: the auth request, the channel open,
the exec request, or the SFTP subsystem request. "killed" runs every command for
``killed_after`` seconds, then ends it the way sshd reports a command killed by SIGKILL
(an "exit-signal" request, no exit status): what a login shell that execs ``timeout``
sends when ``timeout -k`` had to kill.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import paramiko

Stall = Literal["auth", "channel", "exec", "sftp", "killed"]


class _Interface(paramiko.ServerInterface):
    def __init__(self, stall: Stall, stop: threading.Event, killed_after: float):
        self.stall = stall
        self.stop = stop
        self.killed_after = killed_after

    def _maybe_stall(self, where: Stall) -> None:
        if self.stall == where:
            self.stop.wait()  # never answers while the test runs

    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        self._maybe_stall("auth")
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind: str, chanid: int) -> int:
        self._maybe_stall("channel")
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self._maybe_stall("exec")
        if self.stall != "killed":
            return False
        threading.Thread(target=self._kill, args=(channel,), daemon=True).start()
        return True

    def _kill(self, channel: paramiko.Channel) -> None:
        if self.stop.wait(max(self.killed_after, 0.2)):  # the exec answer goes first
            return
        m = paramiko.Message()
        m.add_byte(bytes([paramiko.common.MSG_CHANNEL_REQUEST]))
        m.add_int(channel.remote_chanid)
        m.add_string("exit-signal")
        m.add_boolean(False)
        m.add_string("KILL")
        m.add_boolean(False)  # no core dump
        m.add_string("")
        m.add_string("")
        channel.transport._send_user_message(m)
        channel.shutdown_write()
        channel.close()

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        self._maybe_stall("sftp")
        return False


@contextmanager
def faulty_peer(
    address: str, stall: Stall, killed_after: float = 0.0
) -> Iterator[tuple[int, paramiko.PKey]]:
    """Serve on ``address`` (a free port); yields (port, host key). Stops everything on exit."""
    key = paramiko.ECDSAKey.generate()
    stop = threading.Event()
    listener = socket.socket()
    listener.bind((address, 0))
    listener.listen(8)
    listener.settimeout(0.2)
    transports: list[paramiko.Transport] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:  # timeout, or closed at the end
                continue
            transport = paramiko.Transport(conn)
            transport.add_server_key(key)
            transports.append(transport)
            try:
                transport.start_server(server=_Interface(stall, stop, killed_after))
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()

    thread = threading.Thread(target=serve, name="faulty-peer", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], key
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        for transport in transports:
            transport.close()
