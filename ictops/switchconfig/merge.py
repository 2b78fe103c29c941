"""Merge: config lines added to what a switch has, as the device itself would take them.

``switch_config`` normally makes its features *be* the lines given (what they lack is
removed). With ``merge`` the lines are added instead: a new value replaces a single-valued
line (``clock timezone``), ``no X`` removes X, and every other line of the features stays. The
intended config of a merge is computed here (hier_config's ``future``: the running-config
with the lines applied, using the platform's rules), so the plan is still the exact commands
from the running-config read now, and running it twice changes nothing the second time. This
is how the commands of a rule pack's remediation are pushed.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ictops.compliance.configtree import Node, parse_config
from ictops.switchconfig import banners
from ictops.switchconfig.features import Feature, check_inside, features_named, features_touched
from ictops.switchconfig.remediation import config_text, hier_lines
from ictops.switchconfig.rules import PlatformRules, platform_rules
from ictops.switchconfig.showrun import prepare, refuse_masked


def merged(
    platform: str, running: str, lines: str, features: Sequence[str] | None = None,
    *, what: str = "the lines given",
) -> tuple[str, tuple[str, ...]]:
    """(the intended config of ``features``, their names): ``running``'s lines in those
    features with ``lines`` applied. ``features`` None: those ``lines`` touch. A line outside
    the features is a FeatureError, a masked running-config is refused."""
    refuse_masked(running, "running-config")
    rules = platform_rules(platform)
    change = prepare(lines, platform, rules, defaults=True)  # setting a default is a change
    chosen: tuple[Feature, ...] = (
        features_touched(platform, change) if features is None
        else features_named(platform, features)
    )
    check_inside(change, chosen, what)
    have = [r for r in prepare(running, platform, rules).roots
            if any(f.matches(r.text) for f in chosen)]
    is_banner = [n for n in change.roots if banners.is_banner(n, platform)]
    new_banners = {banners.kind(n) for n in is_banner}
    kept = [n for n in have if banners.is_banner(n, platform) and banners.kind(n) not in new_banners]
    plain_have = [n for n in have if not banners.is_banner(n, platform)]
    plain_change = [n for n in change.roots if n not in is_banner]
    future = parse_config("\n".join(hier_lines(rules, plain_have, plain_change, future=True)),
                          platform).roots
    _turned_on(future, plain_change, plain_have, rules)
    _implied(future, rules)
    return config_text([*future, *kept, *is_banner]), tuple(f.name for f in chosen)


def _turned_on(result: list[Node], change: list[Node], have: list[Node],
               rules: PlatformRules) -> None:
    """``X`` over a ``no X`` the device had: hier_config drops both, but the device then
    shows ``X`` (``aaa new-model``, ``service password-encryption``, an interface's
    ``shutdown``), unless X is on by default and shows as nothing (``service pad``)."""
    for line in change:
        if line.text.startswith(rules.negation + " ") or line.text in rules.default_on:
            continue
        found = next((n for n in result if n.text == line.text), None)
        before = next((n for n in have if n.text == line.text), None)
        if found is None and any(n.text == f"{rules.negation} {line.text}" for n in have):
            result.append(copy.deepcopy(line))
        elif found is not None and line.children:
            _turned_on(found.children, line.children, before.children if before else [], rules)


def _implied(result: list[Node], rules: PlatformRules) -> None:
    """Lines the device drops by itself once another is set (``aaa new-model`` takes
    ``login`` off the vty lines) are not in the merged config either."""
    for implied in rules.implied:
        if any(implied.when.search(n.text) for n in result):
            for node in result:
                if implied.parent.search(node.text):
                    node.children = [c for c in node.children if not implied.line.search(c.text)]
