"""A tiny project and a fake action registry for pure playbook unit tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from ictops.actions.base import StepNote
from ictops.actions.command import MAY_CHANGE, Args
from ictops.actions.registry import ActionSpec, Registry, default_registry
from ictops.inventory import load_inventory
from ictops.project import Project
from ictops.results import Change, Outcome, Plan, Status

HOSTS = """
srv-1: {hostname: 127.0.0.1, platform: linux, role: server, groups: [a], data: {tier: gold}}
srv-2: {hostname: 127.0.0.2, platform: linux, role: server, groups: [a]}
srv-3: {hostname: 127.0.0.3, platform: linux, role: server, groups: [b]}
sw-1: {hostname: 127.0.0.4, platform: cisco_ios, role: switch, groups: [b]}
"""
GROUPS = "a: {}\nb: {}\n"


def project(tmp_path: Path, files: dict[str, str] | None = None) -> tuple[Project, Any]:
    (tmp_path / "inventory").mkdir(parents=True)
    (tmp_path / "inventory" / "hosts.yaml").write_text(HOSTS)
    (tmp_path / "inventory" / "groups.yaml").write_text(GROUPS)
    for rel, text in (files or {}).items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    proj = Project.at(tmp_path)
    return proj, load_inventory(proj.inventory_dir, proj.root)


class Fake:
    """``cmd`` whose command is a status per host: 'fail:srv-2 changed:srv-1'; calls recorded.
    With ``changes: true`` it is a changing action that cannot know (like the real cmd)."""

    calls: list[tuple[str, str]] = []
    name = "cmd"

    def __init__(self, args: Args):
        self.args = args
        self.begun = self.ended = 0

    def begin(self, run: Any) -> None:
        self.begun += 1

    def end(self, run: Any, results: Any) -> StepNote:
        self.ended += 1
        return StepNote(f"ended with {len(results)}")

    def read(self, ctx: Any) -> Outcome:
        Fake.calls.append((self.args.command, ctx.host.name))
        status = Status.OK
        for word in self.args.command.split():
            kind, _, host = word.partition(":")
            if host == ctx.host.name:
                status = {"fail": Status.FAILED, "changed": Status.CHANGED, "down": Status.UNREACHABLE}[kind]
        return Outcome(status, self.args.command, diff="+x" if status is Status.CHANGED else "")


class FakeChanging(Fake):
    changes_hosts = True

    def plan(self, ctx: Any) -> Plan:
        return Plan((Change(f"run: {self.args.command}"),), reason=MAY_CHANGE, certain=False)

    def apply(self, ctx: Any, plan: Plan) -> Outcome:
        return self.read(ctx)


def fake_registry() -> Registry:
    def build(args: Args, project: Any) -> Fake:
        return FakeChanging(args) if args.changes else Fake(args)

    return default_registry().with_spec(ActionSpec("cmd", Args, "fake", build=build))
