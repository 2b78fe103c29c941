"""Pydantic models of the inventory files: what keys exist and what they may hold.

Validation happens here, at the door; the rest of ictops only sees resolved
``Host`` dataclasses (ictops/inventory/host.py).
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ByteSize, Field, field_validator, model_validator

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
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("hostname")
    @classmethod
    def _no_spaces(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and (not value.strip() or any(c.isspace() for c in value)):
            raise ValueError("a hostname is an address or DNS name without spaces")
        return value

class HostModel(_Common):
    groups: list[str] = Field(default_factory=list)

class GroupModel(_Common):
    groups: list[str] = Field(default_factory=list)

class DefaultsModel(_Common):
    pass

def field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)
