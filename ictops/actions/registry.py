"""The action keys a playbook step can name: one line per action (its module).

An action module defines ``Args`` (a pydantic model: unknown keys refused, errors at the
playbook's file:line), a docstring whose first line is its summary, and either
``build(args, project)`` -> a host action (ReadAction or ChangeAction) or, for an action
that runs once per run on no host, ``run(args, info: RunInfo) -> ActionResult``. Optional:
``validate(args, project, names)``, a load-time check that raises InputError (``names``: what a
``when:`` or a template may use: host keys, host data keys, the playbook's vars). Modules are imported
only when a playbook names their key.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ictops.validation import suggest

ACTIONS: dict[str, str] = {
    "cmd": "ictops.actions.command",
    "backup": "ictops.actions.backup",
    "audit": "ictops.actions.audit",
    "report": "ictops.actions.report",
    "notify": "ictops.actions.notify",
    "switch_config": "ictops.actions.switch_config",
    "package": "ictops.actions.package",
    "template": "ictops.actions.template",
    "copy": "ictops.actions.copy",
    "service": "ictops.actions.service",
    "patch": "ictops.actions.patch",
    "reboot": "ictops.actions.reboot",
}


@dataclass(frozen=True)
class ActionSpec:
    """One action key of the playbook format."""

    name: str
    args_model: type[BaseModel]
    summary: str
    build: Callable[[Any, Any], Any] | None = None  # (args, project) -> host action
    run: Callable[[Any, Any], Any] | None = None  # (args, RunInfo) -> ActionResult: run-level
    validate: Callable[[Any, Any, Any], None] | None = None  # (args, project, names): at load

    @property
    def run_level(self) -> bool:
        return self.run is not None

    @classmethod
    def of_module(cls, name: str, module: str) -> ActionSpec:
        found = importlib.import_module(module)
        doc = (found.__doc__ or name).strip().splitlines()[0]
        return cls(name, found.Args, doc, getattr(found, "build", None),
                   getattr(found, "run", None), getattr(found, "validate", None))


class Registry:
    """Action specs by key (loaded on first use)."""

    def __init__(self, modules: Mapping[str, str] | None = None,
                 specs: Mapping[str, ActionSpec] | None = None):
        self._modules = dict(ACTIONS if modules is None else modules)
        self._specs: dict[str, ActionSpec] = dict(specs or {})

    @property
    def names(self) -> list[str]:
        return sorted(set(self._modules) | set(self._specs))

    def __contains__(self, name: object) -> bool:
        return name in self._modules or name in self._specs

    def get(self, name: str) -> ActionSpec:
        if name not in self._specs:
            if name not in self._modules:
                raise KeyError(f"unknown action '{name}'{suggest(name, self.names)}; "
                               f"actions are {', '.join(self.names)}")
            self._specs[name] = ActionSpec.of_module(name, self._modules[name])
        return self._specs[name]

    def with_spec(self, spec: ActionSpec) -> Registry:
        """A copy where ``spec`` replaces (or adds) its key: for tests and extensions."""
        return Registry(self._modules, {**self._specs, spec.name: spec})


def default_registry() -> Registry:
    return Registry()
