"""Write a server file from a Jinja2 template of the project (sandboxed, undefined names are
errors), with owner, group, mode and an optional validate command.

Templates see the same names as ``when:``: the host's keys (name, hostname, site, school...),
each key of its data, and the playbook's vars. A name no host or var provides is refused
when the playbook is loaded; one that a host lacks fails that host. See ictops/actions/files.py
for how the file is written (previous version kept, upload beside, validate, rename).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from ictops.actions.base import Context
from ictops.actions.files import FileArgs, FileSpec, apply_file, check_names, plan_file
from ictops.errors import InputError
from ictops.inventory.names import host_namespace
from ictops.project import Project
from ictops.results import ErrorKind, HostFailure, Outcome, Plan


class Args(FileArgs):
    src: str  # the template, relative to the project: templates/app.conf.j2


def environment(project: Project) -> SandboxedEnvironment:
    """Templates load from the project directory (so {% include %} works inside it)."""
    return SandboxedEnvironment(loader=FileSystemLoader(str(project.root)), undefined=StrictUndefined,
                                keep_trailing_newline=True, autoescape=False)


def template_path(project: Project, src: str) -> str:
    """``src`` as a project-relative path that exists; InputError otherwise."""
    path = (project.root / src).resolve()
    if not path.is_relative_to(project.root.resolve()):
        raise InputError(f"template '{src}' is outside the project; put it in templates/")
    if not path.is_file():
        raise InputError(f"template not found: {src} (paths are relative to the project directory)")
    return path.relative_to(project.root.resolve()).as_posix()


def validate(args: Args, project: Project, names: Collection[str] = ()) -> None:
    """At load time: the template exists, parses, and uses only names hosts or vars provide."""
    rel = template_path(project, args.src)
    env = environment(project)
    source = Path(project.root / rel).read_text(encoding="utf-8", errors="replace")
    try:
        parsed = env.parse(source, name=rel)
    except TemplateSyntaxError as exc:
        raise InputError(f"{rel}:{exc.lineno}: {exc.message}") from None
    try:
        check_names(meta.find_undeclared_variables(parsed), names, f"template {rel}")
    except ValueError as exc:
        raise InputError(str(exc)) from None


def build(args: Args, project: Project) -> TemplateAction:
    """The playbook's ``template:`` step."""
    return TemplateAction(template_path(project, args.src), args.spec())


class TemplateAction:
    name = "template"
    changes_hosts = True

    def __init__(self, src: str, spec: FileSpec):
        self.src, self.spec = src, spec

    def render(self, ctx: Context) -> bytes:
        try:
            template = environment(ctx.project).get_template(self.src)
            return template.render(**host_namespace(ctx.host, ctx.run.vars)).encode("utf-8")
        except TemplateError as exc:
            line = _template_line(exc, self.src)
            raise HostFailure(f"{self.src}{line}: {exc.message or exc} (for {ctx.host.name})",
                              ErrorKind.CONFIG_ERROR) from None

    def plan(self, ctx: Context) -> Plan:
        return plan_file(ctx, self.spec, self.render(ctx), self.src)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        return apply_file(ctx, plan, f"run {ctx.run.run_id} wrote it from {self.src}")


def _template_line(exc: TemplateError, src: str) -> str:
    """':LINE' of the template where rendering failed, when the traceback tells."""
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return f":{lineno}"
    tb = exc.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(src):
            found = tb.tb_lineno
        tb = tb.tb_next
    return f":{found}" if found else ""
