"""Read YAML input files with line numbers, so every input error can name its file and line.

Every input file (inventory, playbooks and their includes, rule packs, team, notification
settings, catalogue) is read here, through ``load_yaml``, and only here. The file is refused
before it is parsed when it is not a regular file (a FIFO would block, /dev/zero would never
end) or is larger than MAX_BYTES; after parsing, when YAML aliases would repeat more than
MAX_ALIAS_VALUES values (an "alias bomb" of a few hundred bytes expands to billions), when an
alias refers to itself, or when values nest deeper than MAX_DEPTH. These bounds are documented
in docs/security.md.

Data comes from yaml-rs (a Rust parser, ~20x faster than libyaml on big inventories) when it
is installed and the file is plain (no anchors, no document marker, no very long line: yaml-rs
has no nesting limit and deep block nesting overflows its stack); line numbers are only
needed for error messages, so they are computed lazily, on the first ``line()`` call, from
PyYAML's composer. Otherwise PyYAML (libyaml, whose parser stops at 1,000 levels) builds the
data itself. Either way duplicate keys are refused.
"""

from __future__ import annotations

import os
import re
import stat
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

MAX_BYTES = 4 * 2**20  # an input file; 10,000 hosts in the benchmark's layout take 0.9 MiB
MAX_DEPTH = 64  # levels of nested mappings and lists; ictops files use fewer than ten
MAX_ALIAS_VALUES = 100_000  # values that YAML aliases may add to one file, in all
_FAST_MAX_LINE = 1000  # characters; yaml-rs nests at most about a level per column

_KINDS = (
    (stat.S_ISDIR, "directory"),
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)

Path_ = tuple[Any, ...]


@dataclass
class YamlDoc:
    """Data of one YAML file, with the line of each path (1-based)."""

    file: str  # as shown to the user, e.g. "inventory/hosts.yaml"
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    text: str | None = None  # kept when lines are still to be computed
    error_cls: type[InputError] = InputError  # what the file's own errors raise

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        if self.text is not None:
            text, self.text = self.text, None
            _compose(text, self, self.error_cls)
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
        try:
            return self.scalar(node)
        except (ValueError, OverflowError) as exc:  # 2025-02-30 looks like a date, is none
            raise self.error_cls(
                f"'{node.value}' is not a valid {node.tag.rsplit(':', 1)[-1]} ({exc}); "
                "correct it, or quote it to mean text",
                self.doc.file,
                node.start_mark.line + 1,
            ) from None

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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_graph(root: yaml.Node, shown: str, error_cls: type[InputError]) -> None:
    """Refuse recursive aliases, alias bombs and deep nesting before any value is built.

    PyYAML's composer makes an alias the very node of its anchor, so the document is a
    graph; one walk (iterative: the nesting is not bounded yet) gives each node the number
    of values it stands for once aliases are expanded, and its height.
    """
    done: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels of collections)
    entered: set[int] = set()  # nodes being walked: the ancestors of the current one
    edges: dict[int, int] = {}  # id(node) -> parents pointing at it (>1: aliased)
    nodes: dict[int, yaml.Node] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        kids = _children(node)
        if leaving:
            values = 1 + sum(done[id(k)][0] for k in kids)
            deepest = max((done[id(k)][1] for k in kids), default=0)
            levels = 0 if isinstance(node, yaml.ScalarNode) else 1 + deepest
            done[key] = (values, levels)
            entered.discard(key)
            continue
        edges[key] = edges.get(key, 0) + 1
        if key in done:
            continue
        if key in entered:
            raise error_cls(
                "a YAML alias refers to itself (its anchor's value contains it); remove the alias",
                shown,
                node.start_mark.line + 1,
            )
        entered.add(key)
        nodes[key] = node
        stack.append((node, True))
        stack.extend((kid, False) for kid in kids)
    added = done[id(root)][0] - len(done)
    if added > MAX_ALIAS_VALUES:
        key = max((k for k in edges if edges[k] > 1), key=lambda k: (edges[k] - 1) * done[k][0])
        raise error_cls(
            f"YAML aliases would add {added:,} values to this file (at most {MAX_ALIAS_VALUES:,}); "
            "the value anchored here is repeated most: remove the aliases, write the values out",
            shown,
            nodes[key].start_mark.line + 1,
        )
    if done[id(root)][1] > MAX_DEPTH:
        node = root
        for _ in range(MAX_DEPTH):
            node = max(_children(node), key=lambda k: done[id(k)][1])
        raise _too_deep(shown, error_cls, node.start_mark.line + 1)


