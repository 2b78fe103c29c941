"""The director's report after a partial audit shows the same scores for what it did not check.

Own district: one server on 127.N.48.1, two Cisco switches on 127.N.48.11-12 (tests/net.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ictops.report.collect import collect_report
from tests.conftest import REPO
from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    root = tmp_path_factory.mktemp("report-partial")
    project = make_project(root, servers=[f"{LAB}.48.1"], cisco=[f"{LAB}.48.11", f"{LAB}.48.12"],
                           huawei=[])
    shutil.copytree(REPO / "rules", root / "rules")
    d = start_district(project)
    try:
        yield d
    finally:
        stop_district(d)


def _scores(d) -> dict[str, tuple[float | None, dict[str, str]]]:
    data = collect_report(d.project)
    return {h.host: (h.score, {r: x.status.value for r, x in h.results.items()})
            for h in data.compliance}


def test_partial_audit_leaves_the_other_scores_as_they_were(district) -> None:
    assert district.ictops("backup").returncode == 0
    full = district.ictops("audit", "--fail-on", "never")
    assert full.returncode == 0, full.stdout + full.stderr
    before = _scores(district)
    assert set(before) == {"srv-1", "sw-cisco-1", "sw-cisco-2"}
    assert all(len(results) > 5 for _, results in before.values())

    partial = district.ictops("audit", "--rule", "NET-MGMT-05", "-l", "role=switch",
                              "--fail-on", "never")
    assert partial.returncode == 0, partial.stdout + partial.stderr
    after = _scores(district)
    assert after == before  # the lab's switches keep NET-MGMT-05: nothing moved at all
    for host, (_, results) in after.items():
        others = {r: s for r, s in results.items() if r != "NET-MGMT-05"}
        assert others == {r: s for r, s in before[host][1].items() if r != "NET-MGMT-05"}, host

    report = district.ictops("report", "--format", "html")
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.strip()).read_text()
    fleet = re.search(r'<tr class="fleet"><td>[^<]+</td><td class="num">([\d.]+)</td>', html)
    expected = round(sum(s for s, _ in before.values() if s is not None) / 3, 1)
    assert fleet and float(fleet.group(1)) == expected, fleet
    assert "เฉพาะกฎ NET-MGMT-05" in html and "ครบทุกกฎ" in html  # which audit each score is from
