"""Send the audit trail's head to the office's syslog server after a command wrote to the trail.

A syslog server is a witness outside state/ (ictops.audit.witness): whoever can rewrite
state/ cannot take back what the log server already received. Set it in
``inventory/notify.yaml``::

    witness:
      syslog: udp://10.1.0.5:514     # or tcp://HOST:PORT

One RFC 5424 line per command that appended records, facility local4, severity notice::

    <165>1 2026-11-30T21:59:00.000Z ictops-host ictops 4242 trail-head - ictops trail head:
    seq 1234 hash 3f5a... project=/srv/ictops office=...

UDP is one datagram (RFC 5426); TCP is newline-framed (RFC 6587), connect and send each
bounded by the ``timeout`` setting (5 s).
"""

from __future__ import annotations

import os
import socket

from ictops import clock
from ictops.audit.witness import Head, trail_head
from ictops.errors import IctopsError
from ictops.notify.config import WitnessSettings, syslog_address
from ictops.project import Project

FACILITY_LOCAL4, SEVERITY_NOTICE = 20, 5
MAX_DATAGRAM = 2048


class WitnessError(OSError):
    """The head could not be handed to the syslog server."""


def syslog_line(head: Head, project: Project, office: str = "") -> bytes:
    """The RFC 5424 message carrying ``head``."""
    pri = FACILITY_LOCAL4 * 8 + SEVERITY_NOTICE
    host = socket.gethostname().split(".")[0] or "-"
    text = f"{head.line()} project={project.root}"
    if office:
        text += f" office={office}"
    line = f"<{pri}>1 {clock.stamp(ms=True)} {host} ictops {os.getpid()} trail-head - {text}"
    return line.encode("utf-8")[:MAX_DATAGRAM]


def send_syslog(url: str, message: bytes, timeout: float) -> None:
    """Deliver one syslog message; WitnessError (naming the server) when it cannot."""
    protocol, host, port = syslog_address(url)
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0][0]
        if protocol == "udp":
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.settimeout(timeout)
                sock.sendto(message, (host, port))
        else:
            with socket.create_connection((host, port), timeout=timeout) as sock:
                sock.settimeout(timeout)
                sock.sendall(message + b"\n")
    except OSError as exc:
        raise WitnessError(f"syslog {url}: {exc.strerror or exc}") from None


def announce_head(project: Project, before: Head | None) -> str | None:
    """Send the trail's head to syslog if the trail moved since ``before`` and a server is set.

    Returns a warning to show (None when sent or nothing to do); never raises for delivery.
    """
    from ictops.audit.recorder import trail_path
    from ictops.notify.events import NOTIFY_FILE, notifier_for
    from ictops.report.collect import office_name

    head = trail_head(trail_path(project))
    if head is None or head == before or not (project.inventory_dir / NOTIFY_FILE).exists():
        return None
    try:
        notifier = notifier_for(project)
    except Exception as exc:  # noqa: BLE001 - the command already said what is wrong with the file
        return f"trail head not sent to syslog: {exc}"
    settings: WitnessSettings = notifier.config.witness if notifier else WitnessSettings()
    if not settings.syslog:
        return None
    try:
        office = office_name(project)
    except IctopsError:  # a broken team file: the head still goes out
        office = ""
    try:
        send_syslog(settings.syslog, syslog_line(head, project, office), settings.timeout)
    except WitnessError as exc:
        return f"trail head (seq {head.seq}) not sent: {exc}"
    return None
