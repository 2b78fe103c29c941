"""Report inputs read from the project's state (the backup store's shared layout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def backups_from_store(backups_dir: Path) -> list[dict[str, Any]]:
    """One dict per host from ``state/backups/<site>/<host>/meta.json``, for ReportData.

    Keys: host, site, platform, taken_at (ISO UTC or None), running_equals_startup (or None).
    A meta.json that cannot be read counts as "never backed up" rather than stopping the report.
    """
    found: list[dict[str, Any]] = []
    if not backups_dir.is_dir():
        return found
    for meta_path in sorted(backups_dir.glob("*/*/meta.json")):
        host_dir = meta_path.parent
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if not isinstance(meta, dict):
            meta = {}
        found.append(
            {
                "host": host_dir.name,
                "site": host_dir.parent.name,
                "platform": meta.get("platform"),
                "taken_at": meta.get("taken_at"),
                "running_equals_startup": meta.get("running_equals_startup"),
            }
        )
    return found
