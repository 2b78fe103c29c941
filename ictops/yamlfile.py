"""Read YAML with line numbers, so every input error can name its file and line.

Data comes from yaml-rs (a Rust parser, ~20x faster than libyaml on big
inventories) when it is installed; line numbers are only needed for error
messages, so they are computed lazily, on the first ``line()`` call, from
PyYAML's composer. Without yaml-rs, PyYAML builds the data itself. Either way
duplicate keys are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from ictops.errors import InputError

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

try:
    import yaml_rs as _fast
except ImportError:  # pragma: no cover - optional speed-up
    _fast = None  # type: ignore[assignment]

_DOC_START = re.compile(r"^---", re.MULTILINE)

Path_ = tuple[Any, ...]


@dataclass
class YamlDoc:
    """Data of one YAML file, with the line of each path (1-based)."""

    file: str  # as shown to the user, e.g. "inventory/hosts.yaml"
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    text: str | None = None  # kept when lines are still to be computed

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        if self.text is not None:
            text, self.text = self.text, None
            _compose(text, self, InputError)
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: Path_, message: str, cls: type[InputError] = InputError) -> InputError:
        return cls(message, self.file, self.line(path))


class _Builder:
    def __init__(self, doc: YamlDoc, error_cls: type[InputError]):
        self.doc = doc
        self.error_cls = error_cls
        self.constructor = yaml.constructor.SafeConstructor()
        self.scalar: Callable[[yaml.Node], Any] = self.constructor.construct_object

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.doc.lines[path + (i,)] = child.start_mark.line + 1
                items.append(self.build(child, path + (i,)))
            return items
        return self.scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.error_cls(
                    "YAML merge keys (<<) are not supported; use groups and defaults.yaml",
                    self.doc.file,
                    key_node.start_mark.line + 1,
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error_cls(
                    "a key must be plain text, not a list or mapping",
                    self.doc.file,
                    key_node.start_mark.line + 1,
                )
            key = self.scalar(key_node)
            line = key_node.start_mark.line + 1
            if key in result:
                what = "host" if not path and self.doc.file.endswith("hosts.yaml") else "key"
                raise self.error_cls(
                    f"duplicate {what} '{key}' (first defined at line {first_line[key]}); "
                    "remove or rename one of them",
                    self.doc.file,
                    line,
                )
            first_line[key] = line
            self.doc.lines[path + (key,)] = line
            result[key] = self.build(value_node, path + (key,))
        return result


def _compose(text: str, doc: YamlDoc, error_cls: type[InputError]) -> None:
    """Parse with PyYAML: fills ``doc.lines`` and ``doc.data``; raises located errors."""
    shown = doc.file
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        # an unclosed bracket or quote is reported at the end of the file; the line
        # where the construct started (context) is where the user should look
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        context = ""
        if exc.context and exc.context_mark and exc.problem_mark:
            context = f" ({exc.context} that starts here; problem at line {exc.problem_mark.line + 1})"
        raise error_cls(
            f"malformed YAML: {problem}{context}; check the indentation and quoting near this line",
            shown,
            line,
        ) from None
    except yaml.YAMLError as exc:
        raise error_cls(f"malformed YAML: {exc}", shown) from None
    if node is None:
        return
    doc.lines[()] = node.start_mark.line + 1
    try:
        doc.data = _Builder(doc, error_cls).build(node, ())
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise error_cls(f"cannot read value: {exc.problem}", shown, line) from None


def load_yaml(
    path: Path, shown_as: str | None = None, error_cls: type[InputError] = InputError
) -> YamlDoc:
    """Load one YAML document. Raises ``error_cls`` (one line, file:line) on any problem."""
    shown = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error_cls("file not found", shown) from None
    except UnicodeDecodeError as exc:
        raise error_cls(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", shown) from None
    except OSError as exc:
        raise error_cls(f"cannot read the file ({exc.strerror})", shown) from None
    doc = YamlDoc(file=shown, data=None)
    if _fast is not None and not _DOC_START.search(text):
        try:
            doc.data = _fast.loads(text)
            doc.text = text  # lines on demand
            return doc
        except Exception as exc:  # noqa: BLE001 - located by the slow path below
            fast_error = str(exc).splitlines()[0]
        _compose(text, doc, error_cls)
        raise error_cls(f"malformed YAML: {fast_error}", shown)
    _compose(text, doc, error_cls)
    return doc
