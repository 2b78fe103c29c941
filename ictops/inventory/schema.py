"""Pydantic models of the inventory files: what keys exist and what they may hold.

Validation happens here, at the door; the rest of ictops only sees resolved
``Host`` dataclasses (ictops/inventory/host.py).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, ClassVar, Literal, Optional

from pydantic import BaseModel, ByteSize, Field, field_validator, model_validator

from ictops.inventory.connopts import NETMIKO_EXTRAS, PARAMIKO_EXTRAS
from ictops.validation import StrictModel

ROLES = ("server", "switch", "router", "ap", "firewall")

class SecretRefModel(StrictModel):
    """``{env: NAME}`` or ``{file: PATH}``: where a secret lives, never the secret."""

    env: Optional[str] = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    file: Optional[str] = None

    @model_validator(mode="before")
    @classmethod
    def _no_plaintext(cls, value: Any) -> Any:
        if isinstance(value, (str, int, float)):
            raise ValueError(
                "plaintext secrets are not allowed in the inventory; "
                "write {env: VARIABLE_NAME} or {file: path/to/secret-file}"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> "SecretRefModel":
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of env: or file:")
        return self

class SchoolModel(StrictModel):
    name: str = Field(min_length=1, description="school name in Thai")
    code: str = Field(pattern=r"^\d{6,10}$", description="ministry school code, quoted")

class TimeoutsModel(StrictModel):
    connect: Optional[float] = Field(default=None, gt=0)
    banner: Optional[float] = Field(default=None, gt=0)
    auth: Optional[float] = Field(default=None, gt=0)
    channel: Optional[float] = Field(default=None, gt=0)
    command: Optional[float] = Field(default=None, gt=0)

class LimitsModel(StrictModel):
    """Sizes as bytes or with a unit: 4MiB, 512KiB, 1GiB."""

    output: Optional[ByteSize] = Field(default=None, gt=0)
    file: Optional[ByteSize] = Field(default=None, gt=0)

_SPACE = re.compile(r"\s")
_DOTTED = re.compile(r"[\d.]+\Z")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}\Z")


def check_hostname(value: Optional[str]) -> Optional[str]:
    """An address (IPv4 written as four numbers, IPv6) or a DNS name, without spaces."""
    if value is None:
        return value
    if not value or _SPACE.search(value):
        raise ValueError("a hostname is an address or DNS name without spaces")
    if _DOTTED.match(value):
        if not _IPV4.match(value):
            raise ValueError(
                f"'{value}' is not an IP address: four numbers 0-255 joined by dots (10.36.1.2)"
            )
    elif ":" in value:
        try:
            ipaddress.IPv6Address(value.split("%", 1)[0])
        except ValueError:
            raise ValueError(f"'{value}' is not an IPv6 address") from None
    return value


class ParamikoExtras(StrictModel):
    """The paramiko extras ictops passes on (connopts.PARAMIKO_EXTRAS)."""

    unknown_key_hint: ClassVar[str] = (
        f"; ictops passes only {', '.join(PARAMIKO_EXTRAS)} to paramiko: remove it"
    )

    key_filename: Optional[str] = None
    timeout: Optional[float] = Field(default=None, gt=0)
    banner_timeout: Optional[float] = Field(default=None, gt=0)
    auth_timeout: Optional[float] = Field(default=None, gt=0)
    channel_timeout: Optional[float] = Field(default=None, gt=0)


class NetmikoExtras(StrictModel):
    """The netmiko extras ictops passes on (connopts.NETMIKO_EXTRAS)."""

    unknown_key_hint: ClassVar[str] = (
        f"; ictops passes only {', '.join(NETMIKO_EXTRAS)} to netmiko: remove it"
    )

    secret: Optional[SecretRefModel] = None
    key_file: Optional[str] = None
    conn_timeout: Optional[float] = Field(default=None, gt=0)
    banner_timeout: Optional[float] = Field(default=None, gt=0)
    auth_timeout: Optional[float] = Field(default=None, gt=0)
    read_timeout_override: Optional[float] = Field(default=None, gt=0)


assert set(ParamikoExtras.model_fields) == set(PARAMIKO_EXTRAS)
assert set(NetmikoExtras.model_fields) == set(NETMIKO_EXTRAS)


class _PluginOptions(StrictModel):
    hostname: Optional[str] = Field(default=None, min_length=1)
    port: Optional[int] = Field(default=None, ge=1, le=65535)
    username: Optional[str] = None
    password: Optional[SecretRefModel] = None
    platform: Optional[str] = None

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: Optional[str]) -> Optional[str]:
        return check_hostname(value)


class ParamikoOptions(_PluginOptions):
    extras: Optional[ParamikoExtras] = None


class NetmikoOptions(_PluginOptions):
    extras: Optional[NetmikoExtras] = None


class ConnectionOptionsModel(StrictModel):
    """Nornir's connection_options, for the two plugins ictops connects with (connopts.py)."""

    unknown_key_hint: ClassVar[str] = (
        "; ictops connects with paramiko (servers) and netmiko (switches) only, so other "
        "plugins' options would never be used: remove them"
    )

    paramiko: Optional[ParamikoOptions] = None
    netmiko: Optional[NetmikoOptions] = None


class _Common(StrictModel):
    """Keys a host, a group and defaults.yaml may all set."""

    hostname: Optional[str] = Field(default=None, min_length=1)
    port: Optional[int] = Field(default=None, ge=1, le=65535)
    platform: Optional[str] = None
    username: Optional[str] = None
    password: Optional[SecretRefModel] = None
    enable_secret: Optional[SecretRefModel] = None
    ssh_key: Optional[str] = None
    sudo: Optional[bool] = None
    sudo_password: Optional[SecretRefModel] = None
    timeouts: Optional[TimeoutsModel] = None
    limits: Optional[LimitsModel] = None
    role: Optional[Literal["server", "switch", "router", "ap", "firewall"]] = None
    site: Optional[str] = None
    district: Optional[str] = None
    school: Optional[SchoolModel] = None
    backup_files: Optional[list[str]] = None
    connection_options: Optional[ConnectionOptionsModel] = None
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: Optional[str]) -> Optional[str]:
        return check_hostname(value)

class HostModel(_Common):
    groups: list[str] = Field(default_factory=list)

class GroupModel(_Common):
    groups: list[str] = Field(default_factory=list)

class DefaultsModel(_Common):
    pass

def field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)
