"""Merge a draft into the inventory files, keeping what people wrote.

The files are read and written with ruamel.yaml's round-trip mode, which keeps comments, key
order, quoting and flow style (PyYAML drops all of them), in the file's own indentation. New
hosts and groups are appended after a comment naming the source. In an entry that exists, a key
it already has keeps its value unless ``update`` (the value is listed as kept); missing keys
are added, lists get the items they lack, mappings merge key by key. A secret reference already
in place is never replaced.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ictops.errors import InventoryError
from ictops.inventory.host import Host
from ictops.inventory.importers.draft import Draft, Entry
from ictops.inventory.inventory import Inventory
from ictops.yamlfile import read_input

FILES = (("hosts", "hosts.yaml"), ("groups", "groups.yaml"), ("defaults", "defaults.yaml"))


@dataclass
class FileChange:
    """One inventory file before and after the import."""

    name: str  # hosts.yaml
    old: str | None
    new: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new != (self.old or "")


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"env", "file"}


def _node(value: Any) -> Any:
    """Plain data as ruamel nodes: lists and secret references in flow style."""
    if isinstance(value, dict):
        node = CommentedMap((k, _node(v)) for k, v in value.items())
        if _is_ref(value):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_node(v) for v in value)
        if all(not isinstance(v, (dict, list)) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _guess_indent(text: str) -> tuple[int, int]:
    """(mapping indent, offset of a sequence's dash) as the file writes them."""
    mapping = offset = None
    parent: int | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith(("#", "---")):
            continue
        indent = len(line) - len(stripped)
        if parent is not None and indent > parent:
            if stripped.startswith("- "):
                offset = indent - parent if offset is None else offset
            elif mapping is None:
                mapping = indent - parent
        is_key = stripped.rstrip().endswith(":") and not stripped.startswith("- ")
        parent = indent if is_key else None
        if mapping is not None and offset is not None:
            break
    return mapping or 2, offset or 0


def _yaml(text: str) -> YAML:
    mapping, offset = _guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    yaml.explicit_start = text.lstrip().startswith("---")
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _last(node: Any) -> tuple[CommentedMap | None, Any]:
    """The mapping that holds the last line of a block mapping, and that line's key."""
    holder, key = None, None
    while isinstance(node, CommentedMap) and node and not node.fa.flow_style():
        holder, key = node, next(reversed(node))
        node = node[key]
    return holder, key


def _append(target: CommentedMap, key: Any, value: Any) -> None:
    """Add a key at the end of a mapping, before the blank lines and comments that followed
    its last line (ruamel keeps those with the last value: the new key would land after the
    comment that heads the next entry)."""
    holder, last = _last(target)
    target[key] = value
    item = holder.ca.items.get(last) if holder is not None else None
    token = item[2] if item and len(item) > 2 else None
    if token is None:
        return
    head, sep, rest = token.value.partition("\n")
    if not rest:
        return
    moved = copy.copy(token)
    moved.value, token.value = sep + rest, head + sep
    new_holder, new_last = _last(target)
    if new_holder is not None:
        new_holder.ca.items[new_last] = [None, None, moved, None]


class _Merger:
    def __init__(self, update: bool):
        self.update = update
        self.kept: list[str] = []
        self.replaced: dict[tuple[str, tuple[Any, ...]], str] = {}  # --update: what it overwrote
        self.kept_refs: set[tuple[str, tuple[Any, ...]]] = set()  # (what, path) not replaced

    def merge(self, target: CommentedMap, body: dict[str, Any], what: str, path: tuple = ()) -> bool:
        changed = False
        for key, value in body.items():
            here = (*path, key)
            current = target.get(key)
            if key not in target:
                _append(target, key, _node(value))
                changed = True
            elif _is_ref(current) or _is_ref(value):
                if _is_ref(current):
                    if current != value:
                        self.kept_refs.add((what, here))
                elif current != value:
                    target[key] = _node(value)
                    changed = True
            elif isinstance(value, dict) and isinstance(current, dict):
                changed |= self.merge(current, value, what, here)
            elif isinstance(value, list) and isinstance(current, list):
                for item in value:
                    if item not in current:
                        current.append(_node(item))
                        changed = True
            elif current != value:
                if self.update:
                    self.replace(what, here, current, value)
                    target[key] = _node(value)
                    changed = True
                else:
                    self.note(what, here, current, value)
        return changed

    def note(self, what: str, path: tuple[Any, ...], kept: Any, source: Any) -> None:
        self.kept.append(f"{what} {'.'.join(map(str, path))}: kept {kept!r} (the source says {source!r})")

    def replace(self, what: str, path: tuple[Any, ...], old: Any, new: Any) -> None:
        """Record a value --update overwrites (or overrides, when inherited), once."""
        self.replaced.setdefault((what, path), f"{what} {'.'.join(map(str, path))}: {old!r} -> {new!r}")


_SECRET_KEYS = ("password", "enable_secret", "sudo_password")


def _effective(host: Host, key: str) -> Any:
    """What an existing host already has for ``key``, from itself, its groups or defaults."""
    if key == "platform":
        return host.platform_name
    if key == "school":
        return {"name": host.school.name, "code": host.school.code} if host.school else None
    return getattr(host, key, None)


def _against(host: Host, body: dict[str, Any], merger: _Merger, what: str) -> dict[str, Any]:
    """The part of ``body`` that changes what an existing host already has (its resolved
    values, inherited ones included); differing values are kept unless the merger updates."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "groups":
            new = [g for g in value if g not in host.all_groups]
            if new:
                out[key] = new
        elif key == "data":
            data = {}
            for name, item in value.items():
                if host.data.get(name) is None:
                    data[name] = item
                elif host.data[name] != item:
                    if merger.update and not _is_ref(item):
                        merger.replace(what, ("data", name), host.data[name], item)
                        data[name] = item
                    else:
                        merger.note(what, ("data", name), host.data[name], item)
            if data:
                out[key] = data
        elif key in _SECRET_KEYS or key == "connection_options":
            if key in _SECRET_KEYS and getattr(host, key) is not None:
                merger.kept_refs.add((what, (key,)))
            else:
                out[key] = value
        else:
            current = _effective(host, key)
            if current is None:
                out[key] = value
            elif current != value and merger.update:
                merger.replace(what, (key,), current, value)
                out[key] = value
            elif current != value:
                merger.note(what, (key,), current, value)
    return out


def _read(path: Path, shown: str) -> str | None:
    if not path.exists():
        return None
    try:
        return read_input(path, shown, InventoryError).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InventoryError(f"not UTF-8 text (byte {exc.start})", shown) from None


def _what(section: str, name: str) -> str:
    return {"hosts": f"host '{name}'", "groups": f"group '{name}'"}.get(section, "defaults")


def merge_files(
    draft: Draft, inventory_dir: Path, shown_dir: str, existing: Inventory | None, update: bool = False
) -> tuple[list[FileChange], list[str], list[str]]:
    """The inventory files with the draft merged in, the values kept over the source's, and
    (``update``) the values the source's replaced.

    An existing host gets only what changes its resolved values (``existing``: the inventory
    as loaded before the import): a platform it inherits from its group is not repeated.

    Secret references the inventory already had in a place are kept, and that place's
    reference is dropped from ``draft.secrets`` (nothing new to fill there).
    """
    merger = _Merger(update)
    changes: list[FileChange] = []
    for section, name in FILES:
        shown = f"{shown_dir}/{name}"
        old = _read(inventory_dir / name, shown)
        yaml = _yaml(old or "")
        data = yaml.load(old) if old else None
        if data is None:
            data = CommentedMap()
        if not isinstance(data, CommentedMap):
            raise InventoryError("the file must be a mapping of names to settings", shown, 1)
        change = FileChange(name=name, old=old, new=old or "")
        if section == "defaults":
            entries: dict[str, Entry] = {"": draft.defaults} if draft.defaults else {}
        else:
            entries = getattr(draft, section)
        new: list[Entry] = []
        for entry_name, entry in entries.items():
            what = _what(section, entry_name)
            if section == "defaults":
                if merger.merge(data, entry.body, what):
                    (change.updated if old else change.added).append("defaults")
            elif entry_name in data and isinstance(data[entry_name], CommentedMap):
                body = entry.body
                if section == "hosts" and existing is not None and entry_name in existing.hosts:
                    body = _against(existing.hosts[entry_name], body, merger, what)
                if merger.merge(data[entry_name], body, what):
                    change.updated.append(entry_name)
            elif entry_name in data and data[entry_name] is None:
                data[entry_name] = _node(entry.body)
                change.updated.append(entry_name)
            else:
                new.append(entry)
        text = _dump(yaml, data) if (data or old) else ""
        if old is not None and not change.updated:
            text = old  # untouched: byte for byte
        if new:
            yaml.explicit_start = False
            blocks = [_dump(yaml, CommentedMap([(e.name, _node(e.body))])) for e in new]
            head = f"# --- imported from {draft.source} " + "-" * max(3, 60 - len(draft.source))
            sep = "\n" if text and not text.endswith("\n") else ""
            text = text + sep + ("\n" if text else "") + head + "\n" + "\n".join(blocks)
            change.added = [e.name for e in new]
        change.new = text
        changes.append(change)
    draft.secrets = [
        s for s in draft.secrets if (_what(s.section, s.entry), s.path) not in merger.kept_refs
    ]
    return changes, merger.kept, list(merger.replaced.values())
