"""Plans (process step 2) and their approval (step 3), kept in ``state/plans/<plan-id>.json``.

A plan is a check-mode run saved with, per host and step, the changes the action planned
(each in words, with the digest of its masked diff) and the digest of the whole host plan;
and the fingerprints of what it was made from: the SHA-256 of the playbook and every file
it includes, and of the inventory files. ``ictops run --plan ID`` refuses a plan that is
unknown, unapproved, already used, or whose files changed; then the engine re-plans each
host before applying and refuses a host whose plan moved since the approval (that host is
not changed; the others run): what was approved is what runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit.record import diff_digest
from ictops.errors import InputError
from ictops.playbook.executor import Approved
from ictops.playbook.model import Playbook
from ictops.playbook.outcome import PlaybookRun
from ictops.project import Project

_ID = re.compile(r"^plan-[0-9A-Za-z-]+$")


class PlanError(InputError):
    """A plan cannot be used: unknown, unapproved, stale, or already used."""


def fingerprint(paths: list[str], project: Project) -> dict[str, str]:
    """SHA-256 of each project-relative path ('missing' when it is gone)."""
    out = {}
    for rel in paths:
        target = project.root / rel
        out[rel] = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else "missing"
    return out


def inventory_files(project: Project) -> list[str]:
    return sorted(project.relative(p) for p in project.inventory_dir.glob("*.yaml"))


@dataclass
class Approval:
    by: str
    position: str
    at: str
    order: str | None = None


@dataclass
class Plan:
    id: str
    playbook: str
    name: str
    process: int
    limit: str | None
    files: dict[str, str]
    inventory: dict[str, str]
    planned_by: str
    planned_at: str
    hosts: dict[str, list[dict[str, Any]]]  # host -> [{key, step, name, action, status, message,
    #                                           diff_digest, plan: {changes, reason, digest}}]
    would_change: int = 0
    failed: int = 0
    approval: Approval | None = None
    runs: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.runs:
            return "run"
        return "approved" if self.approval else "planned"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        data = {k: v for k, v in data.items() if k != "state"}
        approval = data.pop("approval", None)
        return cls(**data, approval=Approval(**approval) if approval else None)


def _now() -> str:
    return clock.stamp()


def plan_from_run(run: PlaybookRun, playbook: Playbook, project: Project, limit: str | None,
                  operator: str) -> Plan:
    """The plan that a check-mode ``run`` amounts to."""
    hosts: dict[str, list[dict[str, Any]]] = {h: [] for h in run.hosts}
    for outcome in run.outcomes:
        if outcome.step.run_level:
            continue
        for r in outcome.results:
            hosts.setdefault(r.host or "", []).append({
                "key": outcome.step.key, "step": outcome.step.step, "name": outcome.step.name,
                "action": outcome.step.action, "status": r.status.value, "message": r.message,
                "diff_digest": diff_digest(r.diff),
                "plan": r.plan.to_dict() if r.plan is not None else None,
            })
    results = run.host_results
    return Plan(
        id=f"plan-{run.run_id}", playbook=playbook.path, name=playbook.name, process=playbook.process,
        limit=limit, files=fingerprint(list(playbook.files), project),
        inventory=fingerprint(inventory_files(project), project), planned_by=operator,
        planned_at=_now(), hosts=hosts,
        would_change=sum(1 for r in results if r.status.value == "changed"),
        failed=sum(1 for r in results if r.status.is_failure),
    )


def approved_digests(plan: Plan) -> Approved:
    """Step key -> host -> the digest of the host's plan as approved (hosts whose step had
    no plan, like a read-only step, are left out)."""
    approved: dict[str, dict[str, str]] = {}
    for host, items in plan.hosts.items():
        for item in items:
            planned = item.get("plan")
            if item.get("key") and planned:
                approved.setdefault(item["key"], {})[host] = planned["digest"]
    return approved


class PlanStore:
    """The plans of a project."""

    def __init__(self, project: Project):
        self.project = project
        self.dir = project.state_dir / "plans"

    def path(self, plan_id: str) -> Path:
        return self.dir / f"{plan_id}.json"

    def save(self, plan: Plan) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self.path(plan.id)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_text(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, target)
        return target

    def load(self, plan_id: str) -> Plan:
        if not _ID.match(plan_id) or not self.path(plan_id).is_file():
            known = [p.id for p in self.all()][-3:]
            hint = f"; recent plans: {', '.join(known)}" if known else "; make one with: ictops plan PLAYBOOK"
            raise PlanError(f"unknown plan '{plan_id}'{hint} (see: ictops plans)")
        try:
            return Plan.from_dict(json.loads(self.path(plan_id).read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise PlanError(f"plan file is damaged ({exc}); make a new plan",
                            self.project.relative(self.path(plan_id))) from None

    def all(self) -> list[Plan]:
        plans = []
        for path in sorted(self.dir.glob("plan-*.json")):
            try:
                plans.append(Plan.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, TypeError):
                continue
        return plans

    def approve(self, plan: Plan, by: str, position: str, order: str | None) -> Plan:
        plan.approval = Approval(by=by, position=position, at=_now(), order=order)
        self.save(plan)
        return plan

    def mark_run(self, plan: Plan, run_id: str) -> None:
        plan.runs.append(run_id)
        self.save(plan)


def check_usable(plan: Plan, playbook: Playbook, project: Project, limit: str | None) -> None:
    """Refuse (PlanError) a plan that does not cover exactly this playbook, inventory and limit."""
    if not plan.approval:
        raise PlanError(f"plan {plan.id} is not approved; have it approved first: "
                        f"ictops approve {plan.id} --by NAME")
    if plan.playbook != playbook.path:
        raise PlanError(f"plan {plan.id} is for {plan.playbook}, not {playbook.path}")
    if limit is not None and limit != plan.limit:
        made_for = f"-l '{plan.limit}'" if plan.limit else "all the playbook's hosts (no -l)"
        raise PlanError(f"plan {plan.id} was made for {made_for}, not -l '{limit}'; "
                        "run without -l (the plan's limit is used) or make a new plan")
    now = fingerprint(sorted(set(plan.files) | set(playbook.files)), project)
    changed = [p for p in now if plan.files.get(p) != now[p]]
    if changed:
        raise PlanError(f"plan {plan.id}: {', '.join(changed)} changed since the plan was made; "
                        f"make a new plan: ictops plan {playbook.path}")
    inventory_now = fingerprint(sorted(set(plan.inventory) | set(inventory_files(project))), project)
    changed = [p for p in inventory_now if plan.inventory.get(p) != inventory_now[p]]
    if changed:
        raise PlanError(f"plan {plan.id}: the inventory ({', '.join(changed)}) changed since the plan "
                        f"was made; make a new plan: ictops plan {playbook.path}")
    if plan.runs:
        raise PlanError(f"plan {plan.id} was already carried out (run {plan.runs[-1]}); "
                        f"make a new plan: ictops plan {playbook.path}")
