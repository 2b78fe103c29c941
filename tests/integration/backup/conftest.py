"""A district of our own for the backup tests, on addresses no other fixture uses.

Its root is made with mkdtemp and mode 0755, not pytest's tmp_path: the parents of tmp_path
are mode 0700 and the lab sshd reads authorized_keys as the lab user.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB


@pytest.fixture(scope="module")
def district():
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed")
    root = Path(tempfile.mkdtemp(prefix="ictops-backup-district-"))
    root.chmod(0o755)
    project = make_project(
        root,
        servers=[f"{LAB}.12.1"],
        cisco=[f"{LAB}.13.1", f"{LAB}.13.2"],
        huawei=[f"{LAB}.13.3"],
    )
    try:
        d = start_district(project)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield d
    finally:
        stop_district(d)
