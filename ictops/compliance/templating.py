"""Jinja2 for rule remediations and intended configs: sandboxed, undefined names are errors."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.sandbox import SandboxedEnvironment

from ictops.errors import InputError
from ictops.inventory.host import Host


class TemplateRenderError(InputError):
    """An intended-config template cannot be rendered for a host."""


@lru_cache(maxsize=1)
def remediation_env() -> SandboxedEnvironment:
    """The environment remediation command templates render in."""
    return SandboxedEnvironment(
        undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False
    )


def host_context(host: Host) -> dict[str, Any]:
    """What templates may read about a host (no secrets: they are never rendered)."""
    context: dict[str, Any] = {
        key: host.attribute(key)
        for key in (
            "name",
            "hostname",
            "platform",
            "role",
            "site",
            "district",
            "school_name",
            "school_code",
        )
    }
    context["groups"] = list(host.all_groups or host.groups)
    context["data"] = dict(host.data)
    return context


@lru_cache(maxsize=1024)
def _compiled(template: str) -> Template:
    return remediation_env().from_string(template)


def render_lines(template: str, context: dict[str, Any]) -> list[str]:
    """Render a remediation template into config lines (blank lines dropped)."""
    text = _compiled(template).render(**context)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def render_text(text: str, host: Host, shown: str) -> str:
    """``text`` (config lines given in a playbook) rendered in the sandbox like a template of
    templates/; a missing value is a TemplateRenderError naming ``shown``, the host and the key."""
    context = host_context(host)
    try:
        return _compiled(text).render(**context, host=context)
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(f"template syntax: {exc.message}", shown, exc.lineno) from None
    except TemplateError as exc:
        raise TemplateRenderError(_missing(host, exc), shown) from None


# --- intended configs (templates/) --------------------------------------------------------


def intended_template(host: Host) -> str:
    """``data.golden_template`` or ``switch/<platform>.j2`` / ``server/<platform>.j2``."""
    configured = host.attribute("golden_template")
    if isinstance(configured, str) and configured:
        return configured
    return f"{'switch' if host.is_switch else 'server'}/{host.platform_name}.j2"


@lru_cache(maxsize=16)
def _file_env(templates_dir: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_intended(templates_dir: Path, host: Host, template: str | None = None) -> str:
    """A host's intended config: ``templates_dir/template`` rendered in the sandbox with the
    host's attributes and data (group data merged in); a missing value is a
    TemplateRenderError naming the template line, the host and the key."""
    name = template or intended_template(host)
    shown = f"templates/{name}"
    context = host_context(host)
    try:
        return _file_env(str(templates_dir)).get_template(name).render(**context, host=context)
    except TemplateNotFound:
        raise TemplateRenderError(
            f"host '{host.name}': no template {shown}; create it or set data.golden_template", shown
        ) from None
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(f"template syntax: {exc.message}", shown, exc.lineno) from None
    except TemplateError as exc:
        raise TemplateRenderError(_missing(host, exc), shown, _template_line(exc, name)) from None


_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


def _missing(host: Host, exc: TemplateError) -> str:
    text = exc.message or str(exc)
    found = _NO_ATTRIBUTE.search(text)
    if found is None:
        return f"host '{host.name}': {text}"
    key = found.group(1) or found.group(2)
    return (
        f"host '{host.name}' has no value for '{key}'; set data.{key} on the host or one of its"
        " groups in inventory/"
    )


def _template_line(exc: BaseException, name: str) -> int | None:
    trace = exc.__traceback__
    line = None
    while trace is not None:  # jinja2 rewrites frames to point at the template
        if trace.tb_frame.f_code.co_filename.endswith(name):
            line = trace.tb_lineno
        trace = trace.tb_next
    return line
