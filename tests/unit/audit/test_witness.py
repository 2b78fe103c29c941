"""Witnesses: a trail cut short, rewritten or deleted is caught against a head seen outside
state/; the HMAC key can be turned on for an existing trail."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from ictops.audit import prune, verify
from ictops.audit.record import KEY_ON, record_hash
from ictops.audit.trail import AuditTrail
from ictops.audit.witness import Head, read_witness, trail_head
from ictops.errors import InputError

from .conftest import lines, record, save, write_records

KEY = b"k" * 32


def _witness(path: Path) -> tuple[str, Head]:
    head = trail_head(path)
    assert head is not None
    return ("the saved head", head)


def test_cut_off_end_with_an_older_head_passes_alone_fails_against_a_witness(trail_path: Path) -> None:
    write_records(trail_path, 5)
    old_head = (trail_path.parent / "head.json").read_text()
    write_records(trail_path, 5)
    witness = _witness(trail_path)
    assert witness[1].seq == 10
    # the attacker cuts seq 6-10 off and restores the head.json of seq 5
    save(trail_path, lines(trail_path)[:5])
    (trail_path.parent / "head.json").write_text(old_head)
    assert verify(trail_path).ok  # a chain cannot prove its own length
    report = verify(trail_path, witnesses=[witness])
    assert not report.ok
    assert report.first_problem.what.startswith(
        "trail shorter than its witness: the saved head saw seq 10 (hash ")
    assert "the trail ends at seq 5: 5 record(s) cut off the end" in report.first_problem.what


def test_deleted_trail_and_head_fail_against_a_witness(trail_path: Path) -> None:
    write_records(trail_path, 3)
    witness = _witness(trail_path)
    shutil.rmtree(trail_path.parent)
    assert verify(trail_path).ok and verify(trail_path).notes == ["no audit trail yet"]
    report = verify(trail_path, witnesses=[witness])
    assert not report.ok
    assert "saw seq 3" in report.first_problem.what and "no trail: it was deleted" in report.first_problem.what


def test_rewritten_trail_differs_from_its_witness(trail_path: Path) -> None:
    write_records(trail_path, 4)
    witness = _witness(trail_path)
    # a consistent rewrite without a key: edit seq 2, re-chain, rewrite head.json
    content, prev = lines(trail_path), None
    for i, text in enumerate(content):
        rec = record(text)
        if i == 1:
            rec["summary"] = "nothing happened"
        if prev is not None:
            rec["prev"] = prev
        rec["hash"] = prev = record_hash(rec)
        content[i] = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
    save(trail_path, content)
    (trail_path.parent / "head.json").write_text(json.dumps({"seq": 4, "hash": prev}))
    assert verify(trail_path).ok
    report = verify(trail_path, witnesses=[witness])
    assert (report.first_problem.line, report.first_problem.seq) == (4, 4)
    assert "differs from what its witness saw" in report.first_problem.what


def test_a_witness_of_an_earlier_head_agrees_with_a_longer_trail(trail_path: Path) -> None:
    write_records(trail_path, 3)
    witness = _witness(trail_path)
    write_records(trail_path, 3)
    report = verify(trail_path, witnesses=[witness])
    assert report.ok and report.witnessed == ["the saved head: seq 3"]
    assert "1 witness(es) agree" in report.summary()


def test_a_witness_of_an_archived_record(trail_path: Path, tmp_path: Path) -> None:
    import datetime as dt

    old = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    with AuditTrail(trail_path, clock=lambda: old) as trail:
        for i in range(4):
            trail.append(action="cmd", status="ok", summary=str(i))
    early = ("an old mail", Head(2, record(lines(trail_path)[1])["hash"]))
    write_records(trail_path, 2)
    archive = tmp_path / "archive"
    prune(trail_path, 90, archive)
    report = verify(trail_path, archive_dir=archive, witnesses=[early])
    assert report.ok and report.witnessed == ["an old mail: seq 2 (archived)"], report.problems
    forged = ("an old mail", Head(2, "0" * 64))
    assert not verify(trail_path, archive_dir=archive, witnesses=[forged]).ok


# -- reading witnesses ------------------------------------------------------------------------

HEAD = Head(12, "ab" * 32)


def test_read_a_saved_head_and_a_text(tmp_path: Path) -> None:
    saved = tmp_path / "head.json"
    saved.write_text(json.dumps({"seq": 12, "hash": "ab" * 32, "time": "t"}))
    assert read_witness(saved) == [Head(12, "ab" * 32, "t")]
    text = tmp_path / "note.txt"
    text.write_text(f"แจ้งผล\n{HEAD.line()}\n")
    assert read_witness(text) == [HEAD]
    hook = tmp_path / "hook.json"  # a webhook body as a chat server logged it
    hook.write_text(json.dumps({"text": f"ผล\n{HEAD.line()}"}, ensure_ascii=False))
    assert read_witness(hook) == [HEAD]


def test_read_a_mail_whose_body_is_base64(tmp_path: Path) -> None:
    body = base64.encodebytes(f"ผลการดำเนินงาน\n{HEAD.line()}\n".encode()).decode()
    mail = tmp_path / "m.eml"
    mail.write_text(
        "Subject: =?utf-8?b?4Lic4Lil?=\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\n" + body
    )
    assert HEAD.line() not in mail.read_text()
    assert read_witness(mail) == [HEAD]


def test_a_file_without_a_head_is_an_input_error(tmp_path: Path) -> None:
    other = tmp_path / "x.txt"
    other.write_text("hello")
    with pytest.raises(InputError, match="x.txt: holds no trail head"):
        read_witness(other)
    with pytest.raises(InputError, match="not a file"):
        read_witness(tmp_path / "missing.txt")


# -- turning the HMAC key on for an existing trail -------------------------------------------


def test_key_turned_on_later_records_the_switch_over(trail_path: Path) -> None:
    write_records(trail_path, 3)  # no key
    before = verify(trail_path, key=KEY)
    assert before.ok, before.problems  # nothing signed yet: noted, not failed
    assert any("none of the 3 record(s) is signed" in n for n in before.notes)
    write_records(trail_path, 2, key=KEY)
    recs = [record(x) for x in lines(trail_path)]
    switch = recs[3]
    assert (switch["action"], switch["kind"], switch["data"]) == (KEY_ON, "event", {"unsigned_through_seq": 3})
    assert all(r.get("hmac") for r in recs[3:]) and not any(r.get("hmac") for r in recs[:3])
    after = verify(trail_path, key=KEY)
    assert after.ok, after.problems
    assert any("seq 1-3 were written before the HMAC key was turned on" in n for n in after.notes)
    # and it stays so: later runs keep verifying
    write_records(trail_path, 1, key=KEY)
    assert verify(trail_path, key=KEY).ok


def test_unsigned_records_after_signed_ones_are_caught(trail_path: Path) -> None:
    write_records(trail_path, 3, key=KEY)
    write_records(trail_path, 2)  # someone without the key appends
    report = verify(trail_path, key=KEY)
    assert not report.ok
    assert report.first_problem.seq == 4
    assert "seq 4-5 at the end have no HMAC although the trail is signed from seq 1" in report.first_problem.what
    write_records(trail_path, 1, key=KEY)  # the key holder writes again: a switch-over...
    assert verify(trail_path, key=KEY).ok  # ...is a signed statement that those were unsigned


def test_stripping_the_hmac_of_one_record_is_caught(trail_path: Path) -> None:
    write_records(trail_path, 4, key=KEY)
    content = lines(trail_path)
    rec = record(content[1])
    del rec["hmac"]
    content[1] = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
    save(trail_path, content)
    report = verify(trail_path, key=KEY)
    assert report.first_problem.seq == 2 and "no switch-over (audit.key_on) accounts for it" in report.first_problem.what


def test_switch_over_after_a_torn_line(trail_path: Path) -> None:
    write_records(trail_path, 2)
    with open(trail_path, "ab") as handle:
        handle.write(b'{"seq":3,"ti')
    write_records(trail_path, 1, key=KEY)
    parsed = []
    for text in lines(trail_path):
        try:
            parsed.append(record(text))
        except ValueError:
            parsed.append(None)
    assert [(r["action"], bool(r.get("hmac"))) if r else None for r in parsed] == [
        ("cmd", False), ("cmd", False), None, ("audit.recover", False), (KEY_ON, True), ("cmd", True)]
    report = verify(trail_path, key=KEY)
    assert report.ok, report.problems
