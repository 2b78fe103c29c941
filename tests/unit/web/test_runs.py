"""Runs and each host's last run, as the dashboard reads them from trail records."""

from __future__ import annotations

from ictops.web.runs import last_runs, summarise_runs


def rec(seq, run, host, status, action="backup", kind="action", check=False, minute=0, **data):
    return {
        "seq": seq, "time": f"2026-12-01T01:{minute:02d}:00.000Z", "kind": kind, "run_id": run,
        "operator": "tester", "process": 2, "step": 2 if check else 5, "host": host,
        "action": action, "status": status, "data": {**data, **({"check": True} if check else {})},
    }


RECORDS = [
    rec(1, "r1", None, "ok", action="playbook.start", kind="event", playbook="playbooks/nightly.yaml",
        routine=True),
    rec(2, "r1", "sw-1", "changed", minute=1),
    rec(3, "r1", "sw-1", "failed", action="audit", minute=1),
    rec(4, "r1", "srv-1", "ok", minute=1),
    rec(5, "r1", "-", "changed", action="report", minute=2),
    rec(6, "r1", None, "ok", action="playbook.end", kind="event", minute=2),
    rec(7, "r2", "sw-1", "unreachable", check=True, minute=5),  # a plan: never a last run
    rec(8, "r2", None, "ok", action="plan.make", kind="event", plan="plan-r2", minute=5),
    rec(9, "r3", "srv-1", "changed", action="cmd", minute=9),
]


def test_a_run_summary_counts_each_host_once_by_its_worst_status():
    runs = {r.run_id: r for r in summarise_runs(RECORDS)}
    nightly = runs["r1"]
    assert nightly.title == "playbooks/nightly.yaml"
    assert nightly.routine is True and nightly.finished is True and nightly.check is False
    assert nightly.hosts == {"sw-1": "failed", "srv-1": "ok"}  # "-" (the report) is no host
    assert nightly.counts == {"unreachable": 0, "failed": 1, "changed": 0, "ok": 1, "skipped": 0}
    assert nightly.status == "failed"
    assert runs["r2"].check is True and runs["r2"].plan == "plan-r2"
    assert runs["r3"].title == "cmd"
    assert [r.run_id for r in summarise_runs(RECORDS)] == ["r3", "r2", "r1"]  # newest first


def test_a_host_last_run_is_its_last_real_run_never_a_check():
    last = last_runs(RECORDS)
    assert last["sw-1"].run_id == "r1"  # r2 was a check (a plan)
    assert last["sw-1"].status == "failed"
    assert last["sw-1"].actions == ("backup", "audit")
    assert last["srv-1"].run_id == "r3" and last["srv-1"].status == "changed"
    assert "-" not in last
