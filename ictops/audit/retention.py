"""Retention: archive old audit records, never drop them silently, never before 90 days.

The Computer Crime Act B.E. 2550 s.26 requires computer traffic data to be kept for
at least 90 days, so ``prune`` refuses a retention shorter than that. Records older
than the retention move, unchanged, to a gzip JSON Lines archive named by their date
range; the live trail restarts with a ``genesis`` record that carries the hash of the
archived tail (and the archive's own SHA-256), so verification still links.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit.record import (
    GENESIS,
    is_record,
    next_link,
    seal,
    to_line,
)
from ictops.audit.trail import path_lock, write_head
from ictops.audit.verify import verify
from ictops.errors import InputError

MIN_KEEP_DAYS = 90  # Computer Crime Act B.E. 2550, s.26


class RetentionError(InputError):
    """A prune that the law or the trail's state does not allow."""


@dataclass(frozen=True)
class PruneResult:
    archived: int  # records moved to the archive
    kept: int  # records left in the live trail (genesis excluded)
    archive: Path | None  # the archive written, None when nothing was old enough


def prune(
    path: str | Path,
    keep_days: int,
    archive_dir: str | Path,
    now: dt.datetime | None = None,
    key: bytes | None = None,
    head_path: str | Path | None = None,
    operator: str | None = None,
) -> PruneResult:
    """Move records older than ``keep_days`` to ``archive_dir``; the rest stay, unchanged.

    Refuses ``keep_days`` < 90 and a trail that does not verify (archiving would
    hide the evidence).
    """
    if keep_days < MIN_KEEP_DAYS:
        raise RetentionError(
            f"retention of {keep_days} days refused: the Computer Crime Act B.E. 2550 s.26 requires "
            f"keeping computer traffic data at least {MIN_KEEP_DAYS} days; set keep_days >= {MIN_KEEP_DAYS}"
        )
    path = Path(path)
    archive_dir = Path(archive_dir)
    now = now or clock.now()
    cutoff = now - dt.timedelta(days=keep_days)
    with path_lock(path):
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            report = verify(path, key=key, head_path=head_path)
            if not report.ok:
                raise RetentionError(
                    f"{path}: the trail does not verify ({report.first_problem}); "
                    "investigate before archiving anything"
                )
            lines = path.read_bytes().split(b"\n")
            ends_with_newline = lines[-1] == b""
            body = lines[:-1] if ends_with_newline else lines
            cut = _cut(body, cutoff, ends_with_newline)
            if cut == 0:
                return PruneResult(0, report.records, None)
            old = body[:cut]
            records = [r for r in (_parse(x) for x in old) if r is not None]
            archive = _write_archive(archive_dir, old, records)
            genesis = _genesis(records, archive, now, keep_days, key, operator)
            rest = body[cut:]
            tail = b"\n".join(rest) + (b"\n" if rest and ends_with_newline else b"")
            _replace(path, to_line(genesis) + tail)
            if not [r for r in (_parse(x) for x in rest) if r is not None]:
                write_head(Path(head_path) if head_path else path.with_name("head.json"), genesis, key, True)
            kept = sum(1 for x in rest if _parse(x) is not None)
            return PruneResult(len(records), kept, archive)
        finally:
            os.close(fd)  # releases the flock; writers see the new inode and reopen


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if is_record(value) else None


def _cut(body: list[bytes], cutoff: dt.datetime, ends_with_newline: bool) -> int:
    """Number of leading lines to archive: up to the last record older than ``cutoff``.

    The cut always falls just after a record, so torn lines stay with their recovery record.
    """
    cut = 0
    for i, raw in enumerate(body):
        if i == len(body) - 1 and not ends_with_newline:
            break  # never archive a torn last line
        rec = _parse(raw)
        if rec is None:
            continue
        if clock.parse_stored(rec["time"]) >= cutoff:
            break
        cut = i + 1
    return cut


def _write_archive(archive_dir: Path, old: list[bytes], records: list[dict[str, Any]]) -> Path:
    archive_dir.mkdir(parents=True, exist_ok=True)
    first, last = records[0], records[-1]
    day = lambda r: clock.parse_stored(r["time"]).strftime("%Y%m%d")
    name = f"trail-{day(first)}-{day(last)}-seq{first['seq']}-{last['seq']}.jsonl.gz"
    target = archive_dir / name
    tmp = archive_dir / f".{name}.tmp"
    # mtime=0: the same records always give the same bytes (and the same SHA-256)
    payload = gzip.compress(b"".join(x + b"\n" for x in old), mtime=0)
    with open(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return target


def _genesis(
    records: list[dict[str, Any]], archive: Path, now: dt.datetime, keep_days: int,
    key: bytes | None, operator: str | None,
) -> dict[str, Any]:
    next_seq, link = next_link(records[-1])
    first = records[0]
    first_seq = (first.get("data") or {}).get("archived_first_seq", 1) if first.get("kind") == GENESIS else first["seq"]
    return seal(
        {
            "seq": next_seq - 1,
            "time": clock.stamp(now, ms=True),
            "kind": GENESIS,
            "operator": operator,
            "action": "audit.prune",
            "status": "ok",
            "summary": f"records seq {first_seq}-{next_seq - 1} older than {keep_days} days archived "
            f"to {archive.name}",
            "data": {
                "archive": archive.name,
                "archive_sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
                "archived_first_seq": first_seq,
                "archived_last_seq": next_seq - 1,
                "archived_records": len(records),
                "archived_from": first["time"],
                "archived_until": records[-1]["time"],
                "keep_days": keep_days,
            },
            "prev": link,
        },
        key,
    )


def _replace(path: Path, text: bytes) -> None:
    tmp = path.with_name(f".{path.name}.prune")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    try:
        os.write(fd, text)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
