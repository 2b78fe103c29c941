"""What an action is, for the engine and for playbooks (docs/playbooks.md, "Writing an action").

A **changing action** (``ChangeAction``) has two halves. ``plan(ctx)`` reads the host now
(through ``ctx.facts``) and returns a ``Plan``: the exact changes, each described in words
with its diff, or an empty plan with the reason nothing is to be done. ``apply(ctx, plan)``
carries out exactly that plan and returns an ``Outcome``. The engine calls ``plan``
always and ``apply`` only outside check mode, so check mode and ``ictops plan`` can never
change a host; ``run --plan`` compares the plan with the approved one before ``apply``.

A **read-only action** (``ReadAction``) has only ``read(ctx) -> Outcome``; it also runs in
check mode (an audit, a command marked ``changes: false``).

Either may have step hooks (``StepHooks``): ``begin(run)`` before its first host (a failure
there becomes a FAILED result for each host of the step), ``end(run, results)`` after its last
(also after an interruption: what completed is kept), ``abort(run)`` when ``end`` cannot be
reached. An action whose work only takes effect at ``end`` (the backup's commit) sets
``commits_at_end``: its results are recorded after ``end``, which may revise them.

Actions never import the engine or Nornir: they get a ``Context`` and return data.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ictops.audit.recorder import new_run_id
from ictops.connections.base import ServerSession, SwitchSession
from ictops.facts import Facts
from ictops.inventory.host import Host
from ictops.masking import Masker
from ictops.project import Project
from ictops.results import ActionResult, Outcome, Plan, Status
from ictops.schedule.window import Window

DEFAULT_WORKERS = 50


@dataclass
class RunSettings:
    """What is the same for every host and step of a run."""

    project: Project
    run_id: str = field(default_factory=new_run_id)
    check: bool = False
    diff: bool = False
    workers: int = DEFAULT_WORKERS
    vars: Mapping[str, Any] = field(default_factory=dict)
    operator: str = ""
    interrupted: str | None = None  # "SIGINT"/"SIGTERM" once a signal arrived (set by the engine)
    # an unattended run's maintenance window: no host starts at or after its close
    window: Window | None = None
    deadline: datetime | None = None


@dataclass
class Context:
    """One host in one step of a run: its inventory entry, the run, its facts."""

    host: Host
    run: RunSettings
    facts: Facts
    action: str
    mask: Masker = field(default_factory=Masker)  # the host's (the engine's HostMasks)

    @property
    def project(self) -> Project:
        return self.run.project

    @property
    def check(self) -> bool:
        return self.run.check

    def server(self) -> ServerSession:
        """The host's session (opened on first use); SessionError when it is a switch."""
        return self.facts.session("server")  # type: ignore[no-any-return]

    def reconnect(self, deadline: float) -> ServerSession:
        """A new session to this server, opened once it answers again (after a reboot), by
        ``deadline`` (time.monotonic()); the host's facts are forgotten. SessionError when it
        did not answer in time."""
        return self.facts.reopen("server", deadline)  # type: ignore[no-any-return]

    def switch(self) -> SwitchSession:
        """The host's session (opened on first use); SessionError when it is a server."""
        return self.facts.session("switch")  # type: ignore[no-any-return]

    def reconnect_switch(self) -> SwitchSession:
        """A new session in place of a broken one (to undo a change after its connection
        dropped); every phase has its deadline; SessionError when it cannot be opened."""
        return self.facts.reopen("switch")  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Event:
    """A run-level record a hook asks for (a recovery, a commit)."""

    action: str
    status: str
    summary: str
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class StepNote:
    """What a hook hands back: a note for the recap, events for the trail, and (``end`` of a
    ``commits_at_end`` action) the results as they finally are."""

    note: str | None = None
    events: tuple[Event, ...] = ()
    results: tuple[ActionResult, ...] | None = None


@dataclass(frozen=True)
class RunInfo:
    """What a run-level action (notify, report) sees: the run so far."""

    project: Project
    run_id: str
    playbook: Any  # the Playbook
    check: bool
    operator: str
    results: Sequence[ActionResult]  # every host result so far
    stopped: str | None = None  # why the run stopped early, if it did
    artifacts: dict[str, Any] = field(default_factory=dict)  # shared by run-level steps: report path


def run_result(name: str, status: Status, message: str, **kw: Any) -> ActionResult:
    """The result of a run-level action (it acted on the run, not on a host)."""
    now = time.time()
    return ActionResult(host=None, action=name, status=status, message=message, started=now,
                        ended=now, **kw)


@runtime_checkable
class ReadAction(Protocol):
    """Reads hosts, changes nothing; runs in check mode too."""

    name: str

    def read(self, ctx: Context) -> Outcome: ...


@runtime_checkable
class ChangeAction(Protocol):
    """Plans from facts, then applies exactly the plan."""

    name: str
    changes_hosts: bool  # False: changes only ictops's own state (the backup store)

    def plan(self, ctx: Context) -> Plan: ...

    def apply(self, ctx: Context, plan: Plan) -> Outcome: ...


class StepHooks(Protocol):
    """Optional once-per-step hooks of an action (any subset)."""

    commits_at_end: bool

    def begin(self, run: RunSettings) -> StepNote | None: ...

    def end(self, run: RunSettings, results: Sequence[ActionResult]) -> StepNote | None: ...

    def abort(self, run: RunSettings) -> None: ...
