"""Load rule packs from the project's ``rules/`` folder, with ``file:line`` errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError
from pydantic import ValidationError

from ictops.compliance.rules import CHECK_KINDS, VAR_REF, PackFile, Rule, all_field_names
from ictops.compliance.templating import remediation_env
from ictops.errors import InputError, InputErrors
from ictops.inventory.host import Host
from ictops.platforms import platforms
from ictops.yamlfile import YamlDoc, load_yaml

RULES_DIR = "rules"


class RulePackError(InputError):
    """A rule pack file is invalid."""


@dataclass(frozen=True)
class RulePack:
    """A validated rule pack."""

    name: str
    path: Path
    model: PackFile

    @property
    def rules(self) -> list[Rule]:
        return self.model.rules

    @property
    def vars(self) -> dict[str, Any]:
        return dict(self.model.vars)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.model.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def vars_for(self, host: Host) -> dict[str, Any]:
        """Pack vars with the host's overrides from inventory ``data.compliance.<var>``."""
        values = self.vars
        overrides = host.attribute("compliance")
        if isinstance(overrides, dict):
            for key, value in overrides.items():
                if key in values:
                    values[key] = value
        return values


def rules_dir(project_root: Path) -> Path:
    """Where an ops project keeps its rule packs."""
    return project_root / RULES_DIR


def pack_path(project_root: Path, name_or_path: str) -> Path:
    """``th-baseline`` -> ``<project>/rules/th-baseline.yaml``; a path is taken as it is."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or "/" in name_or_path:
        return candidate if candidate.is_absolute() else project_root / candidate
    path = rules_dir(project_root) / f"{name_or_path}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in rules_dir(project_root).glob("*.yaml"))
        hint = f" (known: {', '.join(known)})" if known else f" (no packs in {RULES_DIR}/)"
        raise RulePackError(
            f"no rule pack named '{name_or_path}'{hint}", f"{RULES_DIR}/{name_or_path}.yaml"
        )
    return path


def load_pack(path: Path, display: str | None = None) -> RulePack:
    """Load and validate one pack. Raises RulePackError / InputErrors (one line each)."""
    shown = display or str(path)
    doc = load_yaml(path, shown, RulePackError)
    if not isinstance(doc.data, dict):
        raise RulePackError(
            "a rule pack is a mapping with 'pack', 'title', 'vars' and 'rules'", shown, 1
        )
    try:
        model = PackFile.model_validate(doc.data)
    except ValidationError as exc:
        errors = _explain(exc, doc)
        raise (errors[0] if len(errors) == 1 else InputErrors(errors)) from None
    errors = list(_semantic_errors(model, doc))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return RulePack(name=model.pack, path=path, model=model)


def _explain(exc: ValidationError, doc: YamlDoc) -> list[InputError]:
    """One error per place: a typo hides the "missing" error it causes; the alternatives
    of a union (number or $var) collapse into the last, most helpful message."""
    raw = exc.errors()
    suggested: set[tuple[Any, ...]] = set()
    for error in raw:
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(
                str(error["loc"][-1]), sorted(all_field_names()), n=1, cutoff=0.7
            )
            if close:
                suggested.add(tuple(error["loc"][:-1]) + (close[0],))
    by_place: dict[tuple[Any, ...], InputError] = {}
    for error in raw:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc in suggested:
            continue
        place = _data_loc(doc.data, loc) if error["type"] not in ("extra_forbidden", "missing") else loc
        by_place[place] = _pydantic_error(error, doc)
    return list(by_place.values())


def _data_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The part of a pydantic location that exists in the data (drops union member names)."""
    kept: list[Any] = []
    current = data
    for part in loc:
        if (
            isinstance(current, dict)
            and part in current
            or isinstance(current, list)
            and isinstance(part, int)
            and 0 <= part < len(current)
        ):
            current = current[part]
            kept.append(part)
    return tuple(kept)


