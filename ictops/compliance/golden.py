"""Golden config: a switch's intended config (templates/) against its backup, feature by feature,
with the commands that would make it match (ictops.switchconfig, the same scoped remediation
``switch_config`` pushes).

The features compared are those the rendered template has lines of: a template without
``snmp-server`` lines leaves the device's SNMP alone. Per feature: the lines the backup lacks,
the lines it has extra, and that feature's commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ictops.compliance.configtree import Node
from ictops.compliance.templating import intended_template, render_intended
from ictops.inventory.host import Host
from ictops.masking import MASK
from ictops.platforms import get_platform
from ictops.switchconfig.remediation import Remediation, remediation, scoped

template_name = intended_template


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
    commands: tuple[str, ...] = ()  # every feature's commands, in the order to send them

    @property
    def compliant(self) -> bool:
        return all(f.compliant for f in self.features)

    @property
    def remediation(self) -> list[str]:
        """The commands that make the switch match, ready for ``SwitchSession.configure``."""
        return list(self.commands)

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "platform": self.platform,
            "template": self.template,
            "compliant": self.compliant,
            "features": [f.to_dict() for f in self.features],
            "remediation": list(self.commands),
        }


def golden_report(templates_dir: Path, host: Host, backup: str) -> GoldenReport:
    """Render the host's template and compare it with ``backup`` (its running-config)."""
    intended = render_intended(templates_dir, host)
    return compare(
        backup, intended, host.platform_name, host=host.name, template=template_name(host)
    )


def compare(
    backup: str,
    intended: str,
    platform: str,
    *,
    host: str = "",
    template: str = "",
    features: tuple[str, ...] | None = None,
) -> GoldenReport:
    """Per feature: missing and extra lines, and the commands (none from a masked backup)."""
    what = f"templates/{template}" if template else "intended config"
    have, want, chosen = scoped(platform, backup, intended, features, what=what)
    masked = MASK in backup
    plan: Remediation | None = None
    if not masked and get_platform(platform).hier_config:
        plan = remediation(platform, backup, intended, [f.name for f in chosen], what=what)
    secrets = [p for p, _ in get_platform(platform).secrets]
    diffs = []
    for feature in chosen:
        mine = [n for n in have if feature.matches(n.text)]
        wanted = [n for n in want if feature.matches(n.text)]
        skipped: list[str] = []
        have_paths, want_paths = _paths(mine, secrets, skipped), _paths(wanted, secrets, skipped)
        missing = [p for p in want_paths if p not in have_paths]
        extra = [p for p in have_paths if p not in want_paths]
        notes = []
        if skipped:
            notes.append(
                f"{len(skipped)} secret line(s) not compared (salted values differ per device)"
            )
        commands: tuple[str, ...] = ()
        if missing or extra:
            if masked:
                notes.append("backup is masked: no remediation computed from it")
            elif plan is not None:
                commands = plan.for_feature(feature.name)
        if plan is not None and (missing or extra):
            notes.extend(n for n in plan.notes if feature.matches(n.split(":", 1)[0]))
        diffs.append(
            FeatureDiff(feature.name, _as_lines(missing), _as_lines(extra), commands, tuple(notes))
        )
    return GoldenReport(
        host=host,
        platform=platform,
        template=template,
        features=tuple(diffs),
        commands=plan.commands if plan is not None else (),
    )


def _paths(nodes: list[Node], secrets: list[Any], skipped: list[str]) -> list[tuple[str, ...]]:
    """Path of every comparable line (secrets left out and counted), in config order."""
    found: list[tuple[str, ...]] = []
    for root in nodes:
        for node in [root, *root.walk()]:
            if any(p.search(node.text) for p in secrets):
                skipped.append(node.text)
                continue
            key = node.path()
            if node.body:  # a banner: its text is part of what is compared, first line shown
                key = key[:-1] + (f"{node.text}{node.body[0]} ...\n" + "\n".join(node.body),)
            found.append(key)
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
