"""One audit record: its fields, its canonical bytes, its hash and HMAC.

A record is a flat JSON object on one line. ``hash`` is the SHA-256 of the canonical
JSON (sorted keys, no spaces, UTF-8) of the record without ``hash`` and ``hmac``;
``prev`` is the ``hash`` of the record before it, so editing, deleting, inserting or
reordering a record breaks the chain. ``hmac`` (optional) is HMAC-SHA256 over the same
bytes with a key kept outside the state directory: without the key nobody can forge
a consistent chain.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_lib
import json
from typing import Any

ZERO_HASH = "0" * 64

# Record kinds. "action" is one action on one host; the others belong to the trail itself.
ACTION = "action"
EVENT = "event"  # a run started/ended, a plan approved, a host key trusted...
GENESIS = "genesis"  # first line after a prune: links to the archived tail
RECOVERED = "recovered_after_torn"  # written after a torn line left by a crash
# The event written when an HMAC key signs a trail whose last record is unsigned: it is
# signed itself, names the last unsigned seq, and so pins every record before it.
KEY_ON = "audit.key_on"

FIELDS = (
    "seq", "time", "kind", "run_id", "operator", "process", "step", "host", "action", "status",
    "changed_digest", "summary", "duration", "error_kind", "data", "prev",
)


def canonical(record: dict[str, Any]) -> bytes:
    """The bytes that ``hash`` and ``hmac`` cover: every field except those two."""
    body = {k: v for k, v in record.items() if k not in ("hash", "hmac")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def record_hmac(record: dict[str, Any], key: bytes) -> str:
    return hmac_lib.new(key, canonical(record), hashlib.sha256).hexdigest()


def seal(record: dict[str, Any], key: bytes | None) -> dict[str, Any]:
    """``record`` with ``hash`` (and ``hmac`` when a key is given) filled in."""
    sealed = {k: record.get(k) for k in FIELDS}
    sealed["hash"] = record_hash(sealed)
    if key:
        sealed["hmac"] = record_hmac(sealed, key)
    return sealed


def to_line(record: dict[str, Any]) -> bytes:
    """One JSON line, newline included (the unit of one ``os.write``)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def diff_digest(diff: str | None) -> str | None:
    """SHA-256 of a diff's text: proves what changed without storing it (it may hold secrets)."""
    return hashlib.sha256(diff.encode()).hexdigest() if diff else None


def next_link(record: dict[str, Any]) -> tuple[int, str]:
    """(seq, prev) of the record that follows ``record``.

    A genesis record stands for the archived tail: the record after it continues the
    archived numbering and links to the archived tail's hash (the genesis's own ``prev``).
    """
    if record.get("kind") == GENESIS:
        data = record.get("data") or {}
        return int(data.get("archived_last_seq", 0)) + 1, str(record.get("prev"))
    return int(record["seq"]) + 1, str(record["hash"])


def is_record(value: Any) -> bool:
    """True when ``value`` looks like a sealed record (not whether it verifies)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("seq"), int)
        and isinstance(value.get("hash"), str)
        and isinstance(value.get("prev"), str)
    )
