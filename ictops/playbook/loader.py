"""Load a playbook: YAML with file:line errors, includes flattened, numbers checked against the manual.

``load_playbook`` refuses, with ``file:line: what; fix``: malformed YAML, unknown keys
(with a suggestion), an unknown process or step number (naming the valid ones), an
unknown action, bad action arguments, a bad ``when``, a ``hosts`` expression that
selects nothing, a missing include, an include cycle, a notify naming no handler.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel, ValidationError

from ictops.actions.registry import Registry, default_registry
from ictops.audit.catalogue import Catalogue, CatalogueError
from ictops.errors import InputError, InputErrors, LimitError
from ictops.inventory import Inventory
from ictops.playbook.model import HandlerCommon, Playbook, PlaybookModel, PlayStep, StepCommon
from ictops.playbook.when import compile_when, known_names
from ictops.project import Project
from ictops.schedule.window import parse_window
from ictops.validation import pydantic_errors, suggest
from ictops.yamlfile import YamlDoc, load_yaml

MAX_INCLUDE_DEPTH = 20


class PlaybookError(InputError):
    """The playbook (or a task file it includes) is invalid."""


def _first(errors: list[InputError]) -> InputError:
    return errors[0] if len(errors) == 1 else InputErrors(errors)


def _validate(model: type[BaseModel], data: Any, doc: YamlDoc, path: tuple[Any, ...], what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _first(pydantic_errors(exc, model, doc, path, what, PlaybookError)) from None


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Loader:
    def __init__(self, project: Project, inventory: Inventory | None, registry: Registry,
                 catalogue: Catalogue, process: int, variables: dict[str, Any]):
        self.project = project
        self.registry = registry
        self.catalogue = catalogue
        self.process = process
        self.known = known_names(inventory.hosts.values() if inventory else (), variables)
        self.files: list[str] = []

    def shown(self, path: Path) -> str:
        return self.project.relative(path)

    # --- steps and includes ---------------------------------------------------------------

    def steps(self, doc: YamlDoc, base: tuple[Any, ...], items: Any, stack: Sequence[Path],
              handler: bool = False) -> list[PlayStep]:
        if not isinstance(items, list):
            raise doc.error(base, "must be a list of steps (lines starting with '- ')", PlaybookError)
        out: list[PlayStep] = []
        for i, item in enumerate(items):
            path = base + (i,)
            if isinstance(item, dict) and "include" in item and not handler:
                out.extend(self.include(doc, path, item, stack))
            else:
                out.append(self.step(doc, path, item, handler))
        return out

    def include(self, doc: YamlDoc, path: tuple[Any, ...], item: dict[str, Any],
                stack: Sequence[Path]) -> list[PlayStep]:
        extra = [k for k in item if k != "include"]
        if extra:
            raise doc.error(path + (extra[0],), f"an include step takes only include:, not '{extra[0]}'; "
                            "put tags/when on the included steps", PlaybookError)
        target = item["include"]
        if not isinstance(target, str) or not target.strip():
            raise doc.error(path + ("include",), "include: needs a file path such as tasks/backup.yaml",
                            PlaybookError)
        resolved = (self.project.root / target).resolve()
        if not resolved.is_file():
            raise doc.error(path + ("include",), f"include: file not found: {target} "
                            "(paths are relative to the project directory)", PlaybookError)
        if resolved in stack:
            chain = " -> ".join(self.shown(p) for p in [*stack, resolved])
            raise doc.error(path + ("include",), f"include cycle: {chain}; remove one of these includes",
                            PlaybookError)
        if len(stack) > MAX_INCLUDE_DEPTH:
            raise doc.error(path + ("include",), "includes nested too deep", PlaybookError)
        sub = load_yaml(resolved, self.shown(resolved), PlaybookError)
        if self.shown(resolved) not in self.files:
            self.files.append(self.shown(resolved))
        data = sub.data
        base: tuple[Any, ...] = ()
        if isinstance(data, dict) and set(data) == {"steps"}:
            data, base = data["steps"], ("steps",)
        if data is None:
            raise PlaybookError("the task file is empty; it needs a list of steps", sub.file, 1)
        return self.steps(sub, base, data, [*stack, resolved])

    def step(self, doc: YamlDoc, path: tuple[Any, ...], item: Any, handler: bool) -> PlayStep:
        what = "handler" if handler else "step"
        if not isinstance(item, dict):
            raise doc.error(path, f"a {what} must be a mapping with name:, step: and one action "
                            f"({', '.join(self.registry.names)})", PlaybookError)
        label = f"{what} '{item['name']}'" if isinstance(item.get("name"), str) else f"{what} {path[-1] + 1}"
        common_model = HandlerCommon if handler else StepCommon
        common_keys = list(common_model.model_fields)
        actions = [k for k in item if k in self.registry
                   and not (k == "notify" and not isinstance(item[k], dict))]
        for key in item:
            if key not in common_keys and key not in actions:
                hint = suggest(key, common_keys + self.registry.names)
                raise doc.error(path + (key,), f"{label}: unknown key '{key}'{hint}; a {what} has "
                                f"{', '.join(common_keys)} and one action: {', '.join(self.registry.names)}",
                                PlaybookError)
        if not actions:
            raise doc.error(path, f"{label}: no action; add one of {', '.join(self.registry.names)}",
                            PlaybookError)
        if len(actions) > 1:
            raise doc.error(path + (actions[1],), f"{label}: two actions ({actions[0]}, {actions[1]}); "
                            "split it into two steps", PlaybookError)
        action = actions[0]
        common_data = {k: v for k, v in item.items() if k != action}
        if isinstance(common_data.get("notify"), str):
            common_data["notify"] = [common_data["notify"]]
        common = _validate(common_model, common_data, doc, path, label)
        step_no = common.step
        if step_no is None:
            carry = self.catalogue.step_for(self.process, "carry_out")
            step_no = carry.number if carry else 1
        try:
            self.catalogue.step(self.process, step_no)
        except CatalogueError as exc:
            raise doc.error(path + ("step",), f"{label}: {exc.message}", PlaybookError) from None
        spec = self.registry.get(action)
        raw_args = item[action] if item[action] is not None else {}
        args = _validate(spec.args_model, raw_args, doc, path + (action,), f"{label}, {action}")
        if spec.validate is not None:
            try:
                spec.validate(args, self.project, frozenset(self.known))
            except InputError as exc:
                raise doc.error(path + (action,), f"{label}, {action}: {exc}", PlaybookError) from None
        when_fn = None
        if common.when is not None:
            if spec.run_level:
                raise doc.error(path + ("when",), f"{label}: a run-level action ({action}) runs on no "
                                "host and takes no when:", PlaybookError)
            try:
                when_fn = compile_when(common.when, self.known)
            except ValueError as exc:
                raise doc.error(path + ("when",), f"{label}: {exc}", PlaybookError) from None
        return PlayStep(
            name=common.name, process=self.process, step=step_no, action=action, args=args,
            source=f"{doc.file}:{doc.line(path) or '?'}", when=common.when, when_fn=when_fn,
            tags=tuple(common.tags), notify=tuple(getattr(common, "notify", ()) or ()),
            run_level=spec.run_level,
        )


def load_playbook(
    path: str | Path,
    project: Project,
    inventory: Inventory | None = None,
    registry: Registry | None = None,
    catalogue: Catalogue | None = None,
) -> Playbook:
    """Load and check a playbook; PlaybookError (file:line) on any problem."""
    registry = registry or default_registry()
    catalogue = catalogue or Catalogue.load()
    path = Path(path)
    if not path.is_absolute():
        path = (project.root / path) if (project.root / path).exists() or not path.exists() else path
    path = path.resolve()
    shown = project.relative(path)
    doc = load_yaml(path, shown, PlaybookError)
    if not isinstance(doc.data, dict):
        raise PlaybookError("a playbook is a mapping with name:, process: and steps:", shown,
                            doc.line(()) or 1)
    model: PlaybookModel = _validate(PlaybookModel, doc.data, doc, (), "playbook")
    try:
        catalogue.process(model.process)
    except CatalogueError as exc:
        raise doc.error(("process",), f"playbook: {exc.message}", PlaybookError) from None
    if inventory is not None and model.hosts is not None:
        try:
            inventory.select(model.hosts)
        except LimitError as exc:
            raise doc.error(("hosts",), f"playbook: hosts: {exc.message}", PlaybookError) from None
    loader = _Loader(project, inventory, registry, catalogue, model.process, dict(model.vars))
    loader.files.append(shown)
    steps = [dataclasses.replace(s, key=f"step-{i}")
             for i, s in enumerate(loader.steps(doc, ("steps",), model.steps, [path]))]
    handlers = [dataclasses.replace(s, key=f"handler-{i}") for i, s in
                enumerate(loader.steps(doc, ("handlers",), model.handlers, [path], handler=True))]
    names = [h.name for h in handlers]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise doc.error(("handlers", i, "name"), f"handler '{name}' is defined twice", PlaybookError)
    for step in steps:
        for wanted in step.notify:
            if wanted not in names:
                file, _, line = step.source.rpartition(":")
                raise PlaybookError(
                    f"step '{step.name}': notify names no handler '{wanted}'{suggest(wanted, names)}; "
                    f"handlers are {', '.join(names) or '(none)'}",
                    file, int(line) if line.isdigit() else None,
                )
    serial = model.serial if isinstance(model.serial, list) else ([model.serial] if model.serial else [])
    return Playbook(
        name=model.name, path=shown, process=model.process, routine=model.routine, hosts=model.hosts,
        serial=tuple(serial), max_fail_percentage=model.max_fail_percentage, vars=dict(model.vars),
        steps=tuple(steps), handlers=tuple(handlers), files=tuple(loader.files),
        window=parse_window(model.window) if model.window is not None else None,
    )
