"""Judge an import with the inventory's own loader, and send its errors back to the source.

The merged files are written to a temporary directory and loaded by ``load_inventory``, the
very code every ictops command uses: there is no second set of rules. Each error the loader
reports at a line of a merged file is traced to the key written there, and from the key to the
row and column (or line) of the source it came from.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ictops.errors import InputError, InputErrors, InventoryError
from ictops.inventory.importers.draft import Draft, Entry
from ictops.inventory.importers.merge import FILES, FileChange
from ictops.inventory.inventory import Inventory
from ictops.inventory.loader import load_inventory
from ictops.yamlfile import load_yaml


def _errors(exc: InputError) -> list[InputError]:
    return list(exc.errors) if isinstance(exc, InputErrors) else [exc]


def _line_paths(path: Path, shown: str) -> dict[int, list[tuple[Any, ...]]]:
    doc = load_yaml(path, shown, InventoryError)
    doc.line(())  # computes every path's line
    by_line: dict[int, list[tuple[Any, ...]]] = {}
    for key_path, line in doc.lines.items():
        by_line.setdefault(line, []).append(key_path)
    return by_line


def _entries(draft: Draft, section: str) -> dict[str, Entry]:
    if section == "defaults":
        return {"": draft.defaults} if draft.defaults else {}
    return getattr(draft, section)


def _trace(error: InputError, draft: Draft, lines: dict[str, dict[int, list[tuple[Any, ...]]]], shown_dir: str) -> InputError:
    """The loader's error at the source's row/column or line, when the key came from it."""
    name = Path(error.file or "").name
    section = next((s for s, f in FILES if f == name), None)
    if section is None or error.line is None:
        return error
    entries = _entries(draft, section)
    for path in sorted(lines[name].get(error.line, []), key=len, reverse=True):
        entry_name, rest = ("", path) if section == "defaults" else (path[0], path[1:])
        entry = entries.get(entry_name) if path or section == "defaults" else None
        if entry is not None:
            return entry.spot_of(rest).error(error.message)
    return InventoryError(error.message, f"{shown_dir}/{name} (as the import would write it)", error.line)


def validate(changes: list[FileChange], draft: Draft, shown_dir: str) -> tuple[list[InputError], Inventory | None]:
    """The loader's verdict on the merged inventory: its errors, or the inventory it loads."""
    errors: list[InputError] = []
    with tempfile.TemporaryDirectory(prefix="ictops-import-") as tmp:
        root = Path(tmp)
        inventory = root / "inventory"
        inventory.mkdir()
        for change in changes:
            if change.new:
                (inventory / change.name).write_text(change.new, encoding="utf-8")
        try:
            return [], load_inventory(inventory, root)
        except InputError as exc:
            lines = {c.name: _line_paths(inventory / c.name, c.name) for c in changes if c.new}
            errors = _errors(exc)
    return [_trace(e, draft, lines, shown_dir) for e in errors], None
