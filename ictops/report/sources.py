"""Report inputs read from the project's state: backup freshness and pending patches.

Backup freshness is the time of the last *successful* backup, changed or not: the backup
store's status file (``state/backups.status.json``, ``last_seen``), not the time the
configuration last changed (``meta.json`` ``taken_at``, which a switch that never changes keeps
for months). A host the status file does not know yet falls back to ``taken_at``; a host of the
inventory with neither was never backed up.

Pending patches come from each server's latest real patch listing (``ictops patch list``, a
patch step, the nightly audit's live read: state/patches/, ictops/patchlog.py) with every
update (security first), held packages and reboot need; where an LNX-PATCH-01 result is newer
than the listing, or there is no listing, from that result: PASS is none, FAIL is pending (the
count the rule found). Anything that cannot tell - a listing with doubts, WARN, ERROR, a rule
never checked - is *unknown*, with the reason.
"""

from __future__ import annotations

import json
import re
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.backup.store import BackupStore
from ictops.compliance.evaluate import LIVE_NEEDED
from ictops.compliance.verdicts import Verdict
from ictops.facts.patches import STALE_LISTS
from ictops.patchlog import StoredListing
from ictops.report.model import PendingPatches
from ictops.report.scores import PATCH_RULE, Scores

# Why a patch state is unknown, for the director (the rule's own messages are English).
UNKNOWN_REASONS = {
    "th": {
        LIVE_NEEDED: "ยังไม่ได้ตรวจกับเครื่องโดยตรง (ต้องตรวจด้วย ictops audit --live-rules)",
        "no apt update in the last 30 days": "ไม่ได้ปรับปรุงระบบ (apt) มาเกิน 30 วัน จึงบอกไม่ได้ว่ามีแพตช์ค้างหรือไม่",
        "never": "ยังไม่เคยตรวจ",
        "no_evidence": "ข้อมูลที่เก็บจากเครื่องไม่มีประวัติการปรับปรุงระบบที่ใช้ตรวจ",
        "other": "ตรวจไม่ได้ (ดูผลการตรวจด้วย ictops audit)",
        "apt_error": "apt ทำงานไม่สำเร็จ จึงบอกไม่ได้ว่ามีแพตช์ค้างหรือไม่",
        "no_security_source": "ไม่มีแหล่งแพตช์ความปลอดภัยในแหล่งของ apt จึงแยกแพตช์ความปลอดภัยไม่ได้",
        "no_lists": "apt ยังไม่มีรายการแพ็กเกจ (ไม่เคย apt-get update)",
        "stale_lists": "รายการแพ็กเกจของ apt เก่า {days} วัน อาจไม่เห็นแพตช์ใหม่",
    },
    "en": {
        LIVE_NEEDED: "not checked on the device yet (needs ictops audit --live-rules)",
        "no apt update in the last 30 days": "no apt update for over 30 days, so pending updates are not known",
        "never": "never checked",
        "no_evidence": "the evidence holds no update history to check",
        "other": "could not be checked",
        "apt_error": "apt refused to simulate, so pending updates are not known",
        "no_security_source": "no security source in apt's sources: security fixes cannot be told",
        "no_lists": "apt has no package lists (never apt-get update)",
        "stale_lists": "apt's lists are {days} days old: newer updates may be missing",
    },
}


