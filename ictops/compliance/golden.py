"""Golden config: render a host's intended config from templates/, compare it with the backup
feature by feature, and compute remediation commands with hier_config (IOS-style platforms).

hier_config traps handled here (see the config-tools facts): both sides are cut to the same
feature sections first; banners are compared apart and never fed to hier_config; salted
secrets are never compared; no remediation is computed from a masked config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.sandbox import SandboxedEnvironment

from ictops.compliance.configtree import ConfigTree, Node, parse_config
from ictops.compliance.templating import host_context
from ictops.errors import InputError
from ictops.inventory.host import Host
from ictops.platforms import get_platform

MASK = "<removed>"


class TemplateRenderError(InputError):
    """A golden-config template cannot be rendered for a host."""


@dataclass(frozen=True)
class FeatureDiff:
    """One feature of one host: what the backup lacks, what it has extra, how to fix it."""

    feature: str
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    remediation: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def compliant(self) -> bool:
        return not self.missing and not self.extra

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "compliant": self.compliant,
            "missing": list(self.missing),
            "extra": list(self.extra),
            "remediation": list(self.remediation),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class GoldenReport:
    """Intended vs backup for one host."""

    host: str
    platform: str
    template: str
    features: tuple[FeatureDiff, ...] = field(default_factory=tuple)

    @property
    def compliant(self) -> bool:
        return all(f.compliant for f in self.features)

    @property
    def remediation(self) -> list[str]:
        """All features' remediation lines, ready for ``SwitchSession.configure``."""
        return [line for f in self.features for line in f.remediation]

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "platform": self.platform,
            "template": self.template,
            "compliant": self.compliant,
            "features": [f.to_dict() for f in self.features],
        }


@dataclass(frozen=True)
class Feature:
    """Config sections that make one feature (regexes of top-level lines)."""

    name: str
    sections: tuple[re.Pattern[str], ...]
    only_intended: bool = False  # compare only sections the intended config names (interfaces)


def _feature(name: str, spec: Any) -> Feature:
    if isinstance(spec, dict):
        return Feature(
            name, tuple(re.compile(p) for p in spec["sections"]), bool(spec.get("only_intended"))
        )
    return Feature(name, tuple(re.compile(p) for p in spec))


@lru_cache(maxsize=1)
def default_features() -> dict[str, tuple[Feature, ...]]:
    """``ictops/data/golden_features.yaml``: platform -> features."""
    text = resources.files("ictops.data").joinpath("golden_features.yaml").read_text("utf-8")
    return {
        platform: tuple(_feature(name, spec) for name, spec in features.items())
        for platform, features in yaml.safe_load(text).items()
    }


def template_name(host: Host) -> str:
    """``data.golden_template`` or ``switch/<platform>.j2`` / ``server/<platform>.j2``."""
    configured = host.attribute("golden_template")
    if isinstance(configured, str) and configured:
        return configured
    return f"{'switch' if host.is_switch else 'server'}/{host.platform_name}.j2"


def render_intended(templates_dir: Path, host: Host, template: str | None = None) -> str:
    """Render the host's intended config (sandboxed Jinja2; an undefined name is an error)."""
    name = template or template_name(host)
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    shown = f"templates/{name}"
    try:
        return env.get_template(name).render(**host_context(host), host=host_context(host))
    except TemplateNotFound:
        raise TemplateRenderError(
            f"host '{host.name}': no template {shown}; create it or set data.golden_template", shown
        ) from None
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(f"template syntax: {exc.message}", shown, exc.lineno) from None
    except TemplateError as exc:
        raise TemplateRenderError(
            f"host '{host.name}': {exc.message or exc}; add it to the host's inventory data",
            shown,
            _template_line(exc, name),
        ) from None


def _template_line(exc: BaseException, name: str) -> int | None:
    trace = exc.__traceback__
    line = None
    while trace is not None:  # jinja2 rewrites frames to point at the template
        if trace.tb_frame.f_code.co_filename.endswith(name):
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


# --- comparison ---------------------------------------------------------------------------


def _is_secret(text: str, platform: str) -> bool:
    return any(pattern.search(text) for pattern, _ in get_platform(platform).secrets)


def _feature_nodes(tree: ConfigTree, patterns: tuple[re.Pattern[str], ...]) -> list[Node]:
    return [root for root in tree.roots if any(p.search(root.text) for p in patterns)]


def _paths(nodes: list[Node], platform: str, skipped: list[str]) -> dict[tuple[str, ...], Node]:
    """Path of every comparable line -> node (secrets left out and counted)."""
    found: dict[tuple[str, ...], Node] = {}
    for root in nodes:
        for node in [root, *root.walk()]:
            if _is_secret(node.text, platform):
                skipped.append(node.text)
                continue
            key = node.path()
            if node.body:  # a banner: its text is part of what is compared
                key = key[:-1] + (node.text + "\n" + "\n".join(node.body),)
            found[key] = node
    return found


