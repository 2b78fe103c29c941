"""The lab cache: the signed repository and layers build offline, once, safely when raced."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from threading import Event

import pytest

from ictops.lab import cache, layers, roots
from tests.integration.lab.rooted import require_roots

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
BUILDER = """
import os, sys, time
from pathlib import Path
from ictops.lab import cache
def build(tmp):
    tmp.mkdir()
    (tmp / "built-by").write_text(str(os.getpid()))
    with open(sys.argv[2], "a") as log:
        log.write(f"{os.getpid()}\\n")
print(cache.build_once(Path(sys.argv[1]), "entry", build), flush=True)
"""


def _waiters(lock: Path) -> int:
    """How many processes wait for the flock on ``lock`` (the '->' lines of /proc/locks)."""
    inode = os.stat(lock).st_ino
    lines = Path("/proc/locks").read_text().splitlines()
    return sum(1 for line in lines if "->" in line and line.split()[-3].endswith(f":{inode}"))


def test_two_builders_racing_build_once(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the lab cache is built as root")
    log = tmp_path / "builds.log"
    lock = tmp_path / cache.LOCK_NAME
    with cache.locked(lock):  # hold the lock until both builders wait for it
        procs = [
            subprocess.Popen([sys.executable, "-c", BUILDER, str(tmp_path), str(log)],
                             stdout=subprocess.PIPE, text=True, cwd=REPO)
            for _ in range(2)
        ]
        deadline = time.monotonic() + 30
        while _waiters(lock) < 2:
            assert time.monotonic() < deadline, "the builders never waited for the lock"
            Event().wait(0.02)
    outputs = [p.communicate(timeout=30)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs == [str(tmp_path / "entry")] * 2
    assert len(log.read_text().split()) == 1  # one built it, the other found it built
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([cache.LOCK_NAME, "entry",
                                                                 "builds.log"])


def test_a_failed_or_killed_build_leaves_nothing(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the lab cache is built as root")
    stale = tmp_path / f".entry{cache.TMP_MARK}99999999"  # what a killed build leaves
    (stale / "half").mkdir(parents=True)

    def fails(tmp: Path) -> None:
        tmp.mkdir()
        (tmp / "half-written").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cache.build_once(tmp_path, "entry", fails)
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache.LOCK_NAME]


def test_the_repository_and_layers_build_offline(tmp_path):
    """A cold build in a fresh cache, in a network namespace with no network at all."""
    require_roots()
    code = (
        "import sys; from pathlib import Path; from ictops.lab import layers, roots\n"
        "c = Path(sys.argv[1]); lab = layers.lab_layer(c)\n"
        "print(lab, layers.profile_layer('noncompliant', roots.ensure_base(), lab, c))\n"
    )
    proc = subprocess.run(["unshare", "--net", sys.executable, "-c", code, str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lab, profile = (Path(p) for p in proc.stdout.split())
    repo = lab / layers.REPO_IN_ROOT
    keyring = lab / layers.KEYRING_IN_ROOT
    for suite in ("ictops", "ictops-security"):
        dist = repo / "dists" / suite
        verify = subprocess.run(["gpgv", "--keyring", str(keyring), str(dist / "InRelease")],
                                capture_output=True, text=True)
        assert verify.returncode == 0, verify.stderr
        release = (dist / "Release").read_text()
        assert re.search(rf"^Suite: {suite}$", release, re.MULTILINE)
    security = (repo / "dists/ictops-security/main/binary-amd64/Packages").read_text()
    assert re.findall(r"^Version: (.+)$", security, re.MULTILINE) == ["1.1-1", "1.0-1+deb12u1"]
    assert "Label: ictops-lab-security" in (repo / "dists/ictops-security/Release").read_text()
    # the profile layer holds its packages' files and dpkg's record of them
    status = (profile / "var/lib/dpkg/status").read_text()
    assert "Package: ictops-lab-tools\nStatus: install ok installed" in status
    assert (profile / "usr/bin/ictops-lab-tool").is_file()
    assert not (profile / "usr/sbin/policy-rc.d").exists()  # the build's deny-all is gone
    assert not roots.mounts_under(tmp_path)
    # a second call finds both built: the same entries, nothing rebuilt
    again = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                           text=True, cwd=REPO, timeout=60)
    assert again.stdout == proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [cache.LOCK_NAME, "signing-key", lab.name, profile.name]
    )
