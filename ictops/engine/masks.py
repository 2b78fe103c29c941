"""Masking of what a run shows and records, per host: its platform's secret patterns plus
the secret values its inventory entry references (passwords, enable secrets)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from ictops.audit.mask import Masker
from ictops.errors import IctopsError
from ictops.inventory.host import Host


def host_maskers(hosts: Iterable[Host], root: Path) -> Callable[[str | None], Masker]:
    """``masker_for(host name)``: each host's platform rules plus its known secret values
    (those that can be resolved); a name that is not a host (or None) gets every rule."""
    by_name = {h.name: h for h in hosts}
    cache: dict[str, Masker] = {}
    lock = threading.Lock()

    def masker_for(name: str | None) -> Masker:
        host = by_name.get(name or "")
        if host is None:
            return Masker()
        with lock:
            if name in cache:
                return cache[host.name]
        secrets = []
        for ref in (host.password, host.enable_secret, host.sudo_password):
            if ref is not None and ref.is_available(root):
                try:
                    secrets.append(ref.resolve(root))
                except IctopsError:
                    pass
        masker = Masker(host.platform_name, secrets)
        with lock:
            cache[host.name] = masker
        return masker

    return masker_for
