"""Checks at the door of the inventory: secrets are references, safe to use where they lead.

- A secret-looking key under ``data:`` (``snmp_password``, ``snmp.community``, ``bot_token``)
  must hold a reference like ``password:`` does, ``{env: NAME}`` or ``{file: PATH}``; the
  reference becomes a ``SecretRef`` in ``Host.data``, so it is shown masked and never read
  unless a task needs it. A plain value is an error with its file and line.
- ``backup_files`` entries must be usable by the backup's shell script (absolute, normal
  paths; globs only of characters the shell does not interpret): ``/etc/$(reboot)/*`` is
  refused when the inventory is loaded, not on the night of the backup.
- With ``check_files`` (``ictops inventory check``), every secret file that exists must be a
  regular file that only its owner can read, or connecting would fail later.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ictops.errors import InputError, InventoryError
from ictops.inventory.schema import SecretRefModel
from ictops.secrets import SecretRef
from ictops.yamlfile import YamlDoc, file_kind

SECRET_KEY = re.compile(
    r"(?i)(?:password|passwd|passphrase|secret|community|token|psk|api[_-]?key|private[_-]?key)$"
)
TYPED_SECRETS = ("password", "enable_secret", "sudo_password")


@dataclass(frozen=True)
class SecretFile:
    """Where a ``{file: PATH}`` reference is written."""

    file: str
    doc: YamlDoc
    path: tuple[Any, ...]
    what: str  # "host 'sw-1'"


class Door:
    """Runs the checks for each inventory entry; collects errors and the secret files seen."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        self.files: list[SecretFile] = []

    def entry(self, model: BaseModel, doc: YamlDoc, base: tuple[Any, ...], what: str, source: str) -> dict[str, Any]:
        """Check one host, group or defaults; returns its ``data`` with SecretRefs."""
        for key in TYPED_SECRETS:
            ref = getattr(model, key)
            if ref is not None and ref.file:
                self.files.append(SecretFile(ref.file, doc, base + (key,), what))
        self._backup_files(model, doc, base, what)
        return self._data(model.data, doc, base + ("data",), (), what, source)  # type: ignore[attr-defined]

    def _backup_files(self, model: BaseModel, doc: YamlDoc, base: tuple[Any, ...], what: str) -> None:
        from ictops.backup.collect import check_pattern  # the backup's own rule, used at the door

        for i, pattern in enumerate(getattr(model, "backup_files", None) or ()):
            problem = check_pattern(pattern)
            if problem:
                self.errors.append(doc.error(base + ("backup_files", i), f"{what}: {problem}", InventoryError))

    def _data(self, value: Any, doc: YamlDoc, path: tuple[Any, ...], keys: tuple[str, ...], what: str, source: str) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                here = (*keys, str(key))
                if isinstance(key, str) and SECRET_KEY.search(key) and item is not None:
                    out[key] = self._ref(item, doc, path + (key,), ".".join(here), what, source)
                else:
                    out[key] = self._data(item, doc, path + (key,), here, what, source)
            return out
        if isinstance(value, list):
            return [self._data(item, doc, path + (i,), keys, what, source) for i, item in enumerate(value)]
        return value

    def _ref(self, value: Any, doc: YamlDoc, path: tuple[Any, ...], key: str, what: str, source: str) -> SecretRef | None:
        try:
            ref = SecretRefModel.model_validate(value)
        except ValidationError:
            self.errors.append(
                doc.error(
                    path,
                    f"{what}: data key '{key}' looks like a secret: write {{env: NAME}} or "
                    "{file: PATH} (a file only you can read) instead of the value",
                    InventoryError,
                )
            )
            return None
        if ref.file:
            self.files.append(SecretFile(ref.file, doc, path, what))
        return SecretRef(env=ref.env, file=ref.file, source=f"{source}, data.{key}")

    def check_files(self, root: Path) -> None:
        """Refuse secret files that are not regular files or that others can read."""
        seen: set[tuple[str, tuple[Any, ...]]] = set()
        for site in self.files:
            if (site.doc.file, site.path) in seen:
                continue
            seen.add((site.doc.file, site.path))
            full = root / site.file
            try:
                mode = os.stat(full).st_mode
            except FileNotFoundError:
                continue  # `inventory check` warns: it may be created later (lab up)
            except OSError as exc:
                self._file_error(site, f"cannot be read ({exc.strerror})")
                continue
            if not stat.S_ISREG(mode):
                self._file_error(site, f"is a {file_kind(mode)}, not a regular file; put the secret in a file, mode 0600")
            elif mode & 0o077:
                self._file_error(site, f"can be read by others (mode {stat.S_IMODE(mode):04o}); run: chmod 600 {full}")

    def _file_error(self, site: SecretFile, problem: str) -> None:
        self.errors.append(site.doc.error(site.path, f"{site.what}: secret file {site.file} {problem}", InventoryError))
