"""Jinja2 for rule remediations and golden configs: sandboxed, undefined names are errors."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from ictops.inventory.host import Host


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
