"""Configuration backups into git history that never loses or corrupts a good config.

Entry points: ``BackupStore(path).begin_run(run_id, operator)`` -> Transaction; per host a
capture (take.py: ``capture_switch`` / ``capture_server``), ``txn.compare`` then
``txn.stage``; then ``txn.commit()`` (the backup action, ictops/actions/backup.py, does this).
Reading: ``store.history/diff/show/latest``; restoring: ictops/actions/restore.py.
"""

from __future__ import annotations

from ictops.backup.guards import DEFAULT_MAX_SHRINK, Refusal
from ictops.backup.store import BackupLockedError, BackupStore, Commit, host_backup_dir
from ictops.backup.transaction import StageResult, Transaction

__all__ = [
    "DEFAULT_MAX_SHRINK",
    "BackupLockedError",
    "BackupStore",
    "Commit",
    "Refusal",
    "StageResult",
    "Transaction",
    "host_backup_dir",
]
