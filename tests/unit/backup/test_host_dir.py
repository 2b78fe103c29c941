"""One path function names a host's backup directory: the store and the audit agree,
also for Thai site names (vowel and tone marks are kept)."""

from __future__ import annotations

from pathlib import Path

from ictops.backup.files import safe_name
from ictops.backup.store import BackupStore, host_backup_dir
from ictops.compliance import BackupEvidence
from ictops.inventory.host import Host

CONFIG = "hostname sw-thai\n!\ninterface Gi1/0/1\n description up\n!\nend\n"


def _host(site: str | None) -> Host:
    return Host(name="sw-thai", hostname="127.0.0.1", platform_name="cisco_ios", site=site)


def _stage(store: BackupStore, host: Host, run: str) -> str | None:
    files = {"running-config.txt": CONFIG.encode(), "startup-config.txt": CONFIG.encode()}
    with store.begin_run(run, "tester") as txn:
        txn.stage(host, files, {"platform": "cisco_ios", "run_id": run}, platform="cisco_ios")
        return txn.commit()


def test_thai_marks_are_kept_in_names() -> None:
    assert safe_name("ภูเขียว") == "ภูเขียว"
    assert safe_name("โรงเรียนบ้านหนองบัว") == "โรงเรียนบ้านหนองบัว"
    assert safe_name("../etc/x y") == "_etc_x_y"


def test_store_writes_where_the_audit_reads(tmp_path: Path) -> None:
    backups = tmp_path / "state" / "backups"
    host = _host("ภูเขียว")
    assert _stage(BackupStore(backups), host, "R1")
    directory = host_backup_dir(backups, host)
    assert directory == backups / "ภูเขียว" / "sw-thai"
    evidence = BackupEvidence(directory)
    assert evidence.config() == CONFIG and evidence.meta()["run_id"] == "R1"


def test_a_directory_named_by_the_old_rule_is_moved_in_the_next_commit(tmp_path: Path) -> None:
    backups = tmp_path / "state" / "backups"
    store = BackupStore(backups)
    host = _host("ภูเขียว")
    _stage(store, host, "R1")
    new = host_backup_dir(backups, host)
    old = backups / "ภ_เข_ยว" / "sw-thai"  # what safe_name() made of it before
    old.parent.mkdir()
    new.rename(old)
    new.parent.rmdir()
    store.git.run("add", "-A")
    store.git.run("commit", "-q", "-m", "as an older ictops left it")
    _stage(store, host, "R2")
    assert (new / "meta.json").is_file() and not old.parent.exists()
    assert store.git.text("status", "--porcelain") == ""
    assert store.show(host, file="running-config.txt") == CONFIG
