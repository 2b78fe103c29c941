"""The simulator's spec file: which devices to serve, where, and with what credentials."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ictops.errors import LabError

PLATFORMS = ("cisco_ios", "huawei_vrp", "hp_procurve")


@dataclass(frozen=True)
class DeviceSpec:
    """One simulated switch."""

    name: str
    address: str
    port: int
    platform: str
    hostname: str
    username: str
    password: str = field(repr=False)
    enable_secret: str = field(repr=False)
    host_key: str  # ed25519 private key (OpenSSH format); generated when missing
    state_file: str  # persisted running/startup configs; missing = start from initial_config
    initial_config: str | None = None  # None: generated from `profile`
    # typical | compliant | noncompliant: used when initial_config is None
    profile: str = "typical"

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise LabError(
                f"device {self.name!r}: unknown platform {self.platform!r}; use one of {PLATFORMS}"
            )
        if not self.address.startswith("127."):
            raise LabError(
                f"device {self.name!r}: address {self.address} is not a loopback address"
            )


@dataclass(frozen=True)
class SimSpec:
    """Everything one simulator process serves."""

    log_file: str
    faults_dir: str
    devices: list[DeviceSpec]
    log_level: str = "warning"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> SimSpec:
        try:
            raw = json.loads(text)
            devices = [DeviceSpec(**d) for d in raw.pop("devices")]
            return cls(devices=devices, **raw)
        except (ValueError, TypeError, KeyError) as exc:
            raise LabError(f"invalid switch simulator spec: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path) -> SimSpec:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def write(self, path: str | Path) -> None:
        """Write the spec atomically."""
        from ictops.lab.switchsim.faults import atomic_write

        atomic_write(Path(path), self.to_json())