def _rule_prefix(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            rule_id = rules[loc[1]].get("id")
            if rule_id:
                return f"rule '{rule_id}': "
        return f"rule #{loc[1] + 1}: "
    return ""


def _pydantic_error(error: Any, doc: YamlDoc) -> RulePackError:
    loc = tuple(error["loc"])
    data, shown = doc.data, doc.file
    if error["type"] == "extra_forbidden":  # the unknown key itself is in the data
        line = doc.line(_data_loc(data, loc[:-1]) + loc[-1:])
    else:  # union members (the check kind) are in pydantic's location, not in the data
        line = doc.line(_data_loc(data, loc))
    prefix = _rule_prefix(data, loc)
    kind = error["type"]
    keys = [str(p) for p in _data_loc(data, loc) if isinstance(p, str)]
    where = f"'{keys[-1]}': " if keys and kind != "extra_forbidden" else ""
    if kind == "extra_forbidden":
        key = str(loc[-1])
        close = difflib.get_close_matches(key, sorted(all_field_names()), n=1, cutoff=0.7)
        hint = f" (did you mean '{close[0]}'?)" if close else " (see docs/rules.md for the keys)"
        return RulePackError(f"{prefix}unknown key '{key}'{hint}", shown, line)
    if kind == "missing":
        return RulePackError(f"{prefix}missing key '{loc[-1]}'", shown, line)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = error.get("ctx", {}).get("tag", "")
        close = difflib.get_close_matches(str(given), CHECK_KINDS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        if kind == "union_tag_not_found":
            return RulePackError(
                f"{prefix}a check needs 'kind' (one of: {', '.join(CHECK_KINDS)})", shown, line
            )
        return RulePackError(
            f"{prefix}unknown check kind '{given}'{hint}; use one of: {', '.join(CHECK_KINDS)}",
            shown,
            line,
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return RulePackError(f"{prefix}{where}{message}", shown, line)


def _walk_strings(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every string in ``value`` with its path in the document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_strings(item, path + (index,))
    elif isinstance(value, str):
        yield value, path


def _semantic_errors(model: PackFile, doc: YamlDoc) -> Iterator[RulePackError]:
    """What the models cannot see: duplicate ids, unknown platforms and $vars, bad templates.

    Lines are looked up only for an error: on a good pack no line is ever computed.
    """
    known_platforms = set(platforms())
    shown = doc.file
    seen: dict[str, tuple[Any, ...]] = {}
    env = remediation_env()
    for index, rule in enumerate(model.rules):
        rule_path: tuple[Any, ...] = ("rules", index)
        rule_data = doc.data["rules"][index]
        if rule.id in seen:
            yield RulePackError(
                f"rule '{rule.id}': duplicate rule id (first at line "
                f"{doc.line(seen[rule.id])}); ids must be unique",
                shown,
                doc.line(rule_path + ("id",)),
            )
        seen.setdefault(rule.id, rule_path + ("id",))
        for platform in (
            list(rule.platforms or [])
            + list(rule.checks or {})
            + list(rule.not_applicable)
            + list(rule.remediation.commands)
        ):
            if platform not in known_platforms:
                close = difflib.get_close_matches(platform, sorted(known_platforms), n=1)
                hint = (
                    f" (did you mean '{close[0]}'?)"
                    if close
                    else f" (known: {', '.join(sorted(known_platforms))})"
                )
                yield RulePackError(
                    f"rule '{rule.id}': unknown platform '{platform}'{hint}",
                    shown,
                    doc.line(rule_path),
                )
        for text, text_path in _walk_strings(rule_data, rule_path):
            match = VAR_REF.match(text)
            if match and match.group(1) not in model.vars:
                yield RulePackError(
                    f"rule '{rule.id}': unknown variable '{text}'; define it under 'vars'",
                    shown,
                    doc.line(text_path),
                )
        for platform, template in rule.remediation.commands.items():
            try:
                env.parse(template)
            except TemplateSyntaxError as exc:
                base = doc.line(rule_path + ("remediation", "commands", platform)) or 0
                yield RulePackError(
                    f"rule '{rule.id}': remediation template for {platform}: {exc.message}",
                    shown,
                    base + (exc.lineno or 1),
                )
