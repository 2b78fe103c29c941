"""kill -9 in the middle of a run: git fsck clean, no partial file anywhere, next run carries on."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup_crash_helpers import config, kill_worker, start_worker, wait_for
from backup_fakes import switch_host

from ictops.backup.files import TEMP_PREFIX
from ictops.backup.store import BackupStore


def _runs_done(path: Path) -> int:
    """Runs the worker finished; read once (the worker may be rewriting the file)."""
    text = _progress(path)
    return int(text) if text.isdigit() else 0


def _progress(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _assert_consistent(store: BackupStore) -> None:
    fsck = store.git.run("fsck", "--full", "--strict", check=False)
    assert fsck.returncode == 0, fsck.stderr.decode()
    # every committed config is whole
    for rev in store.git.text("rev-list", "HEAD").split():
        for path in store.git.text("ls-tree", "-r", "--name-only", rev).split():
            if path.endswith("running-config.txt"):
                blob = store.git.run("show", f"{rev}:{path}").stdout.decode()
                assert blob.endswith("\nend\n"), f"partial {path} in {rev}"
                assert blob == config(
                    int(path.split("/")[1][3:]), int(blob.split(" v")[1].split()[0])
                )


def _assert_next_run_carries_on(store: BackupStore) -> None:
    with store.begin_run("after-crash", "tester") as txn:
        assert not list(store.path.rglob(f"{TEMP_PREFIX}*"))
        assert not (store.path / ".git" / "index.lock").exists()
        assert not store.git.text("status", "--porcelain").strip()
        for host in range(5):
            txn.stage(
                switch_host(f"sw-{host:02d}"),
                {"running-config.txt": config(host, 999).encode()},
                {"platform": "cisco_ios", "run_id": "after-crash"},
            )
        assert txn.commit() is not None
    _assert_consistent(store)


def test_kill_in_the_middle_of_a_file_write(store: BackupStore, tmp_path: Path) -> None:
    progress = tmp_path / "progress"
    proc = start_worker(store, progress, "block-in-write")
    try:
        wait_for(lambda: _progress(progress) == "blocked" or proc.poll() is not None, 60)
        assert _progress(progress) == "blocked", proc.stderr.read().decode() if proc.stderr else ""
        assert list(store.path.rglob(f"{TEMP_PREFIX}*"))  # a half-done write is on disk
    finally:
        kill_worker(proc)
    _assert_consistent(store)
    _assert_next_run_carries_on(store)


@pytest.mark.parametrize("runs_before_kill", [1, 3, 6])
def test_kill_at_any_moment_of_repeated_runs(
    store: BackupStore, tmp_path: Path, runs_before_kill: int
) -> None:
    progress = tmp_path / "progress"
    proc = start_worker(store, progress, "loop")
    try:
        wait_for(
            lambda: _runs_done(progress) >= runs_before_kill or proc.poll() is not None,
            60,
        )
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        kill_worker(proc)
    _assert_consistent(store)
    _assert_next_run_carries_on(store)


def test_stale_index_lock_is_removed(store: BackupStore) -> None:
    store.begin_run("init", "tester").abort()
    (store.path / ".git" / "index.lock").write_bytes(b"")
    (store.path / "office").mkdir()
    (store.path / "office" / f"{TEMP_PREFIX}half").write_bytes(b"hostname")
    with store.begin_run("next", "tester") as txn:
        assert any("index.lock" in line for line in txn.recovered)
        assert any("uncommitted" in line for line in txn.recovered)
        txn.stage(
            switch_host(), {"running-config.txt": config(1, 1).encode()}, {"platform": "cisco_ios"}
        )
        assert txn.commit() is not None
    _assert_consistent(store)
