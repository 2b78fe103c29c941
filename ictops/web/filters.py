"""The host filters the fleet and compliance pages share: school, district, platform."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ictops.web.sources import HostInfo

HOST_KEYS = ("school", "district", "platform")


@dataclass(frozen=True)
class HostFilter:
    """What the officer picked (empty: any), and the choices the hosts offer."""

    picked: dict[str, str]
    choices: dict[str, list[str]]

    @classmethod
    def of(cls, args: Mapping[str, str], hosts: Iterable[HostInfo]) -> HostFilter:
        hosts = list(hosts)
        choices = {
            key: sorted({getattr(h, key) for h in hosts if getattr(h, key)}) for key in HOST_KEYS
        }
        picked = {key: args.get(key, "").strip() for key in HOST_KEYS}
        return cls({k: v for k, v in picked.items() if v}, choices)

    def keep(self, host: HostInfo) -> bool:
        return all(getattr(host, key) == value for key, value in self.picked.items())

    @property
    def active(self) -> bool:
        return bool(self.picked)
