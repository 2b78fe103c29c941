"""`ictops lab up | status | down` on a tiny district of its own."""

from __future__ import annotations

import pytest

from ictops.lab import sshd
from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab


def test_up_twice_then_down(tmp_path):
    project = make_project(tmp_path / "p", servers=[f"{LAB}.24.1"], cisco=[f"{LAB}.24.2"], huawei=[f"{LAB}.24.3"])
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
        assert sshd.wait_banners([(f"{LAB}.24.1", 2222)], 0.5) == [(f"{LAB}.24.1", 2222)]
        assert sshd.wait_banners([(f"{LAB}.24.2", 2222)], 0.5) == [(f"{LAB}.24.2", 2222)]
        proc = district.ictops("lab", "status")
        assert proc.returncode == 1 and "stopped" in proc.stdout
    finally:
        stop_district(district)


def test_lab_refuses_unsimulated_platform(tmp_path):
    project = make_project(
        tmp_path / "p", servers=[], cisco=[], huawei=[],
        extra_hosts=f"rj-1:\n  hostname: {LAB}.24.9\n  platform: ruijie_os\n",
    )
    from tests.integration.district import District
    from ictops.inventory import load_inventory
    from ictops.lab.fleet import Lab

    d = District(project, load_inventory(project.inventory_dir, project.root), None)  # type: ignore[arg-type]
    proc = d.ictops("lab", "up")
    assert proc.returncode == 1 and "cannot simulate platform ruijie_os" in proc.stderr
