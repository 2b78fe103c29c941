"""YAML that remembers where things are: mappings and lists carry their line numbers.

Used by the rule-pack loader so every error names ``file:line``. Duplicate keys are
refused (PyYAML silently keeps the last one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping from YAML with the line of itself and of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):  # type: ignore[type-arg]
    """A sequence from YAML with the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


class YamlSourceError(Exception):
    """Raised with a line number; the caller turns it into its own InputError."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def _construct(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, loader)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise YamlSourceError(
                    "a mapping key must be a plain value", key_node.start_mark.line + 1
                )
            if key in result:
                first = result.key_lines[key]
                raise YamlSourceError(
                    f"duplicate key '{key}' (first at line {first}); keep only one",
                    key_node.start_mark.line + 1,
                )
            result[key] = _construct(value_node, loader)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LineList(_construct(child, loader) for child in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        return items
    return loader.construct_object(node, deep=True)


def load_yaml_with_lines(path: Path, text: str | None = None) -> Any:
    """Parse one YAML document; raises YamlSourceError with a line on any problem."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        return _construct(root, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlSourceError(f"not valid YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(f"not valid YAML: {exc}", None) from None
    finally:
        loader.dispose()


def line_of(
    data: Any, loc: tuple[Any, ...], skip: Callable[[Any, Any], bool] | None = None
) -> int | None:
    """The line of the deepest element of ``loc`` found in ``data`` (pydantic error locations).

    ``skip(container, part)`` says a loc part is not in the data (a union tag) and is passed over.
    """
    line = getattr(data, "line", None)
    current = data
    for part in loc:
        if isinstance(current, LineDict) and part in current:
            line = current.key_lines.get(part, line)
            current = current[part]
        elif isinstance(current, LineList) and isinstance(part, int) and 0 <= part < len(current):
            line = current.item_lines[part]
            current = current[part]
        elif skip is not None and skip(current, part):
            continue
        elif isinstance(current, LineDict):  # an unknown key: the key's own line when we can
            line = current.key_lines.get(part, current.line or line)
            break
        else:
            break
        inner = getattr(current, "line", None)
        if isinstance(current, (LineDict, LineList)) and inner and not isinstance(part, int):
            line = line or inner
    return line
