"""The work manual as data: processes (กระบวนการ) and their numbered steps (ขั้นตอน).

ictops ships the ICT group's manual (ictops/data/catalogue.yaml); an office can
replace it with its own file in the same format. Playbooks name a process number
and each of their steps names a step number; an unknown number is an input error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError

from ictops.errors import InputError, InputErrors
from ictops.project import Project
from ictops.settings import load_settings
from ictops.validation import StrictModel, pydantic_errors
from ictops.yamlfile import YamlDoc, load_yaml

Stage = Literal["appoint", "plan", "approve", "notify", "carry_out", "evaluate", "report"]
BUILTIN_NAME = "ictops/data/catalogue.yaml"


class CatalogueError(InputError):
    """The catalogue file is invalid, or a process/step number is not in it."""




class StepModel(StrictModel):
    number: int = Field(ge=1)
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    stage: Stage | None = None
    duration_th: str | None = None
    duration_en: str | None = None


class ProcessModel(StrictModel):
    number: int = Field(ge=1)
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    job_th: str | None = None
    job_en: str | None = None
    source: str = Field(min_length=1)
    also_in: list[str] = []
    steps: list[StepModel] = Field(min_length=1)


class ManualModel(StrictModel):
    title_th: str
    title_en: str
    office_th: str | None = None
    office_en: str | None = None
    source: str | None = None


class CatalogueModel(StrictModel):
    manual: ManualModel
    processes: list[ProcessModel] = Field(min_length=1)


@dataclass(frozen=True)
class Step:
    """One numbered step of a process."""

    process: int
    number: int
    name_th: str
    name_en: str
    stage: str | None = None
    duration_th: str | None = None
    duration_en: str | None = None

    def name(self, lang: str = "th") -> str:
        return self.name_th if lang == "th" else self.name_en


@dataclass(frozen=True)
class Process:
    """One process of the manual, with its steps in order."""

    number: int
    name_th: str
    name_en: str
    source: str
    steps: tuple[Step, ...]
    job_th: str | None = None
    job_en: str | None = None
    also_in: tuple[str, ...] = ()

    def name(self, lang: str = "th") -> str:
        return self.name_th if lang == "th" else self.name_en

    @property
    def step_numbers(self) -> list[int]:
        return [s.number for s in self.steps]


@dataclass(frozen=True)
class Catalogue:
    """All processes of one manual. Look-ups raise CatalogueError naming the valid numbers."""

    title_th: str
    title_en: str
    processes: tuple[Process, ...]
    file: str = BUILTIN_NAME
    office_th: str | None = None
    office_en: str | None = None

    @classmethod
    def load(cls, path: str | Path | None = None, shown_as: str | None = None) -> Catalogue:
        """Load an office's catalogue file, or the built-in one when ``path`` is None."""
        if path is None:
            ref = resources.files("ictops.data").joinpath("catalogue.yaml")
            with resources.as_file(ref) as real:
                return _build(load_yaml(Path(real), BUILTIN_NAME, CatalogueError))
        path = Path(path)
        return _build(load_yaml(path, shown_as or str(path), CatalogueError))

    @property
    def process_numbers(self) -> list[int]:
        return [p.number for p in self.processes]

    def process(self, number: int) -> Process:
        """The process numbered ``number``, or CatalogueError naming the valid numbers."""
        for proc in self.processes:
            if proc.number == number:
                return proc
        valid = ", ".join(str(n) for n in self.process_numbers)
        raise CatalogueError(
            f"unknown process {number!r}; the manual ({self.file}) has processes {valid}"
        )

    def step(self, process: int, step: int) -> Step:
        """Step ``step`` of process ``process``, or CatalogueError naming the valid steps."""
        proc = self.process(process)
        for item in proc.steps:
            if item.number == step:
                return item
        valid = ", ".join(str(n) for n in proc.step_numbers)
        raise CatalogueError(
            f"unknown step {step!r} of process {process} ({proc.name_en}); "
            f"its steps are {valid}"
        )

    def step_for(self, process: int, stage: str) -> Step | None:
        """The first step of ``process`` whose stage is ``stage`` (plan, approve...), if any."""
        return next((s for s in self.process(process).steps if s.stage == stage), None)


def _build(doc: YamlDoc) -> Catalogue:
    if doc.data is None:
        raise CatalogueError("file is empty; it needs manual: and processes:", doc.file, 1)
    if not isinstance(doc.data, dict):
        raise CatalogueError(
            "the file must be a mapping with manual: and processes:", doc.file, doc.line(())
        )
    try:
        model = CatalogueModel.model_validate(doc.data)
    except ValidationError as exc:
        found = pydantic_errors(exc, CatalogueModel, doc, (), "catalogue", CatalogueError)
        raise (found[0] if len(found) == 1 else InputErrors(found)) from None
    errors: list[InputError] = []
    seen: set[int] = set()
    processes = []
    for i, proc in enumerate(model.processes):
        if proc.number in seen:
            errors.append(doc.error(
                ("processes", i, "number"),
                f"process {proc.number} is defined twice; give each process its own number",
                CatalogueError,
            ))
        seen.add(proc.number)
        numbers = [s.number for s in proc.steps]
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected:
            errors.append(doc.error(
                ("processes", i, "steps"),
                f"process {proc.number}: steps must be numbered 1..{len(numbers)} in order, "
                f"found {', '.join(map(str, numbers))}",
                CatalogueError,
            ))
        processes.append(Process(
            number=proc.number,
            name_th=proc.name_th,
            name_en=proc.name_en,
            source=proc.source,
            job_th=proc.job_th,
            job_en=proc.job_en,
            also_in=tuple(proc.also_in),
            steps=tuple(
                Step(proc.number, s.number, s.name_th, s.name_en, s.stage, s.duration_th, s.duration_en)
                for s in proc.steps
            ),
        ))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return Catalogue(
        title_th=model.manual.title_th,
        title_en=model.manual.title_en,
        processes=tuple(sorted(processes, key=lambda p: p.number)),
        file=doc.file,
        office_th=model.manual.office_th,
        office_en=model.manual.office_en,
    )


def load_catalogue(project: Project) -> Catalogue:
    """The office's manual (setting ``catalogue:``, a path in the project), else the built-in."""
    setting = load_settings(project).catalogue
    if setting:
        path = project.root / setting
        return Catalogue.load(path, project.relative(path))
    return _builtin()


@lru_cache(maxsize=1)
def _builtin() -> Catalogue:
    return Catalogue.load()


@lru_cache(maxsize=1)
def verb_records() -> dict[str, tuple[int, int]]:
    """Verb name -> (process, step) its records go under, from ictops/data/verbs.yaml."""
    text = resources.files("ictops.data").joinpath("verbs.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text) or {}
    return {str(verb): (int(v["process"]), int(v["step"])) for verb, v in raw.items()}


def verb_record(verb: str) -> tuple[int, int] | None:
    """Where ``verb``'s records go in the manual, or None when the verb is not recorded."""
    return verb_records().get(verb)
