"""Configuration backups into git history that never loses or corrupts a good config.

Entry points: ``BackupStore(path).begin_run(run_id, operator)`` -> Transaction; per host
``backup_switch`` / ``backup_server`` (take.py); then ``txn.commit()``. Reading:
``store.history/diff/show/latest``; restoring: ``restore_server`` / ``restore_switch``.
"""

from __future__ import annotations

from ictops.backup.guards import DEFAULT_MAX_SHRINK, Refusal
from ictops.backup.restore import restore_server, restore_switch
from ictops.backup.store import BackupLockedError, BackupStore, Commit
from ictops.backup.take import backup_server, backup_switch
from ictops.backup.transaction import StageResult, Transaction

__all__ = [
    "DEFAULT_MAX_SHRINK",
    "BackupLockedError",
    "BackupStore",
    "Commit",
    "Refusal",
    "StageResult",
    "Transaction",
    "backup_server",
    "backup_switch",
    "restore_server",
    "restore_switch",
]
