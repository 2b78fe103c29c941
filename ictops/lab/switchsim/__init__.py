"""A simulated switch fleet over SSH (Cisco IOS and Huawei VRP) for the lab and the tests.

Run with ``python -m ictops.lab.switchsim SPEC.json``; see ``spec.SimSpec`` for the spec file.
"""

from __future__ import annotations

from ictops.lab.switchsim.configs import initial_config
from ictops.lab.switchsim.faults import FAULT_MODES, read_fault, set_fault
from ictops.lab.switchsim.spec import DeviceSpec, SimSpec

__all__ = ["FAULT_MODES", "DeviceSpec", "SimSpec", "initial_config", "read_fault", "set_fault"]
