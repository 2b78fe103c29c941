"""Backups against the simulated district: real sshd servers and simulated switches on loopback."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from ictops.actions.backup import BackupAction
from ictops.actions.restore import RestoreServer, RestoreSwitch
from ictops.backup.store import BackupStore
from ictops.connections.factory import open_session
from ictops.results import ErrorKind, Status
from tests.drive import drive

pytestmark = pytest.mark.lab

SWITCHES = ["sw-cisco-1", "sw-cisco-2", "sw-huawei-1"]


def _backup(district, store: BackupStore, run: str, names: list[str], hosts=None):
    hosts = hosts or {}
    targets = [hosts.get(name) or district.inventory.hosts[name] for name in names]
    action = BackupAction(store=store)
    state = drive(district.project, action, targets, run_id=run, operator="lab-test")
    return {r.host: r for r in state.results}, action.commit


def test_switch_backups_commit_only_changes_and_refuse_truncation(district, tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "backups")
    first, rev1 = _backup(district, store, "r1", SWITCHES)
    assert all(r.status is Status.CHANGED for r in first.values()), first
    assert rev1 is not None
    second, rev2 = _backup(district, store, "r2", SWITCHES)
    assert all(r.status is Status.OK for r in second.values()), second
    assert rev2 is None  # two backups with no change: one commit

    host = district.inventory.hosts["sw-cisco-1"]
    session = open_session(host, district.project)
    try:
        session.configure(["interface GigabitEthernet1/0/1", "description ictops-backup-test"])
    finally:
        session.close()
    third, rev3 = _backup(district, store, "r3", SWITCHES)
    assert rev3 is not None
    assert third["sw-cisco-1"].status is Status.CHANGED, third["sw-cisco-1"]
    assert "unsaved changes" in third["sw-cisco-1"].message
    assert third["sw-huawei-1"].status is Status.OK
    changed = [
        line
        for line in store.diff("sw-cisco-1").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed and all("ictops-backup-test" in line or line.startswith("-") for line in changed)
    assert any(
        line.startswith("+") and "description ictops-backup-test" in line for line in changed
    )

    good = (store.host_dir("sw-cisco-2") / "running-config.txt").read_text()
    district.lab.set_fault(district.inventory.hosts["sw-cisco-2"], "truncate")
    try:
        fourth, _ = _backup(district, store, "r4", ["sw-cisco-2"])
    finally:
        district.lab.set_fault(district.inventory.hosts["sw-cisco-2"], None)
    result = fourth["sw-cisco-2"]
    assert result.status is Status.FAILED and result.error_kind is ErrorKind.INVALID_OUTPUT
    assert (store.host_dir("sw-cisco-2") / "running-config.txt").read_text() == good
    restored = drive(district.project, RestoreSwitch(store, rev1), [host]).results[0]
    assert restored.status is Status.CHANGED, restored
    assert "ictops-backup-test" not in district.running_config("sw-cisco-1")


def test_server_backup_and_restore(district, tmp_path: Path) -> None:
    # A file the lab user may read and write: the lab servers are this machine.
    work = Path(tempfile.mkdtemp(prefix="ictops-backup-lab-"))
    work.chmod(0o777)
    target = work / "app.conf"
    try:
        target.write_text("listen 8080\npassword=LabSecret\n")
        target.chmod(0o666)
        host = replace(
            district.inventory.hosts["srv-1"], backup_files=(str(target), "/etc/hostname")
        )
        store = BackupStore(tmp_path / "backups")
        first, _ = _backup(district, store, "r1", ["srv-1"], {"srv-1": host})
        assert first["srv-1"].status is Status.CHANGED, first["srv-1"]
        again, rev = _backup(district, store, "r2", ["srv-1"], {"srv-1": host})
        assert again["srv-1"].status is Status.OK, again["srv-1"]
        assert rev is None

        target.write_text("listen 9090\npassword=LabSecret\n")
        check = drive(district.project, RestoreServer(store), [host], check=True).results[0]
        assert check.status is Status.CHANGED and "+listen 8080" in check.diff
        assert "LabSecret" not in check.diff
        assert target.read_text().startswith("listen 9090")
        real = drive(district.project, RestoreServer(store), [host]).results[0]
        assert real.status is Status.CHANGED, real.message
        assert target.read_text() == "listen 8080\npassword=LabSecret\n"
    finally:
        for path in work.iterdir():
            path.unlink()
        os.rmdir(work)