def backups_from_store(
    backups_dir: Path, hosts: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """One dict per host for ReportData: host, last_good (ISO UTC or None),
    running_equals_startup (or None), last_failure_at. ``hosts``: the inventory's hosts, so
    that one never backed up shows as such. Unreadable files count as "never backed up"."""
    status = BackupStore(backups_dir).status() if backups_dir.exists() else {}
    metas: dict[str, dict[str, Any]] = {}
    for meta_path in sorted(backups_dir.glob("*/*/meta.json")) if backups_dir.is_dir() else []:
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if not isinstance(meta, dict):
            meta = {}
        metas[str(meta.get("host") or meta_path.parent.name)] = meta
    found = []
    for name in sorted(set(hosts) | set(status) | set(metas)):
        entry, meta = status.get(name) or {}, metas.get(name) or {}
        equal = entry.get("running_equals_startup", meta.get("running_equals_startup"))
        found.append({
            "host": name,
            "last_good": entry.get("last_seen") or meta.get("taken_at"),
            "running_equals_startup": equal,
            "last_failure_at": entry.get("last_failure_at"),
        })
    return found


def patch_states(
    scores: Scores | None, servers: Iterable[str], lang: str,
    listings: Mapping[str, StoredListing] | None = None, until: dt.datetime | None = None,
) -> list[PendingPatches]:
    """Each server's pending updates: from its latest real listing (``listings``, from
    ictops.patchlog.latest_listings; those after ``until`` ignored) or its latest LNX-PATCH-01
    result, whichever is newer."""
    reasons = UNKNOWN_REASONS["th" if lang == "th" else "en"]
    latest = {}
    for host in scores.hosts if scores else ():
        result = host.results.get(PATCH_RULE)
        if result is not None and (host.host not in latest or latest[host.host].audit.time <= result.audit.time):
            latest[host.host] = result
    read = {}
    for name, stored in (listings or {}).items():
        when = clock.parse_stored(stored.at)
        if until is None or when <= until:
            read[name] = (when, stored)
    states = []
    for name in sorted(set(servers) | set(latest) | set(read)):
        result = latest.get(name)
        if name in read and (result is None or result.audit.time <= read[name][0]):
            states.append(_from_listing(name, *read[name], reasons))
        elif result is None:
            states.append(PendingPatches(name, "unknown", reason=reasons["never"]))
        elif result.status == Verdict.PASS:
            states.append(PendingPatches(name, "none", 0, checked_at=result.audit.time))
        elif result.status == Verdict.FAIL:
            count = re.fullmatch(r"\s*(\d+)\s*", result.evidence)
            states.append(PendingPatches(name, "pending", int(count.group(1)) if count else None,
                                         checked_at=result.audit.time))
        elif result.status == Verdict.NA:
            continue  # not a Debian-like server: the rule does not apply
        else:
            reason = _unknown_reason(result.message, lang)
            states.append(PendingPatches(name, "unknown", reason=reason,
                                         checked_at=result.audit.time))
    return states


def _from_listing(name: str, when: dt.datetime, stored: StoredListing,
                  reasons: Mapping[str, str]) -> PendingPatches:
    """What a real listing said: every update (security first), held, reboot; unknown with
    why when the listing cannot tell (its counts are then not a zero to trust)."""
    listing = stored.listing
    doubts = []
    if listing.error:
        doubts.append(reasons["apt_error"])
    if not listing.security_sources:
        doubts.append(reasons["no_security_source"])
    if listing.lists_age is None:
        doubts.append(reasons["no_lists"])
    elif listing.lists_age > STALE_LISTS:
        doubts.append(reasons["stale_lists"].format(days=round(listing.lists_age / 86400)))
    state = "unknown" if doubts else "pending" if listing.updates else "none"
    return PendingPatches(
        name, state, len(listing.updates), reason="; ".join(doubts), checked_at=when,
        security=len(listing.security),
        updates=tuple(f"{p.name} {p.current or '-'} -> {p.security or p.candidate}"
                      + (" [security]" if p.security else "") for p in listing.ordered),
        held=listing.held,
        reboot=(listing.reboot.packages or ("system",)) if listing.reboot.required else None,
    )


def _unknown_reason(message: str, lang: str) -> str:
    """Why LNX-PATCH-01 could not tell, in the report's language (never raw English in Thai)."""
    reasons = UNKNOWN_REASONS["th" if lang == "th" else "en"]
    if message in reasons:
        return reasons[message]
    if message.startswith("no ") and message.endswith(" in the evidence"):
        return reasons["no_evidence"]
    return reasons["other"] if lang == "th" else f"{reasons['other']}: {message}"
