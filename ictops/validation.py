"""Turn pydantic validation errors into one-line ``file:line: what; fix`` messages."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ictops.errors import InputError
from ictops.yamlfile import YamlDoc


class StrictModel(BaseModel):
    """Base of every input-file model: an unknown key is an error, values are immutable.

    A model may say what to do with an unknown key in ``unknown_key_hint`` (a ClassVar, in
    place of the list of known keys).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the last key of ``loc`` (for 'did you mean')."""
    current: Any = model
    for part in loc[:-1]:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        for arg in getattr(annotation, "__args__", ()) or (annotation,):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                current = arg
                break
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def suggest(word: str, choices: list[str]) -> str:
    """' (did you mean 'x'?)' or ''."""
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def pydantic_errors(
    exc: ValidationError,
    model: type[BaseModel],
    doc: YamlDoc,
    base: tuple[Any, ...],
    what: str,
    error_cls: type[InputError] = InputError,
) -> list[InputError]:
    """One InputError per pydantic error, located at the right line of ``doc``.

    ``base`` is the path of the validated mapping inside the document; ``what``
    names it for the user ("host 'sw-1'").
    """
    errors: list[InputError] = []
    seen: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # pydantic reports union/optional branches separately; keep the first per place
        if loc in seen:
            continue
        seen.add(loc)
        kind = err["type"]
        key = ".".join(str(p) for p in loc)
        path = base + loc
        if kind == "extra_forbidden":
            holder = _model_at(model, loc)
            known = list(holder.model_fields) if holder else []
            msg = f"{what}: unknown key '{key}'{suggest(loc[-1], known)}"
            hint = getattr(holder, "unknown_key_hint", "")
            if hint:
                msg += hint
            elif not suggest(loc[-1], known) and known:
                msg += f"; known keys: {', '.join(known)}"
        elif kind == "missing":
            msg = f"{what}: missing key '{key}'; add it"
        elif kind in _TYPE_WORDS:
            msg = (
                f"{what}: key '{key}' must be {_TYPE_WORDS[kind]}, not {_describe(err.get('input'))}"
            )
            if kind == "string_type" and isinstance(err.get("input"), (int, float)):
                msg += " (put it in quotes)"
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = f"{what}: key '{key}' cannot be {_describe(err.get('input'))}; use one of {expected}"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "code":
            msg = f"{what}: key '{key}' must be the school code, 6 to 10 digits (in quotes in YAML), not {_describe(err.get('input'))}"
        elif kind == "value_error":
            text = str(err.get("msg", "")).removeprefix("Value error, ")
            msg = f"{what}: key '{key}': {text}" if key else f"{what}: {text}"
        else:
            msg = f"{what}: key '{key}': {err.get('msg')} (got {_describe(err.get('input'))})"
        errors.append(error_cls(msg, doc.file, doc.line(path)))
    return errors
