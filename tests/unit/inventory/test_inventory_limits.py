"""limits: (output, file) are inherited key by key like timeouts, with units, checked at the door."""

from __future__ import annotations

from ictops.inventory import Limits, load_inventory
from tests.unit.inventory.test_inventory_errors import error_of, write

GROUPS = """
servers:
  platform: linux
  limits: {file: 1MiB}
"""


def test_limits_have_defaults_units_and_inheritance(tmp_path):
    inv = write(
        tmp_path,
        """
        srv-1: {hostname: 127.0.0.5, groups: [servers], limits: {output: 512KiB}}
        srv-2: {hostname: 127.0.0.6, groups: [servers]}
        """,
        groups=GROUPS,
        defaults="limits: {output: 8MiB}\n",
    )
    inventory = load_inventory(inv, tmp_path)
    assert inventory.host("srv-1").limits == Limits(output=512 * 1024, file=1 << 20)
    assert inventory.host("srv-2").limits == Limits(output=8 << 20, file=1 << 20)
    assert Limits() == Limits(output=4 << 20, file=16 << 20)


def test_a_bad_size_is_one_line_naming_the_file_and_key(tmp_path):
    inv = write(tmp_path, "srv-1: {hostname: 127.0.0.5, groups: [servers], limits: {output: lots}}\n",
                groups=GROUPS)
    message = error_of(inv)
    assert message.count("\n") == 0
    assert message.startswith("inventory/hosts.yaml:1:") and "output" in message
