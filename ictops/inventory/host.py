"""The resolved, immutable view of an inventory host that the rest of ictops uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ictops.platforms import Platform, get_platform
from ictops.secrets import SecretRef


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed for each phase of a connection and for one command."""

    connect: float = 10.0
    banner: float = 10.0
    auth: float = 10.0
    channel: float = 10.0
    command: float = 60.0


MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bytes a host may make ictops hold in memory (docs/security.md).

    output: one command's output kept (stdout and stderr each); the rest is counted, said
    to be cut, and only written where asked (``ictops cmd --output-dir``).
    file: one file read from the host (SFTP or sudo cat); a bigger file is refused.
    """

    output: int = 4 * MiB
    file: int = 16 * MiB


@dataclass(frozen=True)
class School:
    name: str  # Thai name, e.g. โรงเรียนบ้านหนองบัว
    code: str  # the ministry's school code (10 digits)


@dataclass(frozen=True)
class Host:
    """One host with group and default inheritance already resolved."""

    name: str
    hostname: str
    platform_name: str
    port: int = 22
    username: str | None = None
    password: SecretRef | None = None
    enable_secret: SecretRef | None = None
    ssh_key: str | None = None  # path, relative to the project
    sudo: bool = False
    sudo_password: SecretRef | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    limits: Limits = field(default_factory=Limits)
    role: str | None = None  # server, switch, router, ap
    site: str | None = None
    district: str | None = None
    school: School | None = None
    groups: tuple[str, ...] = ()  # direct groups, in order
    all_groups: tuple[str, ...] = ()  # direct and inherited groups
    backup_files: tuple[str, ...] = ()  # servers: files the backup keeps
    data: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # "inventory/hosts.yaml, host 'sw-1'"

    @property
    def platform(self) -> Platform:
        return get_platform(self.platform_name)

    @property
    def is_switch(self) -> bool:
        return self.platform.is_switch

    @property
    def is_server(self) -> bool:
        return not self.platform.is_switch

    @property
    def known_hosts_name(self) -> str:
        """The name OpenSSH and paramiko use in known_hosts for this host."""
        return self.hostname if self.port == 22 else f"[{self.hostname}]:{self.port}"

    def secret_refs(self) -> list[tuple[str, SecretRef]]:
        """Every secret reference of the host with its key: the typed ones, then those under
        ``data`` (secret-looking keys, ``data.snmp.community``)."""
        refs = [
            (key, ref)
            for key in ("password", "enable_secret", "sudo_password")
            if (ref := getattr(self, key)) is not None
        ]
        stack: list[tuple[str, Any]] = [("data", self.data)]
        while stack:
            where, value = stack.pop()
            if isinstance(value, SecretRef):
                refs.append((where, value))
            elif isinstance(value, Mapping):
                stack.extend((f"{where}.{k}", v) for k, v in reversed(list(value.items())))
            elif isinstance(value, (list, tuple)):
                stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(value))))
        return refs

    def attribute(self, key: str) -> Any:
        """A value by name for filters and templates: a typed field, else ``data``
        (dotted keys go down nested mappings). Missing -> None."""
        typed = {
            "name": self.name,
            "hostname": self.hostname,
            "platform": self.platform_name,
            "port": self.port,
            "role": self.role,
            "site": self.site,
            "district": self.district,
            "username": self.username,
            "school": self.school.name if self.school else None,
            "school_name": self.school.name if self.school else None,
            "school_code": self.school.code if self.school else None,
            "kind": self.platform.kind,
        }
        if key in typed:
            return typed[key]
        path = key[5:] if key.startswith("data.") else key
        value: Any = self.data
        for part in path.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value
