"""Turn paramiko/netmiko/socket exceptions into an ErrorKind and a message that says what to do."""

from __future__ import annotations

import errno
import socket
from typing import Literal

import paramiko
from netmiko.exceptions import ReadException, ReadTimeout

from ictops.connections.base import SessionError
from ictops.results import ErrorKind

Phase = Literal["tcp", "ssh", "command"]

_LOST_ERRNOS = {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED, errno.ESHUTDOWN}
_UNREACHABLE_ERRNOS = {
    errno.ECONNREFUSED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EHOSTDOWN,
    errno.ENETDOWN,
    errno.EADDRNOTAVAIL,
}


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's fingerprint of a key: ``SHA256:<base64, no padding>``."""
    return key.fingerprint


def hostkey_changed_message(where: str, name: str | None, was: str, now: str) -> str:
    return (
        f"the host key of {where} has CHANGED (was {was}, now {now}); this may be an attack; "
        f"if the device was really replaced run: ictops hostkeys forget {name or where}, "
        "then trust it again"
    )


def hostkey_unknown_message(where: str, name: str | None) -> str:
    return (
        f"host key of {where} is not trusted yet; check it and run: "
        f"ictops hostkeys trust -l {name or where}"
    )


def classify(
    exc: BaseException,
    *,
    where: str = "the host",
    name: str | None = None,
    phase: Phase = "ssh",
    timeout: float | None = None,
) -> tuple[ErrorKind, str]:
    """The kind of a transport failure and a one-line message with the fix.

    ``where`` is the address as shown to the officer (``[127.0.1.5]:2222``), ``name`` the
    inventory name used in hints, ``phase`` what was going on (a TCP connect, the SSH
    handshake/auth, or a command), ``timeout`` the limit that applied, if any.
    """
    secs = f" within {timeout:g}s" if timeout else ""
    text = str(exc).strip()

    if isinstance(exc, SessionError):
        return exc.kind, exc.message
    if isinstance(exc, socket.gaierror):
        return ErrorKind.UNREACHABLE, (
            f"cannot resolve the address of {where} ({exc.strerror}); "
            "check hostname in the inventory"
        )

    # netmiko first (it drives the switch CLI; switches log in through paramiko like
    # servers): its exceptions subclass paramiko's.
    if isinstance(exc, ReadTimeout):
        return ErrorKind.TIMEOUT, (
            f"{where} did not finish its output{secs}; the device is slow or stuck: "
            "retry, or raise timeouts.command for it"
        )
    if isinstance(exc, ReadException):
        return ErrorKind.CONNECTION_LOST, f"reading from {where} failed: {_first_line(text)}"

    if isinstance(exc, paramiko.BadHostKeyException):
        return ErrorKind.HOSTKEY_CHANGED, hostkey_changed_message(
            where, name, fingerprint(exc.expected_key), fingerprint(exc.key)
        )
    if isinstance(exc, paramiko.AuthenticationException):
        if "timeout" in text.lower():
            return ErrorKind.TIMEOUT, f"{where} did not finish authentication{secs}"
        return ErrorKind.AUTH_FAILED, _auth_message(where)
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        return ErrorKind.UNREACHABLE, _unreachable_message(where, "connection refused")
    if isinstance(exc, paramiko.SSHException):
        return _classify_ssh_exception(text, where, name, secs)

    if isinstance(exc, EOFError):
        return ErrorKind.CONNECTION_LOST, _lost_message(where)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        if phase == "tcp":
            return ErrorKind.UNREACHABLE, _unreachable_message(
                where, f"TCP connect timed out{secs}"
            )
        if phase == "command":
            return ErrorKind.TIMEOUT, f"the command on {where} did not finish{secs}"
        return ErrorKind.TIMEOUT, f"{where} stopped answering during the SSH handshake{secs}"
    if isinstance(exc, OSError):
        if phase == "tcp" or exc.errno in _UNREACHABLE_ERRNOS:
            reason = exc.strerror or type(exc).__name__
            return ErrorKind.UNREACHABLE, _unreachable_message(where, reason.lower())
        if exc.errno in _LOST_ERRNOS or isinstance(exc, ConnectionError):
            return ErrorKind.CONNECTION_LOST, _lost_message(where)
        return ErrorKind.CONNECTION_LOST, f"I/O error talking to {where}: {exc}"
    return ErrorKind.INTERNAL, (
        f"unexpected {type(exc).__name__} talking to {where}: {_first_line(text)}; "
        "this is a bug in ictops, please report it"
    )


def _classify_ssh_exception(
    text: str, where: str, name: str | None, secs: str
) -> tuple[ErrorKind, str]:
    lowered = text.lower()
    if "not found in known_hosts" in lowered:
        return ErrorKind.HOSTKEY_UNKNOWN, hostkey_unknown_message(where, name)
    if "error reading ssh protocol banner" in lowered:
        if "reset" in lowered or "eof" in lowered or "broken pipe" in lowered:
            return ErrorKind.CONNECTION_LOST, (
                f"{where} closed the connection before its SSH banner; is it an SSH server?"
            )
        return ErrorKind.TIMEOUT, f"no SSH banner from {where}{secs}; is it an SSH server?"
    if "timeout opening channel" in lowered:
        return ErrorKind.TIMEOUT, f"{where} did not open a session channel{secs}"
    if "no existing session" in lowered:
        return ErrorKind.TIMEOUT, f"{where} did not finish the SSH handshake{secs}"
    if "not active" in lowered or "closed" in lowered or "eof" in lowered:
        return ErrorKind.CONNECTION_LOST, _lost_message(where)
    if "incompatible" in lowered or "no acceptable" in lowered:
        return ErrorKind.UNREACHABLE, (
            f"no common SSH algorithm with {where} ({_first_line(text)}); "
            "the device's SSH is too old or too strict"
        )
    return ErrorKind.CONNECTION_LOST, f"SSH error with {where}: {_first_line(text)}"


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "no details"


def _unreachable_message(where: str, reason: str) -> str:
    return (
        f"cannot reach {where}: {reason}; check that it is on, that hostname and port in "
        "the inventory are right, and that SSH runs there"
    )


def _auth_message(where: str) -> str:
    return (
        f"{where} refused the login; check username, ssh_key or password in the inventory "
        "(and that the key is in the host's authorized_keys)"
    )


def _lost_message(where: str) -> str:
    return (
        f"{where} closed the connection unexpectedly; "
        "retry, and check the host's logs if it repeats"
    )


def session_error(
    exc: BaseException,
    *,
    where: str = "the host",
    name: str | None = None,
    phase: Phase = "ssh",
    timeout: float | None = None,
    during_connect: bool = False,
) -> SessionError:
    """A SessionError for ``exc`` (see ``classify``); ``during_connect`` marks failures while
    opening the session, which make the host UNREACHABLE rather than FAILED."""
    kind, message = classify(exc, where=where, name=name, phase=phase, timeout=timeout)
    return SessionError(kind, message, during_connect=during_connect)
