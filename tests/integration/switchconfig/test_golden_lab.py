"""The golden templates pushed to every switch of the sample inventory, over SSH: the sample's
switches (their names, groups, data and lab profiles) on 127.<NET>.27.x.

Each remediation stays inside its template's features (never a VLAN removal, a hostname or an
interface), every switch takes it and verifies, and the next plan is empty.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ictops.actions.switch_config import SwitchConfig
from ictops.compliance.templating import render_intended
from ictops.project import Project
from ictops.results import Status
from ictops.switchconfig.features import features_touched
from ictops.switchconfig.showrun import prepare
from tests.drive import drive
from tests.integration.district import District, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    root = tmp_path_factory.mktemp("golden")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "inventory").mkdir()
    for name in ("groups.yaml", "defaults.yaml"):
        shutil.copy(REPO / "inventory" / name, root / "inventory" / name)
    hosts = yaml.safe_load((REPO / "inventory" / "hosts.yaml").read_text(encoding="utf-8"))
    switches = {name: spec for name, spec in hosts.items()
                if {"cisco", "huawei", "procurve"} & set(spec.get("groups", []))}
    for i, spec in enumerate(switches.values(), 1):
        spec["hostname"] = f"{LAB}.27.{i}"
    (root / "inventory" / "hosts.yaml").write_text(yaml.safe_dump(switches, allow_unicode=True),
                                                   encoding="utf-8")
    district = start_district(Project.at(root))
    try:
        yield district
    finally:
        stop_district(district)


def test_golden_remediation_on_every_sample_switch_stays_in_its_features(sample: District) -> None:
    d = sample
    hosts = list(d.inventory.hosts.values())
    platforms = {h.platform_name for h in hosts}
    assert len(hosts) >= 10 and platforms == {"cisco_ios", "huawei_vrp", "hp_procurve"}
    check = drive(d.project, SwitchConfig(golden=True), hosts, check=True, operator="tester")
    assert {r.status for r in check.results} == {Status.CHANGED}
    for r in check.results:
        host = d.inventory.hosts[r.host]
        intended = render_intended(d.project.templates_dir, host)
        own = {f.name for f in features_touched(host.platform_name,
                                                 prepare(intended, host.platform_name))}
        data = r.payload
        assert set(data.features) == own, r.host
        stray = ("no vlan", "undo vlan", "hostname", "sysname", "interface ")
        assert not [c for c in data.commands if c.startswith(stray)], (r.host, data.commands)

    pushed = drive(d.project, SwitchConfig(golden=True, save=True), hosts, operator="tester")
    assert {r.status for r in pushed.results} == {Status.CHANGED}, [
        (r.host, r.message) for r in pushed.results if r.status is not Status.CHANGED]
    assert all(r.payload.verified and r.payload.saved for r in pushed.results)
    again = drive(d.project, SwitchConfig(golden=True), hosts, check=True, operator="tester")
    for r in again.results:
        assert r.status is Status.OK, (r.host, r.message)
        assert r.message.startswith(f"{', '.join(r.payload.features)} already as the golden "
                                    "template"), r.message
