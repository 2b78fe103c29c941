"""A saved plan holds each host's plan; run --plan re-plans and refuses a host whose plan
moved since the approval (that host is not changed; the others run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ictops.actions.base import RunSettings
from ictops.actions.registry import ActionSpec
from ictops.engine.driver import Driver
from ictops.engine.sessions import SessionPool
from ictops.playbook import load_playbook
from ictops.playbook.executor import Executor
from ictops.playbook.plans import PlanStore, approved_digests, plan_from_run
from ictops.results import Change, ErrorKind, Outcome, Plan, Status
from ictops.validation import StrictModel
from tests.unit.playbook.helpers import fake_registry, project

BOOK = """\
name: set the value
process: 2
hosts: "srv-1 or srv-2 or srv-3"
steps:
  - name: look
    step: 5
    cmd: {command: ok, changes: false}
  - name: set it
    step: 5
    setvalue: {to: 2}
"""


class SetArgs(StrictModel):
    to: int


@dataclass
class Box:
    """Each host's state, as the fake action sees it."""

    values: dict[str, int]
    applied: list[str] = field(default_factory=list)


@dataclass
class SetValue:
    box: Box
    to: int
    name: str = "setvalue"
    changes_hosts: bool = True

    def plan(self, ctx: Any) -> Plan:
        now = self.box.values[ctx.host.name]
        if now == self.to:
            return Plan(reason=f"already {now}")
        return Plan((Change(f"set {now} -> {self.to}"),))

    def apply(self, ctx: Any, plan: Plan) -> Outcome:
        self.box.applied.append(ctx.host.name)
        self.box.values[ctx.host.name] = self.to
        return Outcome.changed(f"set to {self.to}")


def _run(proj, book, hosts, box: Box, *, check: bool, approved=None):
    registry = fake_registry().with_spec(
        ActionSpec("setvalue", SetArgs, "fake", build=lambda args, p: SetValue(box, args.to)))
    with Driver(RunSettings(project=proj, check=check), hosts,
                pool=SessionPool(proj, lambda h, p: object())) as driver:
        return Executor(book, driver, registry=registry, approved=approved).run(hosts)


def test_run_with_a_plan_refuses_the_host_that_moved(tmp_path) -> None:
    files = {"playbooks/p.yaml": BOOK}
    proj, inv = project(tmp_path, files)
    registry = fake_registry().with_spec(ActionSpec("setvalue", SetArgs, "fake", build=lambda a, p: None))
    book = load_playbook("playbooks/p.yaml", proj, inv, registry=registry)
    hosts = inv.select(book.hosts)
    box = Box({"srv-1": 0, "srv-2": 0, "srv-3": 2})

    checked = _run(proj, book, hosts, box, check=True)
    made = plan_from_run(checked, book, proj, None, "tester")
    store = PlanStore(proj)
    store.save(made)
    saved = store.load(made.id)
    step = [item for item in saved.hosts["srv-1"] if item["key"] == "step-1"][0]
    assert step["plan"]["changes"][0]["description"] == "set 0 -> 2"
    assert [i["plan"] for i in saved.hosts["srv-1"] if i["key"] == "step-0"] == [None]  # read-only
    assert box.applied == [] and saved.would_change == 2

    box.values["srv-2"] = 7  # changed by hand after the approval
    run = _run(proj, book, hosts, box, check=False, approved=approved_digests(saved))
    results = {r.host: r for r in run.outcomes[1].results}
    assert (results["srv-1"].status, results["srv-1"].message) == (Status.CHANGED, "set to 2")
    assert (results["srv-2"].status, results["srv-2"].error_kind) == (Status.FAILED, ErrorKind.PLAN_MOVED)
    assert "now: set 7 -> 2" in results["srv-2"].message
    assert (results["srv-3"].status, results["srv-3"].message) == (Status.OK, "already 2")
    assert box.applied == ["srv-1"] and box.values["srv-2"] == 7  # srv-2 was not changed


def test_a_plan_for_another_limit_is_refused_in_words(tmp_path) -> None:
    import pytest

    from ictops.playbook.plans import Approval, PlanError, check_usable

    proj, inv = project(tmp_path, {"playbooks/p.yaml": BOOK})
    registry = fake_registry().with_spec(ActionSpec("setvalue", SetArgs, "fake", build=lambda a, p: None))
    book = load_playbook("playbooks/p.yaml", proj, inv, registry=registry)
    box = Box({"srv-1": 0, "srv-2": 0, "srv-3": 0})
    made = plan_from_run(_run(proj, book, inv.select(book.hosts), box, check=True), book, proj,
                         None, "tester")
    made.approval = Approval(by="wichian", position="director", at="2026-12-01T00:00:00Z")
    with pytest.raises(PlanError) as caught:
        check_usable(made, book, proj, "srv-1")
    assert str(caught.value) == (
        f"plan {made.id} was made for all the playbook's hosts (no -l), not -l 'srv-1'; run "
        "without -l (the plan's limit is used) or make a new plan")
