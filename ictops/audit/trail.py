"""The audit trail writer: append-only, hash-chained JSON Lines (state/audit/trail.jsonl).

Each append is one ``os.write`` of a whole line on an ``O_APPEND`` descriptor, then
``fsync`` (or once per batch), under a per-path thread lock and an ``fcntl.flock`` so
threads and processes can share one trail. A crash can leave at most a torn last line;
the next writer never rewrites it: it ends it with a newline, writes a
``recovered_after_torn`` record naming it (SHA-256 of its bytes) and carries on from the
last valid record. After each append ``head.json`` records the last seq and hash, so
cutting whole records off the end is detected by ``verify``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit.mask import Masker, summarise
from ictops.audit.record import (
    ACTION,
    EVENT,
    KEY_ON,
    RECOVERED,
    ZERO_HASH,
    diff_digest,
    is_record,
    next_link,
    record_hmac,
    seal,
    to_line,
)
from ictops.results import ActionResult

TRAIL_NAME = "trail.jsonl"
HEAD_NAME = "head.json"
_CHUNK = 65536

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def path_lock(path: Path) -> threading.Lock:
    """The one thread lock of this process for the trail at ``path``."""
    key = str(Path(path).resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


@dataclass
class Tail:
    """The end of a trail file: the last valid record and any torn lines after it."""

    size: int = 0
    last: dict[str, Any] | None = None
    torn: list[bytes] = field(default_factory=list)  # lines after ``last`` that are not records
    ends_with_newline: bool = True


def read_tail(fd: int, size: int) -> Tail:
    """Scan backwards from the end of ``fd`` to the last complete, parseable record."""
    tail = Tail(size=size)
    if size == 0:
        return tail
    buffer = b""
    offset = size
    while True:
        start = max(0, offset - _CHUNK)
        buffer = os.pread(fd, offset - start, start) + buffer
        offset = start
        lines = buffer.split(b"\n")
        tail.ends_with_newline = lines[-1] == b""
        # lines[0] may be cut by the chunk boundary unless we reached the start
        complete = lines if offset == 0 else lines[1:]
        if not complete:
            continue
        body, last_piece = complete[:-1], complete[-1]
        torn = [last_piece] if last_piece else []
        for raw in reversed(body):
            parsed = _parse(raw)
            if parsed is not None:
                tail.last, tail.torn = parsed, list(reversed(torn))
                return tail
            torn.append(raw)
        if offset == 0:
            tail.torn = list(reversed(torn))
            return tail


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if is_record(value) else None


def write_head(head_path: Path, record: dict[str, Any], key: bytes | None, sync: bool) -> None:
    """Checkpoint the last seq and hash (atomically: temp file, then rename)."""
    seq, link = next_link(record)
    head: dict[str, Any] = {"seq": seq - 1, "hash": link, "time": record.get("time")}
    if key:
        head["hmac"] = record_hmac(head, key)
    tmp = head_path.with_name(f".{head_path.name}.{os.getpid()}.{threading.get_ident()}")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(head, handle)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(tmp, head_path)


class AuditTrail:
    """Appends records to one trail file. Safe to share between threads and processes.

    ``key``: HMAC key bytes (see ictops.audit.keys.load_key), or None.
    ``head_path``: the checkpoint file; default ``head.json`` next to the trail.
    ``fsync``: fsync (and checkpoint) after every record (True), or only at the end of
    ``batch()``, at ``sync()`` and at ``close()`` (False).
    ``clock``: returns the time to stamp records with (tests; default: now, UTC).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        key: bytes | None = None,
        head_path: str | Path | None = None,
        fsync: bool = True,
        run_id: str | None = None,
        operator: str | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ):
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.head_path = Path(head_path) if head_path else self.path.with_name(HEAD_NAME)
        self.key = key
        self.fsync = fsync
        self.run_id = run_id
        self.operator = operator
        self._lock = path_lock(self.path)
        self._batch_depth = 0
        self._dirty = False
        self._head_pending = False
        self._tail: Tail | None = None
        self._fd = self._open()

    @classmethod
    def in_state(cls, state_dir: str | Path, **kwargs: Any) -> AuditTrail:
        """The project's trail: ``state/audit/trail.jsonl``."""
        return cls(Path(state_dir) / "audit" / TRAIL_NAME, **kwargs)

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)

    def close(self) -> None:
        """Sync (data, then checkpoint) and close."""
        if self._fd >= 0:
            self.sync()
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def batch(self) -> Iterator[AuditTrail]:
        """Append many records with one fsync at the end (a batch of hosts, say)."""
        self._batch_depth += 1
        try:
            yield self
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self.sync()

    def sync(self) -> None:
        """fsync what this handle wrote, then checkpoint the trail's current last record."""
        if not (self._dirty or self._head_pending):
            return
        with self._locked():
            if self._dirty:
                os.fsync(self._fd)
                self._dirty = False
            tail = self._current_tail()
            if self._head_pending and tail.last is not None:
                write_head(self.head_path, tail.last, self.key, sync=True)
            self._head_pending = False

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Thread lock + flock; reopens the file if a prune replaced it meanwhile."""
        with self._lock:
            if self._fd < 0:
                raise ValueError(f"audit trail {self.path} is closed")
            while True:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                try:
                    same = os.fstat(self._fd).st_ino == os.stat(self.path).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    break
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = self._open()
                self._tail = None
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _current_tail(self) -> Tail:
        size = os.fstat(self._fd).st_size
        if self._tail is None or self._tail.size != size:
            self._tail = read_tail(self._fd, size)
        return self._tail

    def _now(self) -> str:
        return clock.stamp(self.clock() if self.clock else None, ms=True)

    def _write(self, record: dict[str, Any], prefix: bytes = b"") -> dict[str, Any]:
        line = prefix + to_line(record)
        written = os.write(self._fd, line)
        if written != len(line):  # disk full: what is there is a torn line
            raise OSError(f"audit trail {self.path}: short write ({written} of {len(line)} bytes)")
        self._dirty = True
        assert self._tail is not None
        self._tail = Tail(size=self._tail.size + len(line), last=record)
        # The checkpoint is written only after the data is on disk: a power cut must never
        # leave head.json ahead of the trail (verify would call that a truncation).
        if self.fsync and self._batch_depth == 0:
            os.fsync(self._fd)
            self._dirty = False
            write_head(self.head_path, record, self.key, sync=True)
        else:
            self._head_pending = True
        return record

    def _link(self) -> tuple[int, str]:
        tail = self._current_tail()
        seq, prev = next_link(tail.last) if tail.last else (1, ZERO_HASH)
        # A key now, an unsigned trail before: the records up to here are pinned by a signed
        # switch-over event (verify accepts an unsigned run only when one follows it).
        switching = bool(self.key and tail.last and not tail.last.get("hmac"))
        if tail.torn:
            recovery = seal(
                {
                    "seq": seq,
                    "time": self._now(),
                    "kind": RECOVERED,
                    "run_id": self.run_id,
                    "operator": self.operator,
                    "action": "audit.recover",
                    "status": "ok",
                    "summary": f"{len(tail.torn)} torn line(s) after seq {seq - 1} left by a crash; "
                    "kept as they are, chain continues from seq " + str(seq - 1),
                    "data": {
                        "torn_after_seq": seq - 1,
                        "torn": [
                            {"sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}
                            for raw in tail.torn
                        ],
                    },
                    "prev": prev,
                },
                None if switching else self.key,
            )
            self._write(recovery, b"" if tail.ends_with_newline else b"\n")
            seq, prev = next_link(recovery)
        if switching:
            key_on = seal(
                {
                    "seq": seq,
                    "time": self._now(),
                    "kind": EVENT,
                    "run_id": self.run_id,
                    "operator": self.operator,
                    "action": KEY_ON,
                    "status": "ok",
                    "summary": f"HMAC key turned on: the records up to seq {seq - 1} were written "
                    f"without it; every record from seq {seq} on is signed",
                    "data": {"unsigned_through_seq": seq - 1},
                    "prev": prev,
                },
                self.key,
            )
            self._write(key_on)
            seq, prev = next_link(key_on)
        return seq, prev

    def append(
        self,
        *,
        action: str,
        status: str,
        host: str | None = None,
        process: int | None = None,
        step: int | None = None,
        summary: str = "",
        diff: str | None = None,
        changed_digest: str | None = None,
        duration: float | None = None,
        error_kind: str | None = None,
        run_id: str | None = None,
        operator: str | None = None,
        kind: str = ACTION,
        data: dict[str, Any] | None = None,
        masker: Masker | None = None,
    ) -> dict[str, Any]:
        """Append one record and return it (with seq, prev, hash). The diff is never stored."""
        fields: dict[str, Any] = {
            "time": self._now(),
            "kind": kind,
            "run_id": run_id or self.run_id,
            "operator": operator or self.operator,
            "process": process,
            "step": step,
            "host": host,
            "action": action,
            "status": str(getattr(status, "value", status)),
            "changed_digest": changed_digest or diff_digest(diff),
            "summary": summarise(summary, masker),
            "duration": round(duration, 3) if duration is not None else None,
            "error_kind": str(getattr(error_kind, "value", error_kind)) if error_kind else None,
            "data": data or None,
        }
        with self._locked():
            seq, prev = self._link()
            return self._write(seal({**fields, "seq": seq, "prev": prev}, self.key))

    def record_result(
        self,
        result: ActionResult,
        *,
        process: int | None,
        step: int | None,
        run_id: str | None = None,
        operator: str | None = None,
        masker: Masker | None = None,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append the record of one ActionResult (message masked, diff only as a digest)."""
        return self.append(
            action=result.action,
            status=result.status.value,
            host=result.host,
            process=process,
            step=step,
            summary=result.message,
            diff=result.diff,
            duration=result.duration,
            error_kind=result.error_kind.value if result.error_kind else None,
            run_id=run_id,
            operator=operator,
            masker=masker,
            data=data,
        )

