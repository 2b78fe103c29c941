"""The trail recorder: one record per result, thread-safe, masked, digest never diff."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from ictops.audit import Catalogue, Masker, verify
from ictops.audit.team import OperatorRefused
from ictops.engine.recorder import (
    TrailRecorder,
    open_trail,
    record_event,
    resolve_operator,
    trail_path,
    verb_record,
    verb_records,
)
from ictops.project import Project
from ictops.results import ActionResult, Status


def _records(project: Project) -> list[dict]:
    return [json.loads(line) for line in trail_path(project).read_text().splitlines()]


def test_results_from_many_threads_make_one_valid_chain(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    trail = open_trail(project, "R1", "somchai")
    recorder = TrailRecorder(trail, process=6, step=5, run_id="R1", operator="somchai")
    per_thread, threads = 25, 8

    def work(t: int) -> None:
        for i in range(per_thread):
            recorder(ActionResult(host=f"h{t}-{i}", action="cmd", status=Status.OK, message="up"))

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    trail.close()
    recorder.check()
    recs = _records(project)
    assert len(recs) == per_thread * threads == len(recorder.records)
    assert [r["seq"] for r in recs] == list(range(1, len(recs) + 1))
    assert {(r["process"], r["step"], r["run_id"], r["operator"]) for r in recs} == {(6, 5, "R1", "somchai")}
    assert verify(trail_path(project)).ok


def test_summary_masked_and_diff_only_as_digest(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    diff = "-username admin secret 0 Sup3rS3cret\n+username admin secret 0 N3wS3cret!"
    result = ActionResult(
        host="sw-1", action="cmd", status=Status.CHANGED,
        message="configured: enable secret N3wS3cret! and password=hunter22", diff=diff,
    )
    with open_trail(project, "R2", "somchai") as trail:
        TrailRecorder(trail, process=2, step=5, run_id="R2", operator="somchai",
                      masker_for=lambda host: Masker("cisco_ios", ["N3wS3cret!"]))(result)
    text = trail_path(project).read_text()
    for secret in ("N3wS3cret!", "Sup3rS3cret", "hunter22"):
        assert secret not in text
    rec = _records(project)[0]
    assert rec["changed_digest"] == hashlib.sha256(diff.encode()).hexdigest()
    assert "<removed>" in rec["summary"]
    assert rec["host"] == "sw-1" and rec["status"] == "changed"


def test_record_event_is_an_event_of_its_step(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    rec = record_event(project, run_id="R3", operator="somchai", process=2, step=6,
                       action="report.write", status="ok", summary="written")
    assert rec["kind"] == "event" and (rec["process"], rec["step"]) == (2, 6)
    assert rec["host"] is None
    assert verify(trail_path(project)).ok


def test_every_verb_maps_to_a_carry_out_step_of_the_builtin_manual() -> None:
    catalogue = Catalogue.load()
    mapping = verb_records()
    assert {"cmd", "backup", "audit", "hostkeys trust"} <= set(mapping)
    for verb, (process, step) in mapping.items():
        assert catalogue.step(process, step).stage == "carry_out", verb
    assert verb_record("cmd") == (6, 5)
    assert verb_record("backup") == (4, 5)
    assert verb_record("audit") == (7, 4)
    assert verb_record("inventory list") is None


TEAM = """
office: Test office
unknown_operator: {mode}
appointment: {{number: "1/2568", date: 2024-10-01, signed_by: Director, fiscal_year: 2568}}
members:
  - {{name: Somchai, username: somchai, role: member}}
"""


@pytest.mark.parametrize("mode", ["refuse", "flag"])
def test_operator_checked_against_the_team(tmp_path: Path, monkeypatch, mode: str) -> None:
    project = Project.at(tmp_path)
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "team.yaml").write_text(TEAM.format(mode=mode))
    monkeypatch.setenv("ICTOPS_OPERATOR", "somchai")
    assert resolve_operator(project) == ("somchai", None)
    monkeypatch.setenv("ICTOPS_OPERATOR", "mallory")
    if mode == "refuse":
        with pytest.raises(OperatorRefused, match="not on the working team"):
            resolve_operator(project)
    else:
        assert resolve_operator(project) == ("mallory", {"operator_not_on_team": True})


def test_no_team_file_means_no_check(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ICTOPS_OPERATOR", "anyone")
    assert resolve_operator(Project.at(tmp_path)) == ("anyone", None)
