"""``when:`` conditions: small, safe expressions over a host's data and the playbook's vars.

Jinja2's sandboxed ``compile_expression`` with StrictUndefined: ``role == 'server'``,
``platform in ['cisco_ios']``, ``'sch_a' in groups``. Names are checked at load time
against what hosts and vars provide, so a typo is an input error, not a skipped host.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from ictops.inventory.host import Host
from ictops.inventory.names import HOST_NAMES, host_namespace, known_names
from ictops.validation import suggest

__all__ = ["HOST_NAMES", "compile_when", "evaluate", "host_namespace", "known_names"]

_env = SandboxedEnvironment(undefined=StrictUndefined)


def compile_when(text: str, known: Iterable[str]) -> Callable[..., Any]:
    """Compile ``text``; ValueError (one line, what to fix) when it is bad or names an unknown name."""
    try:
        function = _env.compile_expression(text, undefined_to_none=False)
        ast = _env.parse("{{ (" + text + ") }}")
    except TemplateSyntaxError as exc:
        raise ValueError(f"cannot read the condition '{text}': {exc.message}; "
                         "write e.g. role == 'server' or platform in ['cisco_ios']") from None
    known = sorted(set(known))
    for name in sorted(meta.find_undeclared_variables(ast)):
        if name not in known:
            raise ValueError(
                f"condition '{text}' uses unknown name '{name}'{suggest(name, known)}; "
                f"use host keys ({', '.join(HOST_NAMES)}), host data keys or vars"
            )
    return function


def evaluate(function: Callable[..., Any], host: Host, variables: Mapping[str, Any]) -> bool:
    """True/False; raises ValueError with a readable reason when evaluation fails."""
    try:
        return bool(function(**host_namespace(host, variables)))
    except Exception as exc:  # noqa: BLE001 - any error in a condition is the condition's
        raise ValueError(f"condition failed on {host.name}: {exc}") from None
