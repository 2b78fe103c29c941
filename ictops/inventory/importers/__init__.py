"""``ictops inventory import``: bring the district in from what the office already has.

Sources: an asset register (CSV or Excel .xlsx, ``register.py``), an Ansible inventory (YAML or
INI, ``ansible.py``), a Nornir SimpleInventory (``nornir.py``). Each becomes a ``Draft``
(``draft.py``); the draft is merged into inventory/*.yaml keeping what people wrote
(``merge.py``) and the result is judged by the inventory's own loader, its errors traced back to
the source (``check.py``). Nothing is written unless the whole result loads; secrets are never
written (``refs.py``).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ictops.errors import InputError, InputErrors, InventoryError
from ictops.inventory.importers.check import validate
from ictops.inventory.importers.draft import Draft, error_order
from ictops.inventory.importers.mapping import Mapping, load_mapping
from ictops.inventory.importers.merge import FileChange, merge_files
from ictops.inventory.inventory import Inventory

KINDS = ("csv", "xlsx", "ansible-yaml", "ansible-ini", "nornir")


def detect(source: Path, shown: str) -> str:
    """The kind of a source, from its name (and, for YAML, its shape)."""
    if source.is_dir():
        if (source / "hosts.yaml").exists():
            return "nornir"
        raise InputError("a directory to import is a Nornir SimpleInventory: it needs hosts.yaml", shown)
    suffix = source.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".xls", ".ods"):
        raise InputError(f"ictops reads .xlsx and .csv; save this {suffix} file as .xlsx or 'CSV UTF-8'", shown)
    if suffix in (".yaml", ".yml"):
        return "ansible-yaml"
    if suffix in (".ini", ".cfg", "", ".hosts", ".inventory"):
        return "ansible-ini"
    raise InputError(f"cannot tell what kind of file this is; say it with --from ({', '.join(KINDS)})", shown)


def read_draft(source: Path, shown: str, kind: str, mapping: Mapping, sheet: str | None, secrets: str) -> Draft:
    """The draft of one source (its errors collected in ``draft.errors`` or raised)."""
    if kind in ("csv", "xlsx"):
        from ictops.inventory.importers.register import draft_from_table
        from ictops.inventory.importers.table import read_csv, read_xlsx

        table = read_csv(source, shown) if kind == "csv" else read_xlsx(source, shown, sheet or mapping.sheet)
        return draft_from_table(table, mapping, kind)
    if kind in ("ansible-yaml", "ansible-ini"):
        from ictops.inventory.importers.ansible import draft_from_tree, read_yaml_tree
        from ictops.inventory.importers.ansible_ini import read_ini_tree

        from ictops.inventory.importers.ansible_vars import read_vars_dirs

        tree = read_yaml_tree(source, shown) if kind == "ansible-yaml" else read_ini_tree(source, shown)
        files = read_vars_dirs(tree, source, shown)
        draft = draft_from_tree(tree, mapping.rules, kind, secrets)
        if files:
            draft.notes.insert(0, f"variables also read from {', '.join(files)}")
        return draft
    from ictops.inventory.importers.nornir import draft_from_nornir

    if not source.is_dir():
        raise InputError("a Nornir SimpleInventory is imported from its directory (hosts.yaml, groups.yaml, defaults.yaml)", shown)
    return draft_from_nornir(source, shown, mapping.rules, secrets)


@dataclass
class ImportPlan:
    """What an import would do: the files before and after, and what the officer must know."""

    draft: Draft
    changes: list[FileChange]
    inventory: Inventory  # the inventory as it will be, loaded
    kept: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # --update: values the source's overwrote

    def platforms(self) -> Counter[str]:
        """The imported hosts by platform (inherited ones included)."""
        return Counter(self.inventory.hosts[n].platform_name for n in self.draft.hosts)


def _raise(errors: list[InputError]) -> None:
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)


def _has_hosts(path: Path) -> bool:
    """Whether hosts.yaml holds anything but comments (an empty one is a start, not an error)."""
    if not path.exists():
        return False
    from ictops.yamlfile import read_input

    text = read_input(path, str(path), InventoryError).decode("utf-8", "replace")
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def plan_import(
    source: Path,
    shown: str,
    inventory_dir: Path,
    project_root: Path,
    *,
    kind: str | None = None,
    mapping_file: Path | None = None,
    sheet: str | None = None,
    secrets: str = "file",
    update: bool = False,
) -> ImportPlan:
    """Read a source and merge it into the inventory, in memory; raises InputError(s)."""
    from ictops.inventory.loader import load_inventory

    if not source.exists():
        raise InputError("file not found", shown)
    kind = kind or detect(source, shown)
    mapping = load_mapping(mapping_file, str(mapping_file) if mapping_file else None)
    draft = read_draft(source, shown, kind, mapping, sheet, secrets)
    if not draft.hosts and not draft.groups and draft.defaults is None:
        _raise(draft.errors)
        raise InputError("nothing to import: no host in it that ictops manages", shown)
    shown_dir = "inventory"
    existing = None
    if _has_hosts(inventory_dir / "hosts.yaml"):
        try:
            existing = load_inventory(inventory_dir, project_root)
        except InputError as exc:
            raise InventoryError(
                f"the inventory has errors already; fix them first (ictops inventory check):\n{exc}"
            ) from None
    changes, kept, replaced = merge_files(draft, inventory_dir, shown_dir, existing, update)
    # the rows the importer refused and what the loader refuses in the others, in one list
    errors, inventory = validate(changes, draft, shown_dir)
    _raise(sorted(draft.errors + errors, key=error_order))
    assert inventory is not None
    return ImportPlan(draft=draft, changes=changes, inventory=inventory, kept=kept, replaced=replaced)


def write_plan(plan: ImportPlan, inventory_dir: Path) -> list[str]:
    """Write the changed files, each atomically (a new file renamed over the old)."""
    inventory_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for change in plan.changes:
        if not change.changed:
            continue
        target = inventory_dir / change.name
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        fd, tmp = tempfile.mkstemp(prefix=f".{change.name}.", dir=inventory_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(change.new)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(change.name)
    return written
