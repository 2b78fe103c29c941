"""One read of the state, renewed in the background when a file of the state changes."""

from __future__ import annotations

import datetime as dt

from ictops.audit.trail import AuditTrail
from ictops.project import Project
from ictops.web import snapshot as snapshot_module
from ictops.web.compliance_data import ComplianceData, trend
from ictops.web.snapshot import SnapshotCache


def test_a_change_of_the_state_is_read_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot_module, "CHECK_EVERY", 0.0)
    project = Project.at(tmp_path)
    with AuditTrail.in_state(project.state_dir, run_id="r1", operator="t") as trail:
        trail.append(action="backup", status="changed", host="sw-1", process=2, step=5)
    cache = SnapshotCache(project)
    first = cache.current()
    assert [r.info.name for r in first.fleet] == ["sw-1"]
    assert cache.current() is first  # nothing changed: the same snapshot
    with AuditTrail.in_state(project.state_dir, run_id="r2", operator="t") as trail:
        trail.append(action="backup", status="failed", host="sw-2", process=2, step=5)
    assert cache.current() is first  # still served while the new one is read
    assert cache.wait_idle(30)
    fresh = cache.current()
    assert fresh is not first
    assert {r.info.name: r.last_run.status for r in fresh.fleet} == {"sw-1": "changed", "sw-2": "failed"}
    assert fresh.by_host == {"sw-1": [0], "sw-2": [1]}


class _Host:
    def __init__(self, points):
        self.trend = tuple(points)


def test_the_trend_carries_a_host_last_score_to_days_it_was_not_audited():
    d1, d2, d3 = (dt.date(2026, 12, n) for n in (1, 2, 3))
    data = ComplianceData(hosts={
        "a": _Host([(d1, 40.0), (d3, 60.0)]),
        "b": _Host([(d2, 80.0)]),
    })
    assert trend(data, ["a", "b"]) == [(d1, 40.0), (d2, 60.0), (d3, 70.0)]
    assert trend(data, ["b"]) == [(d2, 80.0)]
    assert trend(data, ["nobody"]) == []
