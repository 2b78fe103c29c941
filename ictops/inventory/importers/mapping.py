"""The import mapping: which register column holds which inventory field, and the office's
own platform rules. Built-in default: ictops/data/import_columns.yaml; an office's file has the
same shape and is read through ictops/yamlfile.py, so its errors name file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Optional, Union

from pydantic import Field, ValidationError, field_validator

from ictops.errors import InputError, InputErrors
from ictops.inventory.importers.platform_rules import (
    UNMANAGED,
    PlatformRules,
    brand_rule,
    builtin_rules,
)
from ictops.platforms import platforms
from ictops.validation import StrictModel, pydantic_errors, suggest
from ictops.yamlfile import YamlDoc, load_yaml

Headers = Optional[Union[str, list[str]]]
FIELDS = (
    "hostname", "brand_model", "brand", "model", "name", "school_name", "school_code",
    "district", "platform", "port", "username", "site",
)


class ColumnsModel(StrictModel):
    """Inventory field -> the header (or headers, first found wins) that holds it."""

    hostname: Headers = None
    brand_model: Headers = None
    brand: Headers = None
    model: Headers = None
    name: Headers = None
    school_name: Headers = None
    school_code: Headers = None
    district: Headers = None
    platform: Headers = None
    port: Headers = None
    username: Headers = None
    site: Headers = None


class BrandRuleModel(StrictModel):
    match: str = Field(min_length=1)
    platform: str
    reason: str = ""

    @field_validator("match")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression ({exc})") from None
        return value


class MappingModel(StrictModel):
    columns: ColumnsModel = Field(default_factory=ColumnsModel)
    data: dict[str, Headers] = Field(default_factory=dict)
    sheet: Optional[str] = None
    platforms: list[BrandRuleModel] = Field(default_factory=list)
    network_os: dict[str, str] = Field(default_factory=dict)
    platform_groups: dict[str, list[str]] = Field(default_factory=dict)


def _headers(value: Headers) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class Mapping:
    """The columns to read (field -> candidate headers), sheet, rules and extra groups."""

    columns: dict[str, tuple[str, ...]]
    data: dict[str, tuple[str, ...]]
    rules: PlatformRules
    sheet: str | None = None
    platform_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "the built-in mapping"


def _model(doc: YamlDoc) -> MappingModel:
    try:
        return MappingModel.model_validate(doc.data or {})
    except ValidationError as exc:
        errors = pydantic_errors(exc, MappingModel, doc, (), "mapping", InputError)
        raise errors[0] if len(errors) == 1 else InputErrors(errors) from None


def _check_platforms(model: MappingModel, doc: YamlDoc) -> None:
    known = sorted(platforms()) + [UNMANAGED]
    errors: list[InputError] = []
    places = [(("platforms", i, "platform"), r.platform) for i, r in enumerate(model.platforms)]
    places += [(("network_os", name), value) for name, value in model.network_os.items()]
    places += [(("platform_groups", name), name) for name in model.platform_groups]
    for path, value in places:
        if value not in known:
            errors.append(
                doc.error(path, f"unknown platform '{value}'{suggest(value, known)}; "
                          f"use one of: {', '.join(known)}")
            )
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)


def _default_doc() -> YamlDoc:
    text = resources.files("ictops.data").joinpath("import_columns.yaml").read_text("utf-8")
    import yaml

    return YamlDoc(file="ictops/data/import_columns.yaml", data=yaml.safe_load(text))


def load_mapping(path: Path | None = None, shown: str | None = None) -> Mapping:
    """The built-in mapping, with an office's mapping file (``path``) laid over it."""
    default = _model(_default_doc())
    columns = {f: _headers(getattr(default.columns, f)) for f in FIELDS}
    data = {k: _headers(v) for k, v in default.data.items()}
    rules = builtin_rules()
    if path is None:
        return Mapping(columns=columns, data=data, rules=rules)
    doc = load_yaml(path, shown or str(path), InputError)
    if doc.data is not None and not isinstance(doc.data, dict):
        raise InputError("a mapping file is a mapping (columns:, data:, platforms: ...)", doc.file, 1)
    model = _model(doc)
    _check_platforms(model, doc)
    for name in model.columns.model_fields_set:  # `field: null` turns a field off
        columns[name] = _headers(getattr(model.columns, name))
    data.update({k: _headers(v) for k, v in model.data.items()})
    rules = rules.extended(
        [brand_rule(r.match, r.platform, r.reason) for r in model.platforms],
        dict(model.network_os),
    )
    return Mapping(
        columns=columns,
        data={k: v for k, v in data.items() if v},
        rules=rules,
        sheet=model.sheet,
        platform_groups={p: tuple(g) for p, g in model.platform_groups.items()},
        source=doc.file,
    )
