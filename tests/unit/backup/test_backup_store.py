"""The git store: one commit per run that changed something, history, diff, show, lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from backup_fakes import commits, switch_host

from ictops.backup.store import BackupLockedError, BackupStore
from ictops.errors import InputError

CONFIG = "hostname sw-01\n!\nenable secret 9 $9$TOPSECRET\n!\ninterface Gi1/0/1\n description up\n!\nend\n"


def _files(config: str = CONFIG) -> dict[str, bytes]:
    return {"running-config.txt": config.encode(), "startup-config.txt": config.encode()}


def _meta(run: str, **extra: object) -> dict[str, object]:
    return {
        "platform": "cisco_ios",
        "taken_at": f"2026-11-21T01:00:0{run[-1]}Z",
        "run_id": run,
        "running_equals_startup": True,
        **extra,
    }


def _run(store: BackupStore, run: str, config: str = CONFIG, host=None) -> str | None:
    host = host or switch_host()
    with store.begin_run(run, "somchai") as txn:
        txn.stage(host, _files(config), _meta(run), platform="cisco_ios")
        return txn.commit()


def test_two_runs_without_change_make_one_commit(store: BackupStore) -> None:
    first = _run(store, "run-1")
    second = _run(store, "run-2")
    assert first is not None and second is None
    assert commits(store) == [
        "backup run run-1 by somchai: 1 new (sw-01)",
        "ictops backup store created",
    ]
    meta = store.meta("sw-01")
    assert meta["run_id"] == "run-1"  # the unchanged run rewrote nothing
    assert store.status()["sw-01"]["run_id"] == "run-2"  # ...but its success is recorded
    assert [f["host"] for f in store.freshness()] == ["sw-01"]


def test_change_makes_one_commit_whose_diff_is_that_change(store: BackupStore) -> None:
    _run(store, "run-1")
    changed = CONFIG.replace(" description up\n", " description uplink to core\n")
    rev = _run(store, "run-2", changed)
    assert rev is not None
    assert commits(store)[0] == "backup run run-2 by somchai: 1 changed (sw-01)"
    diff = store.diff("sw-01")
    body = [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # running- and startup-config both changed, by exactly that line
    assert body == ["- description up", "+ description uplink to core"] * 2
    assert "meta.json" not in diff
    assert "TOPSECRET" not in store.diff("sw-01", include_meta=True)
    assert store.latest("sw-01").rev == rev  # type: ignore[union-attr]
    history = store.history(switch_host())
    assert [c.message.split(":")[0] for c in history] == [
        "backup run run-2 by somchai",
        "backup run run-1 by somchai",
    ]
    assert store.diff("sw-01", history[1].rev, history[0].rev) == diff


def test_commit_message_names_run_operator_and_hosts(store: BackupStore) -> None:
    _run(store, "run-1")
    with store.begin_run("2026-11-21T01:00Z-ab12", "ictops") as txn:
        txn.stage(switch_host(), _files(CONFIG.replace("up", "down")), _meta("run-2"))
        for n in range(2):
            txn.stage(switch_host(f"sw-new-{n}"), _files(), _meta("run-2"))
        txn.commit()
    message = store.git.text("log", "-1", "--format=%B")
    assert message.startswith(
        "backup run 2026-11-21T01:00Z-ab12 by ictops: 1 changed (sw-01), 2 new (sw-new-0, sw-new-1)"
    )
    assert "sw-01: running-config: +1 -1 lines; startup-config: +1 -1 lines" in message


def test_show_masks_by_default(store: BackupStore) -> None:
    _run(store, "run-1")
    assert "TOPSECRET" not in store.show("sw-01")
    assert "enable secret 9 <removed>" in store.show("sw-01")
    assert "TOPSECRET" in store.show("sw-01", file="startup-config.txt", masked=False)
    assert store.list_files("sw-01") == ["meta.json", "running-config.txt", "startup-config.txt"]
    assert store.host_dir("sw-01") == store.path / "office" / "sw-01"
    assert store.host_dir(switch_host(site=None)) == store.path / "_nosite" / "sw-01"


def test_unknown_host_and_revision_are_input_errors(store: BackupStore) -> None:
    _run(store, "run-1")
    with pytest.raises(InputError, match="no backup of host 'nope'"):
        store.history("nope")
    with pytest.raises(InputError, match="unknown backup revision"):
        store.show("sw-01", rev="deadbeef")
    with pytest.raises(InputError, match="not a revision"):
        store.show("sw-01", rev="--output=/tmp/x")


def test_removed_file_and_volatile_file(store: BackupStore) -> None:
    host = switch_host("srv", platform="linux")
    with store.begin_run("r1", "op") as txn:
        txn.stage(
            host,
            {"files/etc/a": b"1\n", "files/etc/b": b"2\n", "commands/uptime.txt": b"up 1\n"},
            _meta("r1"),
            volatile=["commands/uptime.txt"],
        )
        txn.commit()
    with store.begin_run("r2", "op") as txn:
        result = txn.stage(
            host,
            {"files/etc/a": b"1\n", "files/etc/b": b"2\n", "commands/uptime.txt": b"up 2\n"},
            _meta("r2"),
            volatile=["commands/uptime.txt"],
        )
        assert not result.changed
        assert txn.commit() is None
    with store.begin_run("r3", "op") as txn:
        result = txn.stage(
            host,
            {"files/etc/a": b"1\n", "commands/uptime.txt": b"up 3\n"},
            _meta("r3"),
            volatile=["commands/uptime.txt"],
        )
        assert result.changed and result.removed == ("files/etc/b",)
        assert txn.commit() is not None
    assert store.list_files("srv") == ["commands/uptime.txt", "files/etc/a", "meta.json"]
    assert store.show("srv", file="commands/uptime.txt") == "up 3\n"


def test_run_without_commit_is_discarded(store: BackupStore) -> None:
    _run(store, "run-1")
    with pytest.raises(RuntimeError), store.begin_run("run-2", "op") as txn:
        txn.stage(switch_host(), _files("hostname broken\nend\n"), _meta("run-2"))
        raise RuntimeError("engine crashed")
    assert (store.host_dir("sw-01") / "running-config.txt").read_text() == CONFIG
    assert _run(store, "run-3") is None  # nothing left over to commit


def test_second_concurrent_run_is_refused(store: BackupStore) -> None:
    with (
        store.begin_run("run-1", "op"),
        pytest.raises(BackupLockedError, match="another backup run holds .*run run-1"),
    ):
        store.begin_run("run-2", "op")
    store.begin_run("run-3", "op").abort()  # released


def test_concurrent_run_in_another_process_is_refused(store: BackupStore, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from ictops.backup.store import BackupStore
        txn = BackupStore(Path({str(store.path)!r})).begin_run("holder", "op")
        Path({str(ready)!r}).write_text("x")
        sys.stdin.read()   # hold the lock until the test closes stdin
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        from backup_crash_helpers import wait_for

        wait_for(lambda: ready.exists() or proc.poll() is not None, 20)
        assert ready.exists()
        with pytest.raises(BackupLockedError, match="run holder"):
            store.begin_run("second", "op")
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=20)
    store.begin_run("after", "op").abort()
