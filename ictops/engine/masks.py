"""Masking of everything a run shows and records, in one place, per host.

Each host's masker knows its platform's secret patterns (ictops/data/platforms.yaml, via
ictops.masking) and the secret values the run's inventory entries reference (passwords,
enable secrets: every host's, since one host's output can quote another's, or the command
line typed for all of them): a result's message, output and diff, and every change of a
plan, are masked here before anything prints, saves or records them.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from pathlib import Path

from ictops.audit.mask import Masker
from ictops.errors import IctopsError
from ictops.inventory.host import Host
from ictops.masking import mask_diff, mask_secrets
from ictops.results import Change, Outcome, Plan


class HostMasks:
    """The maskers of a run's hosts (built on first use; thread-safe)."""

    def __init__(self, hosts: Iterable[Host], root: Path):
        self._hosts = {h.name: h for h in hosts}
        self._root = root
        self._cache: dict[str, Masker] = {}
        self._lock = threading.Lock()
        self._values: list[str] | None = None

    def masker(self, name: str | None) -> Masker:
        """The host's masker; for a name that is no host of the run (or None): every rule."""
        host = self._hosts.get(name or "")
        if host is None:
            return Masker()
        with self._lock:
            cached = self._cache.get(host.name)
        if cached is not None:
            return cached
        masker = Masker(host.platform_name, self._secret_values())
        with self._lock:
            self._cache[host.name] = masker
        return masker

    def run_masker(self) -> Masker:
        """For run-level text (a command line typed for every host): every rule and secret."""
        return Masker(None, self._secret_values())

    def _secret_values(self) -> list[str]:
        with self._lock:
            if self._values is None:
                self._values = sorted({v for h in self._hosts.values()
                                       for v in _secret_values(h, self._root)})
            return self._values

    def text(self, name: str | None, text: str) -> str:
        return self.masker(name)(text) if text else text

    def output(self, name: str | None, text: str) -> str:
        """Device output: the platform's patterns and the host's secret values."""
        if not text:
            return text
        masker = self.masker(name)
        return _values(masker, mask_secrets(text, masker.platform))

    def diff(self, name: str | None, diff: str) -> str:
        if not diff:
            return diff
        masker = self.masker(name)
        return _values(masker, mask_diff(diff, masker.platform))

    def outcome(self, name: str | None, outcome: Outcome) -> Outcome:
        return dataclasses.replace(
            outcome, message=self.text(name, outcome.message),
            output=self.output(name, outcome.output), diff=self.diff(name, outcome.diff),
        )

    def plan(self, name: str | None, plan: Plan) -> Plan:
        """The plan as it may be shown, saved and compared (its ``state`` is dropped)."""
        changes = tuple(Change(self.text(name, c.description), self.diff(name, c.diff))
                        for c in plan.changes)
        return Plan(changes, self.text(name, plan.reason), plan.certain, payload=plan.payload)


def _values(masker: Masker, text: str) -> str:
    for secret in masker.secrets:
        text = text.replace(secret, "<removed>")
    return text


def _secret_values(host: Host, root: Path) -> list[str]:
    values = []
    for _, ref in host.secret_refs():  # typed ones and those under data: (snmp_community...)
        if ref.is_available(root):
            try:
                values.append(ref.resolve(root))
            except IctopsError:
                pass
    return values
