"""The loaded inventory: resolved hosts, in file order, and the limit filter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ictops.errors import InventoryError, LimitError
from ictops.inventory.host import Host
from ictops.validation import suggest


@dataclass(frozen=True)
class Inventory:
    hosts: Mapping[str, Host]
    groups: tuple[str, ...]
    root: Path

    def __len__(self) -> int:
        return len(self.hosts)

    def host(self, name: str) -> Host:
        try:
            return self.hosts[name]
        except KeyError:
            raise InventoryError(
                f"no host '{name}' in the inventory{suggest(name, list(self.hosts))}; "
                "see: ictops inventory list"
            ) from None

    def select(self, limit: str | None) -> list[Host]:
        """Hosts matching a -l/--limit expression (all hosts when None), in inventory order.

        Raises LimitError when the expression is invalid, empty or selects no host: an
        empty -l (a script's unset variable) must not mean the whole district.
        """
        from ictops.inventory.limit import parse_limit

        if limit is None:
            return list(self.hosts.values())
        predicate = parse_limit(limit, self)
        selected = [h for h in self.hosts.values() if predicate(h)]
        if not selected:
            raise LimitError(f"limit '{limit}' selects no hosts; see: ictops inventory list")
        return selected
