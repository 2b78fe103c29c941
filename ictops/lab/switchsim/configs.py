"""Default initial configs of a Thai school switch, by platform and compliance profile."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import jinja2

PROFILES = ("typical", "compliant", "noncompliant")

# Access ports as a school wires them (descriptions in English, as officers type them).
_PORTS = [
    ("UPLINK-TO-ESAO-CORE", 0, True),
    ("DIRECTOR-ROOM", 10, False),
    ("ADMIN-OFFICE-PC1", 10, False),
    ("ADMIN-OFFICE-PC2", 10, False),
    ("FINANCE-PRINTER", 10, False),
    ("TEACHERS-ROOM-1", 10, False),
    ("TEACHERS-ROOM-2", 10, False),
    ("LIBRARY-PC", 20, False),
    ("COMPUTER-LAB-1", 30, False),
    ("COMPUTER-LAB-2", 30, False),
    ("AP-BUILDING-1", 20, False),
    ("AP-BUILDING-2", 20, False),
    ("CCTV-NVR", 99, False),
    ("DLTV-CLASSROOM", 20, False),
]
_PORT_COUNT = {"cisco_ios": 24, "huawei_vrp": 24, "hp_procurve": 24}


@dataclass(frozen=True)
class Port:
    number: int
    description: str | None
    vlan: int
    trunk: bool
    unused: bool


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ictops.lab.switchsim", "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def port_ranges(numbers: list[int]) -> str:
    """``[2, 3, 4, 7]`` -> ``2-4,7`` (ProCurve's port lists)."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ",".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _vlan_ports(ports: list[Port]) -> dict[int, dict[str, str]]:
    """Per VLAN, its untagged access ports and its tagged trunk ports, as ProCurve lists them."""
    vlans = sorted({p.vlan for p in ports if not p.trunk} | {10, 20, 30, 99})
    trunks = [p.number for p in ports if p.trunk]
    return {
        vlan: {
            "untagged": port_ranges([p.number for p in ports if p.vlan == vlan and not p.trunk]),
            "tagged": port_ranges(trunks),
        }
        for vlan in vlans
    }


def initial_config(platform: str, hostname: str, profile: str = "typical") -> str:
    """The config text a fresh simulated switch starts with (``show running-config`` style)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown config profile {profile!r}; use one of {PROFILES}")
    host_number = zlib.crc32(hostname.encode()) % 200 + 20
    ports = []
    for number in range(1, _PORT_COUNT[platform] + 1):
        if number <= len(_PORTS):
            description, vlan, trunk = _PORTS[number - 1]
            ports.append(Port(number, description, vlan, trunk, unused=False))
        else:
            unused_vlan = 999 if profile == "compliant" else 20
            description = "UNUSED" if profile == "compliant" else None
            ports.append(Port(number, description, unused_vlan, False, unused=True))
    template = _env.get_template(f"{platform}.j2")
    return template.render(
        profile=profile,
        hostname=hostname,
        ports=ports,
        vlan_ports=_vlan_ports(ports),
        domain="school.obec.go.th",
        mgmt_ip=f"10.20.99.{host_number}",
        gateway="10.20.99.1",
        location=f"{hostname} school network room",
    )
