"""The latest patch listing of each server, kept in ``state/patches/<host>.json``.

Written by whatever read a server's listing for real (``ictops patch list``, a patch step,
the nightly audit's live read of LNX-PATCH-01), read by the director's report: the report
says what the latest real listing said, and when, never more.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ictops import clock
from ictops.backup.files import safe_name, write_atomic
from ictops.facts.patches import PatchListing
from ictops.project import Project

log = logging.getLogger("ictops.patches")


@dataclass(frozen=True)
class StoredListing:
    host: str
    at: str  # UTC, ISO 8601 with Z
    source: str  # "patch list", "patch", "audit"
    run_id: str
    listing: PatchListing


def patches_dir(project: Project) -> Path:
    return project.state_dir / "patches"


def save_listing(project: Project, host: str, listing: PatchListing, source: str, run_id: str,
                 when: dt.datetime | None = None) -> Path:
    """Keep ``listing`` as the host's latest (atomic: a reader sees the old or the new one)."""
    document = {"host": host, "at": clock.stamp(when), "source": source,
                "run_id": run_id, "listing": listing.to_dict()}
    path = patches_dir(project) / f"{safe_name(host)}.json"
    write_atomic(path, (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode(), mode=0o644)
    return path


def latest_listings(project: Project) -> dict[str, StoredListing]:
    """Every server's latest listing, by host name (unreadable files are skipped, logged)."""
    found: dict[str, StoredListing] = {}
    folder = patches_dir(project)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            stored = StoredListing(str(doc["host"]), str(doc["at"]), str(doc.get("source", "")),
                                   str(doc.get("run_id", "")), PatchListing.from_dict(doc["listing"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("patch listings: skipping %s (%s)", path, exc)
            continue
        found[stored.host] = stored
    return found
