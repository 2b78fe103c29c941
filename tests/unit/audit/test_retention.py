"""Retention: never before 90 days (Computer Crime Act s.26); older records archived, linked."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from ictops.audit.retention import RetentionError, prune
from ictops.audit.trail import AuditTrail
from ictops.audit.verify import verify

from .conftest import lines

NOW = dt.datetime(2025, 6, 1, 3, 0, tzinfo=dt.timezone.utc)


def _write_days(path: Path, days_ago: list[int]) -> None:
    """One record per entry, stamped that many days before NOW (oldest first)."""
    stamps = iter(NOW - dt.timedelta(days=d) for d in days_ago)
    with AuditTrail(path, run_id="r", operator="root", clock=lambda: next(stamps)) as trail:
        for d in days_ago:
            trail.append(action="backup", status="ok", host="sw-1", process=2, step=5,
                         summary=f"{d} days ago")


def test_retention_shorter_than_90_days_is_refused(trail_path: Path, tmp_path: Path) -> None:
    _write_days(trail_path, [200, 10])
    before = trail_path.read_bytes()
    with pytest.raises(RetentionError, match=r"89 days refused: the Computer Crime Act .* s\.26"):
        prune(trail_path, keep_days=89, archive_dir=tmp_path / "archive", now=NOW)
    assert trail_path.read_bytes() == before


def test_prune_archives_old_records_and_the_chain_still_links(trail_path: Path, tmp_path: Path) -> None:
    _write_days(trail_path, [300, 200, 150, 121, 119, 100, 5, 0])
    archive_dir = tmp_path / "archive"
    result = prune(trail_path, keep_days=120, archive_dir=archive_dir, now=NOW, operator="root")
    assert (result.archived, result.kept) == (4, 4)
    assert result.archive is not None and result.archive.name == "trail-20240805-20250131-seq1-4.jsonl.gz"
    archived = [json.loads(x) for x in gzip.decompress(result.archive.read_bytes()).splitlines()]
    assert [r["seq"] for r in archived] == [1, 2, 3, 4]  # moved unchanged, nothing dropped
    live = [json.loads(x) for x in lines(trail_path)]
    assert live[0]["kind"] == "genesis" and live[0]["prev"] == archived[-1]["hash"]
    assert live[0]["data"]["archived_records"] == 4
    assert [r["seq"] for r in live[1:]] == [5, 6, 7, 8]
    report = verify(trail_path, archive_dir=archive_dir)
    assert report.ok, report.problems
    # the trail carries on after the prune
    with AuditTrail(trail_path) as trail:
        assert trail.append(action="cmd", status="ok")["seq"] == 9
    assert verify(trail_path, archive_dir=archive_dir).ok
    # a second prune archives the genesis along, and still links
    later = NOW + dt.timedelta(days=200)
    second = prune(trail_path, keep_days=120, archive_dir=archive_dir, now=later)
    assert second.archived == 5 and second.kept == 1
    assert verify(trail_path, archive_dir=archive_dir).ok


def test_prune_everything_old_leaves_a_genesis_that_links(trail_path: Path, tmp_path: Path) -> None:
    _write_days(trail_path, [400, 300])
    prune(trail_path, keep_days=90, archive_dir=tmp_path / "a", now=NOW)
    assert verify(trail_path, archive_dir=tmp_path / "a").ok
    with AuditTrail(trail_path) as trail:
        assert trail.append(action="cmd", status="ok")["seq"] == 3
    assert verify(trail_path).ok


def test_nothing_old_enough_changes_nothing(trail_path: Path, tmp_path: Path) -> None:
    _write_days(trail_path, [30, 1])
    before = trail_path.read_bytes()
    assert prune(trail_path, keep_days=90, archive_dir=tmp_path / "a", now=NOW).archive is None
    assert trail_path.read_bytes() == before


def test_a_tampered_trail_is_not_pruned(trail_path: Path, tmp_path: Path) -> None:
    _write_days(trail_path, [300, 200, 1])
    content = lines(trail_path)
    trail_path.write_text(content[0] + content[2], encoding="utf-8")
    with pytest.raises(RetentionError, match="does not verify"):
        prune(trail_path, keep_days=120, archive_dir=tmp_path / "a", now=NOW)


def test_a_changed_archive_is_caught(trail_path: Path, tmp_path: Path) -> None:
    _write_days(trail_path, [300, 200, 1])
    result = prune(trail_path, keep_days=120, archive_dir=tmp_path / "a", now=NOW)
    assert result.archive is not None
    result.archive.write_bytes(gzip.compress(b"{}\n"))
    report = verify(trail_path, archive_dir=tmp_path / "a")
    assert not report.ok and "changed after archiving" in report.first_problem.what


def test_an_open_writer_follows_the_pruned_file(trail_path: Path, tmp_path: Path) -> None:
    stamps = iter([NOW - dt.timedelta(days=200), NOW - dt.timedelta(days=1), NOW])
    with AuditTrail(trail_path, clock=lambda: next(stamps)) as trail:
        trail.append(action="a", status="ok")
        trail.append(action="b", status="ok")
        prune(trail_path, keep_days=120, archive_dir=tmp_path / "a", now=NOW)
        assert trail.append(action="c", status="ok")["seq"] == 3
    report = verify(trail_path, archive_dir=tmp_path / "a")
    assert report.ok, report.problems
    assert [json.loads(x)["action"] for x in lines(trail_path)] == ["audit.prune", "b", "c"]
