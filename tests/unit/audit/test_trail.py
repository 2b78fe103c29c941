"""The audit trail: writing from threads, and verify catching every kind of tampering."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from ictops.audit.keys import AuditKeyError, load_key
from ictops.audit.mask import Masker
from ictops.audit.record import ZERO_HASH, record_hash
from ictops.audit.trail import AuditTrail
from ictops.audit.verify import verify
from ictops.results import ActionResult, ErrorKind, Status

from .conftest import lines, record, save, write_records


def test_records_from_many_threads_form_one_valid_chain(trail_path: Path) -> None:
    trail = AuditTrail(trail_path, run_id="run-1", operator="root", fsync=False)
    second = AuditTrail(trail_path, run_id="run-1", operator="root")  # another handle, same file

    def work(n: int) -> None:
        for i in range(25):
            (trail if i % 2 else second).append(action="cmd", status="ok", host=f"h{n}", summary=str(i))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    trail.close()
    second.close()
    report = verify(trail_path)
    assert report.ok, report.problems
    assert report.records == 200 and report.last_seq == 200
    seqs = [record(x)["seq"] for x in lines(trail_path)]
    assert seqs == list(range(1, 201))


def test_record_fields_and_no_diff_stored(trail_path: Path) -> None:
    result = ActionResult(
        host="sw-1", action="switch.config", status=Status.FAILED, message="enable secret 5 $1$abc",
        diff="+enable secret 5 $1$abc\n", error_kind=ErrorKind.COMMAND_FAILED, started=1.0, ended=3.5,
    )
    with AuditTrail(trail_path) as trail:
        rec = trail.record_result(result, process=2, step=5, run_id="r9", operator="root",
                                  masker=Masker("cisco_ios"))
    stored = record(lines(trail_path)[0])
    assert stored == rec
    assert stored["seq"] == 1 and stored["prev"] == ZERO_HASH
    assert stored["time"].endswith("Z") and stored["status"] == "failed"
    assert stored["error_kind"] == "command_failed" and stored["duration"] == 2.5
    assert stored["changed_digest"] == hashlib.sha256(result.diff.encode()).hexdigest()
    assert "$1$abc" not in trail_path.read_text() and "<removed>" in stored["summary"]
    assert stored["hash"] == record_hash(stored)
    head = json.loads((trail_path.parent / "head.json").read_text())
    assert head["seq"] == 1 and head["hash"] == stored["hash"]


def test_known_secret_values_are_masked(trail_path: Path) -> None:
    with AuditTrail(trail_path) as trail:
        trail.append(action="cmd", status="failed", summary="sudo: S3cret-pw rejected",
                     masker=Masker("linux", ["S3cret-pw"]))
    assert "S3cret-pw" not in trail_path.read_text()


def test_clean_trail_verifies(trail_path: Path) -> None:
    write_records(trail_path, 10)
    report = verify(trail_path)
    assert report.ok and report.records == 10 and report.head_checked and not report.torn


def test_edit_is_caught(trail_path: Path) -> None:
    write_records(trail_path, 10)
    content = lines(trail_path)
    content[4] = content[4].replace('"status":"ok"', '"status":"failed"').replace(
        '"status":"changed"', '"status":"failed"')
    save(trail_path, content)
    report = verify(trail_path)
    assert not report.ok
    assert (report.first_problem.line, report.first_problem.seq) == (5, 5)
    assert "edited" in report.first_problem.what


def test_edit_with_a_recomputed_hash_is_caught_at_the_next_record(trail_path: Path) -> None:
    write_records(trail_path, 10)
    content = lines(trail_path)
    rec = record(content[4])
    rec["summary"] = "nothing happened here"
    rec["hash"] = record_hash(rec)
    content[4] = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
    save(trail_path, content)
    report = verify(trail_path)
    assert (report.first_problem.line, report.first_problem.seq) == (6, 6)
    assert "prev does not match" in report.first_problem.what


def test_deletion_is_caught(trail_path: Path) -> None:
    write_records(trail_path, 10)
    content = lines(trail_path)
    del content[3]
    save(trail_path, content)
    report = verify(trail_path)
    assert (report.first_problem.line, report.first_problem.seq) == (4, 5)
    assert "deleted" in report.first_problem.what


def test_deletion_of_the_first_record_is_caught(trail_path: Path) -> None:
    write_records(trail_path, 5)
    save(trail_path, lines(trail_path)[1:])
    assert "deleted at the start" in verify(trail_path).first_problem.what


def test_swap_is_caught(trail_path: Path) -> None:
    write_records(trail_path, 10)
    content = lines(trail_path)
    content[5], content[6] = content[6], content[5]
    save(trail_path, content)
    report = verify(trail_path)
    assert report.first_problem.line == 6 and report.first_problem.seq == 7
    assert not report.ok


def test_insertion_is_caught(trail_path: Path) -> None:
    write_records(trail_path, 10)
    content = lines(trail_path)
    forged = record(content[4])  # a well-formed record claiming to follow seq 4
    forged["summary"] = "forged"
    forged["hash"] = record_hash(forged)
    content.insert(5, json.dumps(forged, ensure_ascii=False, separators=(",", ":")) + "\n")
    save(trail_path, content)
    report = verify(trail_path)
    assert not report.ok
    assert report.first_problem.line == 6 and "reordered or a record inserted" in report.first_problem.what


def test_truncation_of_whole_records_is_caught_by_the_checkpoint(trail_path: Path) -> None:
    write_records(trail_path, 10)
    save(trail_path, lines(trail_path)[:7])
    report = verify(trail_path)
    assert not report.ok
    assert "truncated" in report.first_problem.what and "seq 10" in report.first_problem.what


def test_hmac_mismatch_is_caught_with_the_key(trail_path: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 32)
    key_file.chmod(0o600)
    key = load_key(key_file, trail_path.parent.parent)
    write_records(trail_path, 6, key=key)
    assert verify(trail_path, key=key).ok
    # an attacker without the key rewrites record 3 and re-chains everything after it
    content = lines(trail_path)
    prev = None
    for i, text in enumerate(content):
        rec = record(text)
        if i == 2:
            rec["status"] = "ok"
            rec["summary"] = "all fine"
        if prev is not None:
            rec["prev"] = prev
        rec["hash"] = record_hash(rec)
        prev = rec["hash"]
        content[i] = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
    save(trail_path, content)
    head = json.loads((trail_path.parent / "head.json").read_text())
    head["hash"] = prev
    (trail_path.parent / "head.json").write_text(json.dumps(head))
    # without the key a consistent rewrite cannot be told apart: that is what the HMAC is for
    assert verify(trail_path).ok
    report = verify(trail_path, key=key)
    assert (report.first_problem.line, report.first_problem.seq) == (3, 3)
    assert "HMAC mismatch" in report.first_problem.what
    assert not verify(trail_path, key=b"another-key-of-16-bytes").ok


def test_key_inside_the_state_directory_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "state" / "audit.key"
    key_file.parent.mkdir()
    key_file.write_text("k" * 32)
    key_file.chmod(0o600)
    with pytest.raises(AuditKeyError, match="inside the state directory"):
        load_key(key_file, tmp_path / "state")
    key_file.chmod(0o644)
    with pytest.raises(AuditKeyError, match="chmod 600"):
        load_key(key_file)


def test_torn_last_line_is_reported_and_the_chain_before_stays_valid(trail_path: Path) -> None:
    write_records(trail_path, 5)
    with open(trail_path, "ab") as handle:
        handle.write(b'{"seq":6,"time":"2025-01-0')  # a crash in the middle of a write
    report = verify(trail_path)
    assert report.ok, report.problems
    assert report.records == 5 and report.last_seq == 5
    assert [(t.line, t.recovered) for t in report.torn] == [(6, False)]
    assert "torn last line 6" in report.summary()


def test_next_writer_recovers_after_a_torn_line_without_rewriting_it(trail_path: Path) -> None:
    write_records(trail_path, 5)
    torn = b'{"seq":6,"time":"2025-01-0'
    with open(trail_path, "ab") as handle:
        handle.write(torn)
    write_records(trail_path, 3)
    raw = trail_path.read_bytes().split(b"\n")
    assert raw[5] == torn  # kept as it was
    recovery = json.loads(raw[6])
    assert recovery["kind"] == "recovered_after_torn" and recovery["seq"] == 6
    assert recovery["data"]["torn"][0]["sha256"] == hashlib.sha256(torn).hexdigest()
    report = verify(trail_path)
    assert report.ok, report.problems
    assert report.last_seq == 9
    assert [(t.line, t.recovered) for t in report.torn] == [(6, True)]
    # editing the recovered torn line afterwards is caught
    content = trail_path.read_bytes().split(b"\n")
    content[5] = b'{"seq":6,"time":"2025-01-02'
    trail_path.write_bytes(b"\n".join(content))
    assert not verify(trail_path).ok


def test_garbage_in_the_middle_is_not_mistaken_for_a_torn_line(trail_path: Path) -> None:
    write_records(trail_path, 5)
    content = lines(trail_path)
    content[2] = content[2][:40] + "\n"
    save(trail_path, content)
    report = verify(trail_path)
    assert report.first_problem.line == 3 and "not a valid audit record" in report.first_problem.what


def test_tail_scan_across_chunk_boundaries(trail_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ictops.audit.trail as trail_module

    monkeypatch.setattr(trail_module, "_CHUNK", 37)  # far smaller than one record
    write_records(trail_path, 4)
    with open(trail_path, "ab") as handle:
        handle.write(b'{"seq":5,"time":"2025-01-01T00:00:00.000Z","kind":"act')
    write_records(trail_path, 2)
    report = verify(trail_path)
    assert report.ok, report.problems
    assert report.last_seq == 7 and [(t.line, t.recovered) for t in report.torn] == [(5, True)]
