"""The one trail recorder: one record per result, thread-safe, masked, digest never diff,
check-mode results under the plan step."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from ictops.audit import Catalogue, Masker, verify
from ictops.audit.catalogue import verb_record, verb_records
from ictops.audit.recorder import Recorder, TrailWriteError, record_event, trail_path
from ictops.audit.team import Operator, OperatorRefused, resolve_operator
from ictops.project import Project
from ictops.results import ActionResult, Status


def _records(project: Project) -> list[dict]:
    return [json.loads(line) for line in trail_path(project).read_text().splitlines()]


def test_results_from_many_threads_make_one_valid_chain(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    recorder = Recorder(project, run_id="R1", operator="somchai")
    per_thread, threads = 25, 8

    def work(t: int) -> None:
        for i in range(per_thread):
            recorder.result(ActionResult(host=f"h{t}-{i}", action="cmd", status=Status.OK,
                                         message="up"), process=6, step=5)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    recorder.close()
    recorder.check()
    recs = _records(project)
    assert len(recs) == per_thread * threads == recorder.written
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
    with Recorder(project, run_id="R2", operator="somchai") as recorder:
        recorder.result(result, process=2, step=5, masker=Masker("cisco_ios", ["N3wS3cret!"]))
    text = trail_path(project).read_text()
    for secret in ("N3wS3cret!", "Sup3rS3cret", "hunter22"):
        assert secret not in text
    rec = _records(project)[0]
    assert rec["changed_digest"] == hashlib.sha256(diff.encode()).hexdigest()
    assert rec["summary"] == "configured: enable secret <removed>"  # the platform rule takes the rest of the line
    assert rec["host"] == "sw-1" and rec["status"] == "changed"


def test_check_mode_results_go_under_the_plan_step(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    result = ActionResult(host="sw-1", action="backup", status=Status.CHANGED, message="would store")
    with Recorder(project, run_id="R4", operator="somchai", flags={"x": True}) as recorder:
        recorder.result(result, process=4, step=5, check=True, data={"playbook": "p.yaml"})
        recorder.result(result, process=4, step=5)
    checked, done = _records(project)
    plan_step = Catalogue.load().step_for(4, "plan").number
    assert (checked["process"], checked["step"]) == (4, plan_step)
    assert checked["data"] == {"playbook": "p.yaml", "check": True, "carry_out_step": 5, "x": True}
    assert (done["process"], done["step"], done["data"]) == (4, 5, {"x": True})


def test_an_unwritable_trail_is_reported_not_lost(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    recorder = Recorder(project, run_id="R5", operator="somchai")
    recorder.close()  # writing to a closed trail fails like a full disk would
    recorder.result(ActionResult(host="h", action="cmd", status=Status.OK), process=6, step=5)
    with pytest.raises(TrailWriteError, match="1 record"):
        recorder.check()


def test_record_event_is_an_event_of_its_step(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    record_event(project, run_id="R3", operator="somchai", process=2, step=6,
                 action="report.write", status="ok", summary="written")
    rec = _records(project)[0]
    assert rec["kind"] == "event" and (rec["process"], rec["step"]) == (2, 6)
    assert rec["host"] is None and rec["run_id"] == "R3"
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
    assert resolve_operator(project) == Operator("somchai", {})
    monkeypatch.setenv("ICTOPS_OPERATOR", "mallory")
    if mode == "refuse":
        with pytest.raises(OperatorRefused, match="not on the working team"):
            resolve_operator(project)
    else:
        assert resolve_operator(project) == Operator("mallory", {"operator_not_on_team": True})


def test_no_team_file_means_no_check(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ICTOPS_OPERATOR", "anyone")
    assert resolve_operator(Project.at(tmp_path)) == Operator("anyone", {})
