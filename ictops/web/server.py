"""Serve the dashboard with waitress: a pure-Python, production WSGI server (Pylons project)
that needs no compiler and listens on exactly the address it is given."""

from __future__ import annotations

import ipaddress
import socket

from waitress.server import create_server

from ictops.errors import InputError
from ictops.project import Project
from ictops.web.app import create_app
from ictops.web.snapshot import SnapshotCache

THREADS = 4


def url_for_bind(bind: str, port: int) -> str:
    host = f"[{bind}]" if ":" in bind else bind
    return f"http://{host}:{port}/"


def check_bind(bind: str) -> None:
    """A literal IP address or localhost (no name lookups: say exactly where it listens)."""
    if bind == "localhost":
        return
    try:
        ipaddress.ip_address(bind)
    except ValueError:
        raise InputError(f"--bind {bind}: give an IP address of this machine (127.0.0.1, or the "
                         "office network's address), not a name") from None


def make_server(project: Project, bind: str, port: int, *, login: bool):
    """The server, bound (OSError when the address or port cannot be had), not yet serving."""
    check_bind(bind)
    cache = SnapshotCache(project)
    app = create_app(project, login=login, cache=cache)
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    try:
        return create_server(app, host=bind, port=port, threads=THREADS, ident="ictops",
                             ipv4=family == socket.AF_INET, ipv6=family == socket.AF_INET6,
                             clear_untrusted_proxy_headers=True), cache
    except OSError as exc:
        raise InputError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}; "
                         "choose another --port or --bind") from None
