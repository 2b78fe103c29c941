"""Loopback receivers for notifications: SMTP (aiosmtpd), an HTTP webhook, syslog (UDP, TCP).

Every receiver listens on LOOPBACK, an address of this test run's lab network (tests/net.py).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.net import LAB

LOOPBACK = f"{LAB}.47.1"
SMTP_PASSWORD = "smtp-Secret-4821"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd handler keeping every message and login it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=password == SMTP_PASSWORD)


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname=LOOPBACK,
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
        ready_timeout=30,
    )
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length).decode("utf-8"))
        self.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if "fail" in self.path:  # an API that echoes the request path, token included
            self.send_response(401)
            self.end_headers()
            self.wfile.write(f"unauthorized for {self.path}".encode())
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Syslog:
    """A syslog receiver on UDP and TCP (newline-framed): every line it got."""

    def __init__(self) -> None:
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((LOOPBACK, 0))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind((LOOPBACK, 0))
        self.tcp.listen(8)
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._serve_udp, daemon=True),
                         threading.Thread(target=self._serve_tcp, daemon=True)]
        for thread in self._threads:
            thread.start()

    @property
    def udp_url(self) -> str:
        return f"udp://{LOOPBACK}:{self.udp.getsockname()[1]}"

    @property
    def tcp_url(self) -> str:
        return f"tcp://{LOOPBACK}:{self.tcp.getsockname()[1]}"

    def _add(self, data: bytes) -> None:
        with self._lock:
            self.lines.extend(x for x in data.decode("utf-8", "replace").splitlines() if x)

    def _serve_udp(self) -> None:
        self.udp.settimeout(0.2)
        while not self._stop.is_set():
            try:
                self._add(self.udp.recv(65536))
            except (TimeoutError, OSError):
                continue

    def _serve_tcp(self) -> None:
        self.tcp.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                self._add(data)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[str]:
        """The lines once there are ``count`` of them (AssertionError after ``timeout``)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if len(self.lines) >= count:
                    return list(self.lines)
            if time.monotonic() > deadline:
                raise AssertionError(f"syslog got {self.lines}, expected {count} line(s)")
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.udp.close()
        self.tcp.close()


@pytest.fixture
def syslog_server() -> Iterator[Syslog]:
    server = Syslog()
    try:
        yield server
    finally:
        server.close()
