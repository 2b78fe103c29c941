"""Start, stop, restart or reload a service, and start it at boot or not.

systemd where it is PID 1 (``systemctl``), otherwise the SysV way: ``service NAME ACTION``
and, for boot, ``update-rc.d NAME enable|disable`` (Debian's; the lab has no systemd).
``restarted`` and ``reloaded`` always change (that is what they are for: a handler after a
new config); ``started``/``stopped``/``enabled`` change only what is not so already. After
applying, the service is read again: a start that did not leave it running fails.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator, model_validator

from ictops.actions.base import Context
from ictops.facts import SERVICE, ServiceState
from ictops.project import Project
from ictops.results import Change, HostFailure, Outcome, Plan
from ictops.validation import StrictModel


class Args(StrictModel):
    name: str
    state: Literal["started", "stopped", "restarted", "reloaded"] | None = None
    enabled: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9@._-]+", value):
            raise ValueError(f"'{value}' is not a service name")
        return value

    @model_validator(mode="after")
    def _something(self) -> Args:
        if self.state is None and self.enabled is None:
            raise ValueError("say what to do: state: started|stopped|restarted|reloaded, "
                             "enabled: true|false, or both")
        return self


def build(args: Args, project: Project) -> ServiceAction:
    """The playbook's ``service:`` step."""
    return ServiceAction(args.name, args.state, args.enabled)


PAST = {"start": "started", "stop": "stopped", "restart": "restarted", "reload": "reloaded",
        "enable": "enabled at boot", "disable": "disabled at boot"}


def command(manager: str, name: str, what: str) -> list[str]:
    """The command for ``what`` (a key of PAST) under ``manager`` (systemd or sysv)."""
    if manager == "systemd":
        return ["systemctl", what, "--", name]
    if what in ("enable", "disable"):
        return ["update-rc.d", name, what]
    return ["service", name, what]


class ServiceAction:
    name = "service"
    changes_hosts = True

    def __init__(self, service: str, state: str | None = None, enabled: bool | None = None):
        self.service, self.state, self.enabled = service, state, enabled

    def plan(self, ctx: Context) -> Plan:
        now: ServiceState = ctx.facts.get(SERVICE, self.service)
        steps = self.steps(now)
        if not steps:
            return Plan(reason=self._noop(now))
        return Plan(tuple(Change(f"{what} {self.service} ({now.manager})") for what in steps),
                    state=(now.manager, steps))

    def steps(self, now: ServiceState) -> list[str]:
        """What to run, in order: start/stop/restart/reload, then enable/disable."""
        steps = []
        if self.state == "started" and not now.active:
            steps.append("start")
        elif self.state == "stopped" and now.active:
            steps.append("stop")
        elif self.state == "restarted":
            steps.append("restart")
        elif self.state == "reloaded":
            steps.append("reload" if now.active else "start")
        if self.enabled is not None and now.enabled is not self.enabled:
            steps.append("enable" if self.enabled else "disable")
        return steps

    def _noop(self, now: ServiceState) -> str:
        parts = []
        if self.state is not None:
            parts.append("running" if now.active else "stopped")
        if self.enabled is not None:
            parts.append("started at boot" if now.enabled else "not started at boot")
        return f"{self.service} already {' and '.join(parts)}"

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        manager, steps = plan.state
        server = ctx.server()
        for what in steps:
            result = server.run(command(manager, self.service, what), sudo=ctx.host.sudo)
            if not result.ok:
                reason = (result.stderr.strip() or result.stdout.strip()).splitlines()
                raise HostFailure(f"{' '.join(command(manager, self.service, what))} failed "
                                  f"(exit {result.exit_code})" + (f": {reason[-1]}" if reason else ""))
        ctx.facts.invalidate()
        after: ServiceState = ctx.facts.get(SERVICE, self.service)
        wanted_active = None if self.state is None else self.state != "stopped"
        if wanted_active is not None and after.active is not wanted_active:
            raise HostFailure(f"{self.service} is {'running' if after.active else 'not running'} "
                              f"after {', '.join(steps)}")
        if self.enabled is not None and after.enabled is not None and after.enabled is not self.enabled:
            raise HostFailure(f"{self.service} is {'still' if after.enabled else 'not'} started at "
                              f"boot after {', '.join(steps)}")
        return Outcome.changed(f"{self.service} " + ", ".join(PAST[w] for w in steps))
