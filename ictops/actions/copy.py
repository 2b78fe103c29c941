"""Write a server file from given text (``content``) or a file of the project (``src``),
with owner, group, mode and an optional validate command (see ictops/actions/files.py)."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import model_validator

from ictops.actions.base import Context
from ictops.actions.files import FileArgs, FileSpec, apply_file, plan_file
from ictops.actions.template import template_path
from ictops.project import Project
from ictops.results import Outcome, Plan


class Args(FileArgs):
    content: str | None = None  # the file's text, as is (no template)
    src: str | None = None  # a file of the project, copied byte for byte

    @model_validator(mode="after")
    def _one_source(self) -> Args:
        if (self.content is None) == (self.src is None):
            raise ValueError("give exactly one of content: (the text) or src: (a file of the project)")
        return self


def validate(args: Args, project: Project, names: Collection[str] = ()) -> None:
    """At load time: ``src`` exists in the project."""
    if args.src is not None:
        template_path(project, args.src)


def build(args: Args, project: Project) -> CopyAction:
    """The playbook's ``copy:`` step."""
    if args.src is not None:
        rel = template_path(project, args.src)
        return CopyAction((project.root / rel).read_bytes(), rel, args.spec())
    return CopyAction((args.content or "").encode("utf-8"), "content", args.spec())


class CopyAction:
    name = "copy"
    changes_hosts = True

    def __init__(self, data: bytes, source: str, spec: FileSpec):
        self.data, self.source, self.spec = data, source, spec

    def plan(self, ctx: Context) -> Plan:
        return plan_file(ctx, self.spec, self.data, self.source)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        return apply_file(ctx, plan, f"run {ctx.run.run_id} copied it from {self.source}")