def _as_lines(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Paths as indented config lines, each parent written once."""
    lines: list[str] = []
    written: set[tuple[str, ...]] = set()
    for path in paths:
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in written:
                written.add(prefix)
                lines.append(" " * (depth - 1) + prefix[-1].split("\n", 1)[0])
    return tuple(lines)


def _section_text(nodes: list[Node], platform: str) -> str:
    """Feature sections as show-run text for hier_config (no banners, no secrets)."""
    lines: list[str] = []

    def emit(node: Node, depth: int) -> None:
        if node.body or _is_secret(node.text, platform):
            return
        lines.append(" " * depth + node.text)
        for child in node.children:
            emit(child, depth + 1)

    for node in nodes:
        emit(node, 0)
    return "\n".join(lines) + "\n"


def compare(
    backup: str,
    intended: str,
    platform: str,
    *,
    host: str = "",
    template: str = "",
    features: tuple[Feature, ...] | None = None,
) -> GoldenReport:
    """Compare per feature; remediation for platforms hier_config knows, unless the backup is masked."""
    chosen = features if features is not None else default_features().get(platform, ())
    have_tree, want_tree = parse_config(backup, platform), parse_config(intended, platform)
    masked = MASK in backup
    hier = get_platform(platform).hier_config
    diffs = []
    for feature in chosen:
        name = feature.name
        have_nodes = _feature_nodes(have_tree, feature.sections)
        want_nodes = _feature_nodes(want_tree, feature.sections)
        if feature.only_intended:
            named = {node.text for node in want_nodes}
            have_nodes = [node for node in have_nodes if node.text in named]
        skipped: list[str] = []
        have, want = _paths(have_nodes, platform, skipped), _paths(want_nodes, platform, skipped)
        missing = [p for p in want if p not in have]
        extra = [p for p in have if p not in want]
        notes = []
        if skipped:
            notes.append(
                f"{len(skipped)} secret line(s) not compared (salted values differ per device)"
            )
        if any(p[-1].count("\n") for p in missing + extra):
            notes.append("banner text differs: set the banner by hand")
        remediation: tuple[str, ...] = ()
        if (missing or extra) and hier:
            if masked:
                notes.append("backup is masked: no remediation computed from it")
            else:
                remediation = remediation_lines(
                    _section_text(have_nodes, platform), _section_text(want_nodes, platform), hier
                )
        diffs.append(
            FeatureDiff(name, _as_lines(missing), _as_lines(extra), remediation, tuple(notes))
        )
    return GoldenReport(host=host, platform=platform, template=template, features=tuple(diffs))


def golden_report(templates_dir: Path, host: Host, backup: str) -> GoldenReport:
    """Render the host's template and compare it with ``backup`` (its running-config)."""
    intended = render_intended(templates_dir, host)
    return compare(
        backup, intended, host.platform_name, host=host.name, template=template_name(host)
    )


# --- hier_config --------------------------------------------------------------------------

# Commands whose new value replaces the old one: no "no ..." line first (a "no" would drop
# log timestamps or move a port to VLAN 1 for a moment).
_REPLACE_IN_PLACE: dict[str, list[tuple[str, ...]]] = {
    "CISCO_IOS": [
        ("line vty", "transport input"),
        ("line vty", "exec-timeout"),
        ("line vty", "access-class"),
        ("interface ", "switchport access vlan"),
        ("interface ", "switchport voice vlan"),
        ("service timestamps log",),
        ("service timestamps debug",),
        ("logging trap",),
        ("logging source-interface",),
        ("clock timezone",),
        ("ip ssh version",),
    ],
    "HUAWEI_VRP": [
        ("vlan batch",),
        ("interface ", "port default vlan"),
        ("user-interface ", "protocol inbound"),
        ("interface ", "description"),
        ("user-interface ", "idle-timeout"),
    ],
}


def _driver(name: str) -> Any:
    from hier_config import Platform
    from hier_config.constructors import get_hconfig_driver
    from hier_config.models import IdempotentCommandsRule, MatchRule

    driver = get_hconfig_driver(Platform[name])
    for prefixes in _REPLACE_IN_PLACE.get(name, []):
        driver.rules.idempotent_commands.append(
            IdempotentCommandsRule(match_rules=tuple(MatchRule(startswith=p) for p in prefixes))
        )
    return driver


def remediation_lines(running: str, intended: str, platform_name: str) -> tuple[str, ...]:
    """Commands that turn ``running`` into ``intended`` (both cut to the same sections)."""
    from hier_config import WorkflowRemediation, get_hconfig

    driver = _driver(platform_name)
    workflow = WorkflowRemediation(get_hconfig(driver, running), get_hconfig(driver, intended))
    return tuple(
        line.rstrip() for line in workflow.remediation_config.dump_simple(sectional_exiting=True)
    )
