from __future__ import annotations

from pathlib import Path

import pytest

from ictops.backup.store import BackupStore


@pytest.fixture
def store(tmp_path: Path) -> BackupStore:
    return BackupStore(tmp_path / "state" / "backups")
