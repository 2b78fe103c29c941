"""Loopback addresses for lab tests, shiftable so that two test runs can share a machine.

Every address a test starts a device on is ``127.<NET>.x.y``; ``ICTOPS_TEST_NET`` (0-255,
default 0) sets the second octet. Only 127.0.0.0/8 is ever used.
"""

from __future__ import annotations

import os

NET = int(os.environ.get("ICTOPS_TEST_NET", "0"))
if not 0 <= NET <= 255:
    raise ValueError(f"ICTOPS_TEST_NET must be 0-255, not {NET}")
LAB = f"127.{NET}"
