"""The office's settings: the keys of ``data:`` in inventory/defaults.yaml that ictops itself reads.

``data:`` of defaults.yaml is also every host's inherited data (template variables and the
like), so keys ictops does not know are left to the hosts; a key that is *almost* a setting
name is refused with a suggestion, because a misspelt setting would otherwise be silently
ignored. Values are checked with a pydantic model; errors are one line, ``file:line``, exit 2.

Loaded once per project and file content (``load_settings``); add a setting as one field
of ``SettingsModel`` with a comment, and document it in docs/settings.md.
"""

from __future__ import annotations

import difflib
import threading
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ictops.errors import InputError, InputErrors
from ictops.project import Project
from ictops.validation import pydantic_errors
from ictops.yamlfile import load_yaml

DEFAULTS_FILE = "defaults.yaml"


class SettingsError(InputError):
    """A setting in inventory/defaults.yaml is invalid."""


class SettingsModel(BaseModel):
    """Settings under ``data:`` in inventory/defaults.yaml (other keys there are host data)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    office: str | None = Field(default=None, min_length=1)  # the office named on reports
    catalogue: str | None = Field(default=None, min_length=1)  # the office's own manual file
    audit_key_file: str | None = Field(default=None, min_length=1)  # HMAC key of the trail
    # a playbook that says `routine: true` but is not in team.yaml's routine register:
    # refuse it (exit 2), or run it and flag its records (routine_unregistered: flag)
    routine_unregistered: Literal["refuse", "flag"] = "refuse"
    # the director's report drafts a repair request for a host unreachable this many nights
    # in a row (docs/schedule.md, "Catch-up")
    unreachable_nights: int = Field(default=3, ge=1, le=60)
    # seconds after which apt's package lists are refreshed (apt-get update, at most once per
    # run and host) before a package or patch step plans; 0: every run
    apt_cache_age: int = Field(default=3600, ge=0)


Settings = SettingsModel
_KNOWN = list(SettingsModel.model_fields)
_cache: dict[tuple[str, int, int], Settings] = {}
_cache_lock = threading.Lock()


def load_settings(project: Project) -> Settings:
    """The project's settings (defaults when defaults.yaml or its ``data:`` is absent)."""
    path = project.inventory_dir / DEFAULTS_FILE
    try:
        stat = path.stat()
    except OSError:
        return SettingsModel()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    settings = _load(path, project.relative(path))
    with _cache_lock:
        _cache[key] = settings
    return settings


def _load(path: Path, shown: str) -> Settings:
    doc = load_yaml(path, shown, SettingsError)
    data: Any = doc.data.get("data") if isinstance(doc.data, dict) else None
    if data is None:
        return SettingsModel()
    if not isinstance(data, dict):
        raise doc.error(("data",), "data: must be a mapping (key: value lines)", SettingsError)
    for key in data:
        close = difflib.get_close_matches(str(key), _KNOWN, n=1, cutoff=0.85)
        if close and close[0] != key:
            raise doc.error(("data", key), f"settings: unknown key '{key}' (did you mean "
                            f"'{close[0]}'?); settings are {', '.join(_KNOWN)}", SettingsError)
    try:
        return SettingsModel.model_validate(data)
    except ValidationError as exc:
        found = pydantic_errors(exc, SettingsModel, doc, ("data",), "settings", SettingsError)
        raise (found[0] if len(found) == 1 else InputErrors(found)) from None
