"""classify(): transport exceptions -> ErrorKind and a message that says what to do."""

from __future__ import annotations

import errno
import socket

import paramiko
import pytest
from netmiko.exceptions import ReadException, ReadTimeout
from paramiko.ssh_exception import NoValidConnectionsError

from ictops.connections.base import SessionError
from ictops.connections.classify import classify
from ictops.results import ErrorKind

WHERE = "[127.0.1.5]:2222"


def _key() -> paramiko.PKey:
    return paramiko.ECDSAKey.generate()


CASES = [
    (
        NoValidConnectionsError({("127.0.1.5", 2222): ConnectionRefusedError()}),
        "ssh",
        ErrorKind.UNREACHABLE,
    ),
    (
        ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
        "tcp",
        ErrorKind.UNREACHABLE,
    ),
    (OSError(errno.EHOSTUNREACH, "No route to host"), "tcp", ErrorKind.UNREACHABLE),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), "ssh", ErrorKind.UNREACHABLE),
    (TimeoutError("timed out"), "tcp", ErrorKind.UNREACHABLE),
    (TimeoutError("timed out"), "tcp", ErrorKind.UNREACHABLE),
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "tcp", ErrorKind.UNREACHABLE),
    (paramiko.SSHException("Error reading SSH protocol banner"), "ssh", ErrorKind.TIMEOUT),
    (
        paramiko.SSHException(
            "Error reading SSH protocol banner[Errno 104] Connection reset by peer"
        ),
        "ssh",
        ErrorKind.CONNECTION_LOST,
    ),
    (paramiko.SSHException("No existing session"), "ssh", ErrorKind.TIMEOUT),
    (paramiko.SSHException("Timeout opening channel."), "ssh", ErrorKind.TIMEOUT),
    (
        paramiko.SSHException("Server '[127.0.1.5]:2222' not found in known_hosts"),
        "ssh",
        ErrorKind.HOSTKEY_UNKNOWN,
    ),
    (paramiko.SSHException("SSH session not active"), "command", ErrorKind.CONNECTION_LOST),
    (paramiko.AuthenticationException("Authentication failed."), "ssh", ErrorKind.AUTH_FAILED),
    (
        paramiko.BadAuthenticationType("Bad authentication type", ["publickey"]),
        "ssh",
        ErrorKind.AUTH_FAILED,
    ),
    (paramiko.AuthenticationException("Authentication timeout."), "ssh", ErrorKind.TIMEOUT),
    (EOFError(), "ssh", ErrorKind.CONNECTION_LOST),
    (
        ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
        "command",
        ErrorKind.CONNECTION_LOST,
    ),
    (BrokenPipeError(errno.EPIPE, "Broken pipe"), "command", ErrorKind.CONNECTION_LOST),
    (OSError("Socket is closed"), "command", ErrorKind.CONNECTION_LOST),
    (TimeoutError(), "command", ErrorKind.TIMEOUT),
    (TimeoutError(), "ssh", ErrorKind.TIMEOUT),
    (ReadTimeout("Pattern not detected"), "command", ErrorKind.TIMEOUT),
    (
        ReadException("Channel stream closed by remote device."),
        "command",
        ErrorKind.CONNECTION_LOST,
    ),
    (SessionError(ErrorKind.HOSTKEY_UNKNOWN, "not trusted"), "ssh", ErrorKind.HOSTKEY_UNKNOWN),
    (ValueError("boom"), "ssh", ErrorKind.INTERNAL),
]


@pytest.mark.parametrize(
    "exc, phase, kind", CASES, ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)]
)
def test_kind(exc: BaseException, phase: str, kind: ErrorKind) -> None:
    got, message = classify(exc, where=WHERE, name="srv-1", phase=phase, timeout=3)  # type: ignore[arg-type]
    assert got is kind
    assert message and "\n" not in message


def test_changed_key_names_both_fingerprints_and_the_fix() -> None:
    old, new = _key(), _key()
    exc = paramiko.BadHostKeyException(WHERE, new, old)
    kind, message = classify(exc, where=WHERE, name="srv-1")
    assert kind is ErrorKind.HOSTKEY_CHANGED
    assert f"was {old.fingerprint}, now {new.fingerprint}" in message
    assert "ictops hostkeys forget srv-1" in message and "CHANGED" in message


def test_unknown_key_says_how_to_trust() -> None:
    exc = paramiko.SSHException(f"Server {WHERE!r} not found in known_hosts")
    _, message = classify(exc, where=WHERE, name="srv-1")
    assert message == (
        f"host key of {WHERE} is not trusted yet; check it and run: ictops hostkeys trust -l srv-1"
    )


def test_banner_timeout_says_seconds() -> None:
    _, message = classify(
        paramiko.SSHException("Error reading SSH protocol banner"), where=WHERE, timeout=3
    )
    assert "no SSH banner" in message and "3s" in message
