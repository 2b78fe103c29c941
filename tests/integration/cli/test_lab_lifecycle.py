"""`ictops lab up | status | down` on a tiny district of its own."""

from __future__ import annotations

import pytest

from ictops.lab import sshd
from tests.integration.district import make_project, start_district, stop_district

pytestmark = pytest.mark.lab


def test_up_twice_then_down(tmp_path):
    project = make_project(tmp_path / "p", servers=["127.0.12.1"], cisco=["127.0.12.2"], huawei=["127.0.12.3"])
    district = start_district(project, trust=False)
    try:
        proc = district.ictops("lab", "up")
        assert proc.returncode == 0 and "already running" in proc.stdout, proc.stdout + proc.stderr
        proc = district.ictops("lab", "status")
        assert proc.returncode == 0 and proc.stdout.count("running") == 3, proc.stdout
        proc = district.ictops("lab", "fault", "sw-cisco-1", "stall")
        assert proc.returncode == 0, proc.stderr
        assert "stall" in district.ictops("lab", "status").stdout
        proc = district.ictops("lab", "fault", "srv-1", "stall")
        assert proc.returncode == 1 and "not a simulated switch" in proc.stderr
        assert district.ictops("lab", "fault", "sw-cisco-1", "melt").returncode == 2
        district.ictops("lab", "fault", "sw-cisco-1", "none")
        assert "stall" not in district.ictops("lab", "status").stdout
        proc = district.ictops("lab", "down")
        assert proc.returncode == 0, proc.stderr
        assert sshd.wait_banners([("127.0.12.1", 2222)], 0.5) == [("127.0.12.1", 2222)]
        assert sshd.wait_banners([("127.0.12.2", 2222)], 0.5) == [("127.0.12.2", 2222)]
        proc = district.ictops("lab", "status")
        assert proc.returncode == 1 and "stopped" in proc.stdout
    finally:
        stop_district(district)


def test_lab_refuses_unsimulated_platform(tmp_path):
    project = make_project(
        tmp_path / "p", servers=[], cisco=[], huawei=[],
        extra_hosts="proc-1:\n  hostname: 127.0.12.9\n  platform: hp_procurve\n",
    )
    from tests.integration.district import District
    from ictops.inventory import load_inventory
    from ictops.lab.fleet import Lab

    d = District(project, load_inventory(project.inventory_dir, project.root), None)  # type: ignore[arg-type]
    proc = d.ictops("lab", "up")
    assert proc.returncode == 1 and "cannot simulate platform hp_procurve" in proc.stderr
