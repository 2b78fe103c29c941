"""Facts given as data, and a server that answers from a script: for plan and apply tests
of the changing actions (no session, no device)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ictops.actions.base import Context, RunSettings
from ictops.connections.base import CommandResult
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import Plan

SERVER = Host(name="srv-01", hostname="127.0.0.1", platform_name="linux", site="office", sudo=True)
Answer = Callable[[str], "CommandResult | tuple[int, str] | str"]


class Server:
    """Records every command; answers with ``answer(command)`` (default: exit 0, no output)."""

    def __init__(self, answer: Answer | None = None):
        self.commands: list[str] = []
        self.stdins: list[bytes | None] = []
        self.answer = answer or (lambda command: "")

    def run(self, command: Any, *, timeout: float | None = None, sudo: bool = False,
            stdin: bytes | None = None, **_: Any) -> CommandResult:
        import shlex

        text = command if isinstance(command, str) else shlex.join(command)
        self.commands.append(text)
        self.stdins.append(stdin)
        got = self.answer(text)
        if isinstance(got, CommandResult):
            return got
        code, out = (0, got) if isinstance(got, str) else got
        return CommandResult(text, code, out, "", 0.0)


class GivenFacts:
    """Facts given as data: {(FACT, *args): value}; reading anything else is a test bug."""

    def __init__(self, values: dict[tuple[Any, ...], Any], server: Server | None = None):
        self.values = {(fact.name, tuple(args)): value for (fact, *args), value in values.items()}
        self.server = server or Server()
        self.done: set[str] = set()
        self.invalidated = 0

    def get(self, fact: Any, *args: Any) -> Any:
        key = (fact.name, args)
        if key not in self.values:
            raise AssertionError(f"the action read a fact the test did not give: {key}")
        value = self.values[key]
        return value() if callable(value) else value

    def session(self, kind: str) -> Any:
        return self.server

    def invalidate(self) -> None:
        self.invalidated += 1

    def prefetch(self, *wanted: Any) -> None:
        """Given facts need no round trip."""

    def first(self, what: str) -> bool:
        if what in self.done:
            return False
        self.done.add(what)
        return True


def context(action: Any, facts: GivenFacts, project: Project, host: Host = SERVER,
            check: bool = False) -> Context:
    return Context(host, RunSettings(project=project, check=check, operator="tester"), facts,
                   action.name)


def plan_of(action: Any, facts: GivenFacts, project: Project, host: Host = SERVER) -> Plan:
    return action.plan(context(action, facts, project, host))


def words(plan: Plan) -> tuple[list[str], str]:
    return [c.description for c in plan.changes], plan.reason


def project_at(root: Path, defaults: str = "") -> Project:
    (root / "inventory").mkdir(parents=True, exist_ok=True)
    if defaults:
        (root / "inventory" / "defaults.yaml").write_text(defaults, encoding="utf-8")
    return Project.at(root)
