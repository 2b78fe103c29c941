"""The inventory: hosts.yaml, groups.yaml, defaults.yaml, validated and resolved."""

from ictops.inventory.host import Host, Limits, School, Timeouts
from ictops.inventory.inventory import Inventory
from ictops.inventory.loader import load_inventory

__all__ = ["Host", "Inventory", "Limits", "School", "Timeouts", "load_inventory"]