def _too_deep(shown: str, error_cls: type[InputError], line: int | None = None) -> InputError:
    return error_cls(
        f"values nested more than {MAX_DEPTH} levels deep; flatten this part of the file",
        shown,
        line,
    )


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether mappings and lists in ``data`` nest more than ``limit`` levels."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        items = value.values() if type(value) is dict else value if type(value) is list else None
        if items is None:
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in items if type(item) in (dict, list))
    return False


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
        if "maximum nesting depth" in problem:  # libyaml's own bound (1,000 levels)
            raise _too_deep(shown, error_cls, line) from None
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
    except RecursionError:  # pure-Python PyYAML only; libyaml stops at 1,000 levels
        raise _too_deep(shown, error_cls) from None
    if node is None:
        return
    _check_graph(node, shown, error_cls)
    doc.lines[()] = node.start_mark.line + 1
    try:
        doc.data = _Builder(doc, error_cls).build(node, ())
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise error_cls(f"cannot read value: {exc.problem}", shown, line) from None


def file_kind(mode: int) -> str:
    """'directory', 'FIFO', 'character device'... for a mode that is not a regular file's."""
    return next((name for test, name in _KINDS if test(mode)), "special file")


def read_input(
    path: Path, shown: str, error_cls: type[InputError] = InputError, max_bytes: int = MAX_BYTES
) -> bytes:
    """The bytes of an input file; refuses (without blocking) anything but a regular file
    of at most ``max_bytes``. Symbolic links are followed: the target is what counts."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error_cls("file not found", shown) from None
    except OSError as exc:
        raise error_cls(f"cannot read the file ({exc.strerror})", shown) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = file_kind(mode)
            via = f" (through a link to {os.path.realpath(path)})" if os.path.islink(path) else ""
            raise error_cls(
                f"a {kind}{via}, not a regular file; ictops reads only regular files: "
                "put the real file here",
                shown,
            )
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise error_cls(
            f"the file is larger than {max_bytes / 2**20:g} MiB, the most ictops reads "
            "(docs/security.md); make it smaller",
            shown,
        )
    return data


def load_yaml(
    path: Path, shown_as: str | None = None, error_cls: type[InputError] = InputError
) -> YamlDoc:
    """Load one YAML document. Raises ``error_cls`` (one line, file:line) on any problem."""
    shown = shown_as or str(path)
    try:
        text = read_input(path, shown, error_cls).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error_cls(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", shown) from None
    doc = YamlDoc(file=shown, data=None, error_cls=error_cls)
    if _fast is not None and _plain(text):
        try:
            doc.data = _fast.loads(text)
        except Exception as exc:  # noqa: BLE001 - located by the slow path below
            _compose(text, doc, error_cls)
            raise error_cls(f"malformed YAML: {str(exc).splitlines()[0]}", shown) from None
        if _depth_exceeds(doc.data, MAX_DEPTH):
            _compose(text, doc, error_cls)  # raises, with the line
            raise _too_deep(shown, error_cls)
        doc.text = text  # lines on demand
        return doc
    _compose(text, doc, error_cls)
    return doc


def _plain(text: str) -> bool:
    """Whether yaml-rs may parse ``text``: one document, no aliases, no line that could
    nest deeper than its stack allows. (An alias needs an anchor: '&' and '*' both.)"""
    if _DOC_START.search(text) or ("&" in text and "*" in text):
        return False
    return max(map(len, text.split("\n"))) <= _FAST_MAX_LINE
