"""Integration fixtures: a simulated district on loopback, stopped whatever happens."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab


def _require_lab() -> None:
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed (make test installs it)")


@pytest.fixture(scope="session")
def district(tmp_path_factory):
    """4 servers, 2 Cisco and 2 Huawei switches on 127.0.10.x / 127.0.11.x, keys trusted."""
    _require_lab()
    root = tmp_path_factory.mktemp("district")
    project = make_project(
        root,
        servers=[f"{LAB}.10.{i}" for i in range(1, 5)],
        cisco=[f"{LAB}.11.1", f"{LAB}.11.2"],
        huawei=[f"{LAB}.11.3", f"{LAB}.11.4"],
    )
    d = start_district(project)
    try:
        yield d
    finally:
        stop_district(d)
