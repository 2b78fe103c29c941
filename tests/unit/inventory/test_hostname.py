"""A hostname is an address or a DNS name: what looks like an IPv4 address must be one."""

from __future__ import annotations

import pytest

from ictops.errors import InputError
from ictops.inventory import load_inventory


@pytest.mark.parametrize("hostname", ["10.36.1.2", "sw-1.school.local", "dev1.group_1", "fe80::1%eth0", "2001:db8::2"])
def test_addresses_and_names_are_accepted(tmp_path, hostname):
    (tmp_path / "hosts.yaml").write_text(f"h:\n  hostname: '{hostname}'\n  platform: linux\n")
    assert load_inventory(tmp_path, tmp_path).host("h").hostname == hostname


@pytest.mark.parametrize("hostname,why", [
    ("10.36.1.300", "'10.36.1.300' is not an IP address: four numbers 0-255 joined by dots (10.36.1.2)"),
    ("10.36.1", "'10.36.1' is not an IP address: four numbers 0-255 joined by dots (10.36.1.2)"),
    ("2001:db8::zz", "'2001:db8::zz' is not an IPv6 address"),
    ("sw 1", "a hostname is an address or DNS name without spaces"),
])
def test_what_is_neither_is_refused_at_its_line(tmp_path, hostname, why):
    (tmp_path / "hosts.yaml").write_text(f"h:\n  platform: linux\n  hostname: '{hostname}'\n")
    with pytest.raises(InputError) as info:
        load_inventory(tmp_path, tmp_path)
    assert str(info.value) == f"hosts.yaml:3: host 'h': key 'hostname': {why}"
