"""Witnesses of the audit trail: the chain head (seq and hash), kept outside state/.

A hash chain proves that nothing inside it was changed, not how long it was: whoever can
write state/ can cut records off the end and restore an older head.json, or delete both.
So ictops hands the chain head to places that person cannot reach - every notification,
every report, optionally the office's syslog server (ictops.audit.syslog) - and ``ictops
log verify --witness FILE`` checks the trail against any of them: it must still hold the
record the witness saw, unchanged. docs/audit-trail.md says what is detectable with and
without one.

The head is written as one line that survives mail, chat, HTML and PDF text::

    ictops trail head: seq 1234 hash 3f5a...(64 hex digits)
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ictops.audit.record import next_link
from ictops.errors import InputError

HEAD_LINE = re.compile(r"ictops trail head: seq (\d+) hash ([0-9a-f]{64})")
MAX_WITNESS_BYTES = 50 * 1024 * 1024  # a report PDF with attachments stays far below
PDFTOTEXT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Head:
    """The last record of the trail as someone saw it: its seq and hash (and time)."""

    seq: int
    hash: str
    time: str | None = None

    def line(self) -> str:
        """The witness line (ASCII: survives every channel)."""
        return f"ictops trail head: seq {self.seq} hash {self.hash}"

    def line_th(self) -> str:
        """What the line is for, in Thai, for the people who keep it."""
        return (
            "หลักฐานความครบถ้วนของบันทึกการปฏิบัติงาน (เก็บไว้ ใช้ตรวจด้วย "
            "ictops log verify --witness)"
        )

    def to_dict(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "time": self.time}


def head_of(record: dict[str, object]) -> Head:
    """The head a trail ending with ``record`` has (the convention of head.json)."""
    seq, link = next_link(record)  # type: ignore[arg-type]
    return Head(seq - 1, link, str(record.get("time") or "") or None)


def trail_head(path: str | Path) -> Head | None:
    """The head of the trail at ``path`` now (its last valid record), None when empty."""
    from ictops.audit.trail import read_tail  # trail.py imports this module's users

    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        tail = read_tail(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)
    return head_of(tail.last) if tail.last else None


def read_witness(path: str | Path) -> list[Head]:
    """Every head a witness file holds: a notification (.eml, .txt, a webhook's JSON), a
    report (HTML or PDF), or a saved head (head.json, ``ictops log head --json``).

    InputError when the file cannot be read or holds no head.
    """
    path = Path(path)
    try:
        if not path.is_file():
            raise InputError(f"witness {path}: not a file; give a notification, a report or a saved head")
        if path.stat().st_size > MAX_WITNESS_BYTES:
            raise InputError(f"witness {path}: larger than {MAX_WITNESS_BYTES // 2**20} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"witness {path}: cannot be read ({exc.strerror})") from None
    heads = _saved_head(raw) or _heads_in(_text_of(raw, path))
    if not heads:
        raise InputError(
            f"witness {path}: holds no trail head (a line 'ictops trail head: seq N hash H', or "
            "a saved head.json); give a notification, a report or `ictops log head --json` output"
        )
    return heads


def _saved_head(raw: bytes) -> list[Head]:
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    if isinstance(value, dict) and isinstance(value.get("seq"), int) and isinstance(value.get("hash"), str):
        if re.fullmatch(r"[0-9a-f]{64}", value["hash"]):
            return [Head(value["seq"], value["hash"], value.get("time"))]
    return []


def _heads_in(text: str) -> list[Head]:
    seen: dict[tuple[int, str], Head] = {}
    for match in HEAD_LINE.finditer(text):
        head = Head(int(match.group(1)), match.group(2))
        seen.setdefault((head.seq, head.hash), head)
    return list(seen.values())


def _text_of(raw: bytes, path: Path) -> str:
    """The readable text of a witness: PDF through pdftotext, mail with its parts decoded."""
    if raw.startswith(b"%PDF"):
        return _pdf_text(path)
    text = raw.decode("utf-8", "replace")
    if HEAD_LINE.search(text):
        return text
    head, _, _ = text.partition("\n\n")
    if re.search(r"(?im)^(mime-version|content-type|subject):", head):
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [mail] if not mail.is_multipart() else list(mail.walk())
        decoded = []
        for part in parts:
            if part.get_content_maintype() == "text":
                try:
                    decoded.append(str(part.get_content()))
                except (LookupError, ValueError):
                    continue
        return "\n".join(decoded)
    return text


def _pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        raise InputError(
            f"witness {path}: a PDF needs pdftotext (apt install poppler-utils); "
            "or give the report's HTML"
        )
    try:
        proc = subprocess.run(
            [tool, "-raw", str(path), "-"], capture_output=True, timeout=PDFTOTEXT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"witness {path}: pdftotext took longer than {PDFTOTEXT_TIMEOUT:.0f} s") from None
    if proc.returncode != 0:
        raise InputError(f"witness {path}: not a readable PDF ({proc.stderr.decode(errors='replace').strip()})")
    return proc.stdout.decode("utf-8", "replace")
