"""What an importer produces: inventory entries, each with where its values came from.

Every importer (asset register, Ansible, Nornir) turns its source into a ``Draft``: hosts,
groups and defaults as the inventory will hold them, plus what it left out and which secret
references the officer has to fill. Validation is not done here: the draft is merged into the
inventory files and the inventory's own loader judges the result (ictops/inventory/importers/
check.py), its errors sent back to the row and column, or line, of the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ictops.errors import InputError, InventoryError

KeyPath = tuple[Any, ...]


@dataclass(frozen=True)
class Spot:
    """A place in a source: a line of a text file, or a row and column of a sheet."""

    file: str
    line: int | None = None  # the line of a text file, or a sheet's row (for the order)
    label: str = ""  # "row 17, column E 'หมายเลข IP'"; empty for a line of a text file

    def where(self) -> str:
        """'register.csv: row 10' or 'hosts.yaml:36', for lists the officer reads."""
        if self.label:
            return f"{self.file}: {self.label}"
        return f"{self.file}:{self.line}" if self.line else self.file

    def error(self, message: str) -> InputError:
        if self.label:
            error = InventoryError(f"{self.label}: {message}", self.file)
            error.order = self.line  # type: ignore[attr-defined]
            return error
        return InventoryError(message, self.file, self.line)


def error_order(error: InputError) -> tuple[str, int]:
    """Errors sorted as the source reads: by file, then line or row."""
    return (error.file or "", getattr(error, "order", None) or error.line or 0)


ORDER = (
    "hostname", "port", "platform", "role", "username", "password", "enable_secret", "ssh_key",
    "sudo", "sudo_password", "site", "district", "school", "groups", "data",
)


def ordered(body: dict[str, Any]) -> dict[str, Any]:
    """A body's keys in the order people write them (address first, data last)."""
    rank = {k: i for i, k in enumerate(ORDER)}
    return dict(sorted(body.items(), key=lambda kv: rank.get(kv[0], len(ORDER) - 1)))


@dataclass
class Entry:
    """One host, group or the defaults, as the inventory will hold it."""

    name: str
    body: dict[str, Any]
    spot: Spot  # the entry as a whole (a row, a host's line)
    spots: dict[KeyPath, Spot] = field(default_factory=dict)  # key path in body -> source

    def spot_of(self, path: KeyPath) -> Spot:
        """Where the value at ``path`` (or its nearest parent with a known place) came from."""
        path = tuple(path)
        while path:
            if path in self.spots:
                return self.spots[path]
            path = path[:-1]
        return self.spot


@dataclass(frozen=True)
class SecretToFill:
    """A reference the import wrote in place of a secret it found (never the value)."""

    reference: dict[str, str]  # {"file": "state/secrets/group-core-password"} or {"env": ...}
    section: str  # hosts, groups or defaults
    entry: str  # the host or group name ("" for defaults)
    path: KeyPath  # where in the entry: ("password",), ("connection_options", "netmiko", ...)
    spot: Spot

    def describe(self) -> str:
        kind, value = next(iter(self.reference.items()))
        return f"{kind}:{value}"

    def where(self) -> str:
        what = {"hosts": f"host '{self.entry}'", "groups": f"group '{self.entry}'"}
        key = ".".join(str(p) for p in self.path)
        return f"{what.get(self.section, 'defaults')} {key}"


@dataclass(frozen=True)
class LeftOut:
    """A host, row or setting the import leaves out, and why (not an error)."""

    where: str  # "register.csv: row 10", "hosts.yaml:36"
    what: str  # "TP-Link TL-SG1024D (10.36.1.8)", "host 'dev2.group_1'"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.reason}"


@dataclass
class Draft:
    """The inventory entries made from one source, and what the officer must know about it."""

    source: str
    kind: str  # csv, xlsx, ansible-yaml, ansible-ini, nornir
    hosts: dict[str, Entry] = field(default_factory=dict)
    groups: dict[str, Entry] = field(default_factory=dict)
    defaults: Entry | None = None
    errors: list[InputError] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    secrets: list[SecretToFill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
