"""group_vars/ and host_vars/ beside an Ansible inventory, read into its tree.

As Ansible reads them: ``group_vars/<group>`` as a file (``<group>``, ``.yml``, ``.yaml``) or a
directory of such files (in name order), the same for ``host_vars/<host>``; their variables win
over those written in the inventory file. A file encrypted with Ansible Vault, or a ``!vault``
value in one, is refused with its line like in the inventory itself.
"""

from __future__ import annotations

from pathlib import Path

from ictops.errors import InputError
from ictops.inventory.importers.ansible import Node, Tree, refuse_vault
from ictops.inventory.importers.draft import Spot
from ictops.yamlfile import load_yaml, read_input

SUFFIXES = ("", ".yml", ".yaml")


def _files(directory: Path, name: str) -> list[Path]:
    found = [directory / f"{name}{s}" for s in SUFFIXES if (directory / f"{name}{s}").is_file()]
    folder = directory / name
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES)
    return found


def _read(path: Path, shown: str, node: Node) -> None:
    refuse_vault(read_input(path, shown, InputError).decode("utf-8", "replace"), shown)
    doc = load_yaml(path, shown, InputError)
    if doc.data is None:
        return
    if not isinstance(doc.data, dict):
        raise InputError("a vars file is a mapping of variable names to values", shown, 1)
    for var, value in doc.data.items():
        node.vars[str(var)] = (value, Spot(shown, doc.line((var,))))


def read_vars_dirs(tree: Tree, inventory: Path, shown: str) -> list[str]:
    """Add group_vars/ and host_vars/ next to ``inventory`` to the tree; the files read."""
    base, shown_base = inventory.parent, str(Path(shown).parent)
    read = []
    for kind, nodes in (("group_vars", tree.groups), ("host_vars", tree.hosts)):
        directory = base / kind
        if not directory.is_dir():
            continue
        for name, node in nodes.items():
            for path in _files(directory, name):
                relative = path.relative_to(base).as_posix()
                where = relative if shown_base in ("", ".") else f"{shown_base}/{relative}"
                _read(path, where, node)
                read.append(where)
    return read
