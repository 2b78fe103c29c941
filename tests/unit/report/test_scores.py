"""Compliance scores from the saved audits: each host's latest result for each rule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ictops.report.scores import compliance_scores

RULES = {"NET-AAA-01": "high", "NET-MGMT-05": "medium", "NET-TIME-01": "high"}


def _save(folder: Path, name: str, time: str, hosts: dict, pack: str = "th-baseline") -> None:
    doc = {"run_id": name, "time": time, "pack": pack, "mode": "backup", "hosts": {
        host: {"score": None, "results": [
            {"rule": rule, "status": status, "severity": RULES.get(rule, "high")}
            for rule, status in results.items()]}
        for host, results in hosts.items()}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(doc))


def test_a_partial_audit_changes_only_what_it_checked(tmp_path: Path) -> None:
    audits = tmp_path / "compliance"
    _save(audits, "full", "2026-11-30T10:00:00Z", {
        "sw-1": {"NET-AAA-01": "pass", "NET-MGMT-05": "fail", "NET-TIME-01": "pass"},
        "sw-2": {"NET-AAA-01": "pass", "NET-MGMT-05": "pass", "NET-TIME-01": "fail"},
        "srv-1": {"NET-AAA-01": "n/a", "NET-MGMT-05": "n/a", "NET-TIME-01": "n/a",
                  "LNX-SSH-01": "pass"},
    })
    before = compliance_scores(tmp_path)
    assert {h.host: h.score for h in before.hosts} == {"srv-1": 100.0, "sw-1": 75.0, "sw-2": 62.5}
    # ictops audit --rule NET-MGMT-05 -l role=switch: only that rule, only the switches
    _save(audits, "partial", "2026-12-01T02:00:00Z", {
        "sw-1": {"NET-MGMT-05": "pass"}, "sw-2": {"NET-MGMT-05": "pass"}})
    after = compliance_scores(tmp_path)
    scores = {h.host: h.score for h in after.hosts}
    assert scores == {"srv-1": 100.0, "sw-1": 100.0, "sw-2": 62.5}  # not 100 and 0 from one rule
    sw1 = next(h for h in after.hosts if h.host == "sw-1")
    assert {r: x.status.value for r, x in sw1.results.items()} == {
        "NET-AAA-01": "pass", "NET-MGMT-05": "pass", "NET-TIME-01": "pass"}
    assert sw1.results["NET-AAA-01"].audit.run_id == "full"  # each result names its audit
    assert [a.run_id for a in sw1.audits] == ["full", "partial"]
    assert sw1.trend == ((dt.date(2026, 11, 30), 75.0), (dt.date(2026, 12, 1), 100.0))
    full, partial = after.audits
    assert after.complete(full) and not after.complete(partial)
    assert partial.rules == ("NET-MGMT-05",) and partial.hosts == 2
    assert after.fleet == round((100 + 100 + 62.5) / 3, 1)
    assert after.fleet_trend[-1] == (dt.date(2026, 12, 1), after.fleet)
    # as of before the partial audit, the report reads what it read then
    until = compliance_scores(tmp_path, until=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
    assert {h.host: h.score for h in until.hosts} == {h.host: h.score for h in before.hosts}


def test_errors_are_not_scored_and_a_host_with_nothing_scored_is_unknown(tmp_path: Path) -> None:
    _save(tmp_path / "compliance", "a", "2026-11-30T10:00:00Z", {
        "srv-1": {"LNX-PATCH-01": "error", "LNX-SSH-01": "pass"},
        "srv-2": {"LNX-PATCH-01": "error"}})
    scores = {h.host: h.score for h in compliance_scores(tmp_path).hosts}
    assert scores == {"srv-1": 100.0, "srv-2": None}


def test_audit_json_output_and_unreadable_files(tmp_path: Path) -> None:
    folder = tmp_path / "compliance"
    folder.mkdir()
    (folder / "cli.json").write_text(json.dumps({"run_id": "r", "time": "2026-11-30T10:00:00Z",
        "hosts": [{"host": "sw-1", "results": [{"rule": "NET-AAA-01", "status": "fail",
                                                "severity": "high"}]}]}))
    (folder / "broken.json").write_text("{")
    (scored,) = compliance_scores(tmp_path).hosts
    assert (scored.host, scored.score, scored.pack) == ("sw-1", 0.0, "th-baseline")
