"""Verify an audit trail: hashes, HMACs, the chain of ``prev`` links, the checkpoint and
any witnesses.

Detects an edited record (its hash no longer matches, or the next record's ``prev``
does not), a deleted or inserted one (``seq`` jumps, or ``prev`` breaks), a reordered
pair (``seq`` goes back), records cut off the end (``head.json`` names a later record than
the file holds), and - given a witness (ictops.audit.witness) - a trail shorter than, or
different from, what the witness saw. A torn last line left by a crash is reported as torn,
not as tampering; torn lines that a later writer recovered are accepted only if the
``recovered_after_torn`` record's SHA-256 matches their bytes.

With a key, every record must be signed, except the records written before the key was
turned on: a signed ``audit.key_on`` event right after them pins them (its ``prev`` is
their chain's hash). A trail of which nothing is signed yet is noted, not failed: the next
record written records the switch-over.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac as hmac_lib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ictops.audit.record import (
    GENESIS,
    RECOVERED,
    ZERO_HASH,
    is_record,
    next_link,
    record_hash,
    record_hmac,
)
from ictops.audit.signing import Signing
from ictops.audit.witness import Head


@dataclass(frozen=True)
class Problem:
    """One thing wrong, at ``line`` (1-based) of the file; ``seq`` when the line has one."""

    line: int
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (seq {self.seq})" if self.seq is not None else "")
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class TornLine:
    """A line left incomplete by a crash. ``recovered``: a later record accounts for it."""

    line: int
    bytes: int
    recovered: bool


@dataclass
class VerifyReport:
    """What ``verify`` found. ``ok`` is False as soon as one problem is found."""

    path: Path
    records: int = 0
    last_seq: int | None = None
    last_hash: str | None = None
    problems: list[Problem] = field(default_factory=list)
    torn: list[TornLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hmac_checked: bool = False
    head_checked: bool = False
    signed_from: int | None = None  # seq of the first signed record (key given)
    witnessed: list[str] = field(default_factory=list)  # witnesses the trail agrees with

    def problem(self, line: int, seq: int | None, what: str) -> None:
        self.problems.append(Problem(line, seq, what))

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def unrecovered_torn(self) -> list[TornLine]:
        return [t for t in self.torn if not t.recovered]

    def summary(self) -> str:
        """One line for the terminal."""
        if self.problems:
            return f"{self.path}: TAMPERED or damaged: {self.problems[0]}"
        extra = []
        if self.unrecovered_torn:
            extra.append(f"torn last line {self.unrecovered_torn[-1].line} (a crash mid-write)")
        recovered = len(self.torn) - len(self.unrecovered_torn)
        if recovered:
            extra.append(f"{recovered} recovered torn line(s)")
        if self.hmac_checked:
            extra.append("HMAC checked")
        if self.witnessed:
            extra.append(f"{len(self.witnessed)} witness(es) agree")
        tail = f"; {'; '.join(extra)}" if extra else ""
        return f"{self.path}: OK, {self.records} records, last seq {self.last_seq}{tail}"


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if is_record(value) else None


def _claimed_torn(lines: list[bytes], parsed: list[dict[str, Any] | None]) -> dict[int, int]:
    """Lines (index -> index of its recovery record) that a recovery record accounts for."""
    claimed: dict[int, int] = {}
    for j, rec in enumerate(parsed):
        if not rec or rec.get("kind") != RECOVERED:
            continue
        torn = (rec.get("data") or {}).get("torn") or []
        first = j - len(torn)
        if first < 0:
            continue
        shas = [hashlib.sha256(lines[i]).hexdigest() for i in range(first, j)]
        if shas == [t.get("sha256") for t in torn]:
            for i in range(first, j):
                claimed[i] = j
    return claimed


def _link_problem(rec: dict[str, Any], expected_seq: int, expected_prev: str) -> str | None:
    seq, prev = rec["seq"], rec["prev"]
    if seq == expected_seq and prev == expected_prev:
        return None
    if seq > expected_seq:
        return (f"seq jumps from {expected_seq - 1} to {seq}: "
                f"{seq - expected_seq} record(s) deleted before this one")
    if seq < expected_seq:
        return (f"seq {seq} after seq {expected_seq - 1}: records reordered or a record inserted")
    return ("prev does not match the hash of the record before it: that record was edited, "
            "or this one was inserted or replaced")


def verify(
    path: str | Path,
    key: bytes | None = None,
    head_path: str | Path | None = None,
    archive_dir: str | Path | None = None,
    witnesses: Sequence[tuple[str, Head]] = (),
) -> VerifyReport:
    """Check the whole trail at ``path``; see the module docstring for what is detected.

    ``key``: check every record's HMAC (see the module docstring for unsigned records).
    ``head_path``: the checkpoint (default ``head.json`` next to the trail).
    ``archive_dir``: also check that a genesis record's archive exists and links.
    ``witnesses``: (where it came from, the head it saw): the trail must hold that record.
    """
    path = Path(path)
    report = VerifyReport(path=path, hmac_checked=key is not None)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        report.notes.append("no audit trail yet")
        data = b""
    lines = data.split(b"\n")
    unterminated = lines[-1] != b""
    if not unterminated:
        lines = lines[:-1]
    parsed = [_parse(raw) for raw in lines]
    claimed = _claimed_torn(lines, parsed)
    prev_rec: dict[str, Any] | None = None
    pending: list[int] = []  # unparseable, unclaimed lines since the last record
    signing = Signing(key)

    for i, raw in enumerate(lines):
        line_no = i + 1
        if i in claimed:
            report.torn.append(TornLine(line_no, len(raw), recovered=True))
            continue
        rec = parsed[i]
        if unterminated and i == len(lines) - 1:
            pending.append(i)  # a last line without newline is torn whatever it holds
            break
        if rec is None:
            pending.append(i)
            continue
        if pending:
            report.problems.append(Problem(
                pending[0] + 1, None,
                "not a valid audit record (damaged or edited) and no recovery record accounts for it",
            ))
            pending = []
        _check_record(report, rec, line_no, prev_rec)
        signing.see(report, rec, line_no)
        if rec.get("kind") == RECOVERED and prev_rec is not None:
            after = (rec.get("data") or {}).get("torn_after_seq")
            if after != next_link(prev_rec)[0] - 1:
                report.problems.append(Problem(line_no, rec["seq"], "recovery record names the wrong seq"))
        if rec.get("kind") == RECOVERED and not any(v == i for v in claimed.values()):
            report.problems.append(Problem(
                line_no, rec["seq"], "recovery record does not match the torn line(s) before it "
                "(a torn line was edited or removed)"))
        prev_rec = rec
        report.records += 1

    for i in pending:  # unparseable lines at the very end: a crash mid-write
        if unterminated or i < len(lines) - 1:
            report.torn.append(TornLine(i + 1, len(lines[i]), recovered=False))
        else:
            report.problems.append(Problem(i + 1, None, "last line is not a valid audit record (edited)"))

    signing.finish(report)
    if prev_rec is not None:
        seq, link = next_link(prev_rec)
        report.last_seq, report.last_hash = seq - 1, link
    _check_head(report, Path(head_path) if head_path else path.with_name("head.json"), key, lines, parsed)
    genesis = parsed[0] if parsed and parsed[0] and parsed[0].get("kind") == GENESIS else None
    if archive_dir is not None and genesis:
        _check_archive(report, genesis, Path(archive_dir))
    for source, head in witnesses:
        _check_witness(report, source, head, lines, parsed, genesis, archive_dir)
    return report


def _check_record(
    report: VerifyReport, rec: dict[str, Any], line_no: int, prev_rec: dict[str, Any] | None,
) -> None:
    seq = rec["seq"]
    if rec["hash"] != record_hash(rec):
        report.problems.append(Problem(line_no, seq, "record edited: its hash does not match its content"))
    if prev_rec is None:
        if rec.get("kind") == GENESIS:
            data = rec.get("data") or {}
            report.notes.append(
                f"trail starts with a genesis record: seq 1-{data.get('archived_last_seq')} archived "
                f"in {data.get('archive')}"
            )
        elif seq != 1 or rec["prev"] != ZERO_HASH:
            report.problems.append(Problem(
                line_no, seq, "the trail does not start at seq 1 nor with a genesis record: "
                "records deleted at the start"))
        return
    if rec.get("kind") == GENESIS:
        report.problems.append(Problem(line_no, seq, "a genesis record in the middle of the trail"))
        return
    expected_seq, expected_prev = next_link(prev_rec)
    what = _link_problem(rec, expected_seq, expected_prev)
    if what:
        report.problems.append(Problem(line_no, seq, what))


def _check_head(
    report: VerifyReport, head_path: Path, key: bytes | None, lines: list[bytes],
    parsed: list[dict[str, Any] | None],
) -> None:
    try:
        head = json.loads(head_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if report.records:
            report.notes.append(f"no {head_path.name}: records cut off the end cannot be detected")
        return
    except ValueError:
        report.problems.append(Problem(len(lines) + 1, None, f"{head_path.name} is not valid JSON"))
        return
    report.head_checked = True
    if key is not None and not (head.get("hmac") is None and report.signed_from is None):
        mac = head.get("hmac")  # (an unsigned head of a trail not signed yet is fine)
        if not mac or not hmac_lib.compare_digest(str(mac), record_hmac(head, key)):
            report.problems.append(Problem(len(lines) + 1, None, f"{head_path.name} HMAC mismatch: checkpoint forged"))
            return
    head_seq, head_hash = head.get("seq"), head.get("hash")
    last = report.last_seq if report.last_seq is not None else 0
    if not isinstance(head_seq, int):
        report.problems.append(Problem(len(lines) + 1, None, f"{head_path.name} has no seq"))
    elif head_seq > last:
        report.problems.append(Problem(
            len(lines) + 1, None,
            f"trail truncated: {head_path.name} says the last record is seq {head_seq}, "
            f"the file ends at seq {last}"))
    elif head_seq == last and head_hash != report.last_hash:
        report.problems.append(Problem(
            len(lines), last, f"the last record differs from the one {head_path.name} recorded"))
    elif head_seq < last:
        match = next((r for r in parsed if r and r.get("seq") == head_seq and r.get("kind") != GENESIS), None)
        if match is not None and match["hash"] != head_hash:
            report.problems.append(Problem(
                parsed.index(match) + 1, head_seq,
                f"record differs from the one {head_path.name} recorded"))
        else:
            report.notes.append(
                f"{head_path.name} lags behind (seq {head_seq} < {last}): a writer stopped "
                "between writing a record and its checkpoint")


def _check_archive(report: VerifyReport, genesis: dict[str, Any], archive_dir: Path) -> None:
    data = genesis.get("data") or {}
    archive = archive_dir / str(data.get("archive"))
    if not archive.is_file():
        report.problems.append(Problem(1, genesis["seq"], f"archive {archive} named by the genesis record is missing"))
        return
    raw = archive.read_bytes()
    if hashlib.sha256(raw).hexdigest() != data.get("archive_sha256"):
        report.problems.append(Problem(1, genesis["seq"], f"archive {archive.name} was changed after archiving"))
        return
    last = None
    for line in gzip.decompress(raw).split(b"\n"):
        rec = _parse(line)
        if rec is not None:
            last = rec
    if last is None or next_link(last) != (genesis["seq"] + 1, genesis["prev"]):
        report.problems.append(Problem(1, genesis["seq"], f"genesis does not link to the tail of {archive.name}"))


def _check_witness(
    report: VerifyReport, source: str, head: Head, lines: list[bytes],
    parsed: list[dict[str, Any] | None], genesis: dict[str, Any] | None,
    archive_dir: str | Path | None,
) -> None:
    """The trail must hold the record ``source`` saw as its head, unchanged."""
    saw = f"{source} saw seq {head.seq} (hash {head.hash[:12]}...)"
    end = len(lines) + 1
    if report.records == 0:
        report.problems.append(Problem(end, None, f"{saw}, but there is no trail: it was deleted"))
        return
    last = report.last_seq or 0
    if head.seq > last:
        report.problems.append(Problem(
            end, None, f"trail shorter than its witness: {saw}, the trail ends at seq {last}: "
            f"{head.seq - last} record(s) cut off the end"))
        return
    for i, rec in enumerate(parsed):
        if rec and rec.get("kind") != GENESIS and rec.get("seq") == head.seq:
            if rec["hash"] == head.hash:
                report.witnessed.append(f"{source}: seq {head.seq}")
            else:
                report.problems.append(Problem(
                    i + 1, head.seq, f"record differs from what its witness saw: {saw}; "
                    "the trail was rewritten from here (or before)"))
            return
    archived = _archived_hash(genesis, head.seq, archive_dir)
    if archived is None:
        report.notes.append(f"{saw}: that record is archived; give the archive to check it")
    elif archived == head.hash:
        report.witnessed.append(f"{source}: seq {head.seq} (archived)")
    else:
        report.problems.append(Problem(
            1, head.seq, f"archived record differs from what its witness saw: {saw}"))


def _archived_hash(
    genesis: dict[str, Any] | None, seq: int, archive_dir: str | Path | None
) -> str | None:
    """The hash of archived record ``seq`` (None when it cannot be read)."""
    if genesis is None:
        return None
    data = genesis.get("data") or {}
    if seq == data.get("archived_last_seq"):
        return str(genesis.get("prev"))
    if archive_dir is None:
        return None
    try:
        raw = gzip.decompress((Path(archive_dir) / str(data.get("archive"))).read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    for line in raw.split(b"\n"):
        rec = _parse(line)
        if rec is not None and rec.get("kind") != GENESIS and rec["seq"] == seq:
            return str(rec["hash"])
    return None
