"""A compromised server answers the backup's collection script with hostile output.

One real OpenSSH sshd on loopback ({LAB}.61.1) whose test account has a ForceCommand: in the
"good" scenario it runs the command ictops sent (a real backup), in every other scenario it
prints a crafted answer instead (path traversal, unrequested and absolute paths, a huge file,
names with NUL or control characters, malformed markers, a cut stream...). Each hostile run
must fail the host with the reason, write nothing outside the host's directory, and leave
the last good backup as it was.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ictops.actions.backup import BackupAction
from ictops.backup.store import BackupStore
from ictops.connections.hostkeys import scan_host_key, trust_many
from ictops.inventory import load_inventory
from ictops.lab import sshd
from ictops.lab.fleet import LabPaths
from ictops.results import ActionResult, ErrorKind, Status
from tests.drive import drive
from tests.integration.district import District, make_project
from tests.net import LAB

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not Path(sshd.SSHD).exists(), reason="openssh-server is not installed"),
]

ADDRESS = f"{LAB}.61.1"
PATTERNS = ["/etc/hostname", "/etc/hosts", "/etc/cron.d/*"]
MIB = 1024 * 1024

# The account's forced command: the scenario file names the answer.
FORCED = """#!/bin/sh
dir=$(dirname "$0")
scenario=$(cat "$dir/scenario")
if [ "$scenario" = good ]; then exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"; fi
if [ -f "$dir/answers/$scenario.sh" ]; then exec /bin/sh "$dir/answers/$scenario.sh"; fi
cat "$dir/answers/$scenario"
"""


def _mark(kind: str, arg: bytes | str, extra: str = "-") -> str:
    raw = arg.encode() if isinstance(arg, str) else arg
    return f"@@ictops {kind} {base64.b64encode(raw).decode() or '-'} {extra}\n"


def _file(path: bytes | str, data: bytes, mode: str = "644") -> str:
    encoded = base64.encodebytes(data).decode()
    return _mark("file", path, mode) + encoded


END = "@@ictops end - -\n"
HOSTNAME = _file("/etc/hostname", b"hostile\n")


@dataclass
class Hostile:
    district: District
    control: Path  # the forced command's directory
    outside: Path  # a directory outside the project that nothing may touch

    @property
    def host(self):
        return self.district.inventory.hosts["srv-1"]

    @property
    def store(self) -> BackupStore:
        return BackupStore(self.district.project.backups_dir)

    def answer(self, scenario: str, text: str | None = None, script: str | None = None) -> None:
        answers = self.control / "answers"
        if text is not None:
            (answers / scenario).write_text(text)
        if script is not None:
            (answers / f"{scenario}.sh").write_text(script)
        (self.control / "scenario").write_text(scenario + "\n")

    def backup(self, run: str) -> ActionResult:
        state = drive(self.district.project, BackupAction(), [self.host], run_id=run,
                      operator="hostile-test")
        return state.results[0]


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    root = Path(tempfile.mkdtemp(prefix="ictops-hostile-"))
    root.chmod(0o755)
    outside = Path(tempfile.mkdtemp(prefix="ictops-hostile-outside-"))
    spec = None
    try:
        user = sshd.ensure_lab_user()
        project = make_project(root, servers=[ADDRESS], cisco=[], huawei=[])
        hosts = project.inventory_dir / "hosts.yaml"
        hosts.write_text(
            hosts.read_text().replace(
                "srv-1:\n", f"srv-1:\n  backup_files: {PATTERNS}\n  sudo: false\n", 1
            )
        )
        lab_dir = project.root / "state" / "lab"
        sshd.ensure_client_key(lab_dir)
        control = root / "hostile"
        (control / "answers").mkdir(parents=True)
        forced = control / "forced.sh"
        forced.write_text(FORCED)
        forced.chmod(0o755)
        (control / "scenario").write_text("good\n")
        inventory = load_inventory(project.inventory_dir, project.root)
        host = inventory.hosts["srv-1"]
        spec = LabPaths(lab_dir).sshd_spec(host, user)
        config = sshd.write_config(spec)
        config.write_text(config.read_text() + f"ForceCommand {forced}\n")
        sshd.start_sshd([spec])
        trust_many(project.known_hosts, [(host, scan_host_key(host, timeout=5))])
        district = District(project, inventory, None)  # type: ignore[arg-type]  # no Lab
        yield Hostile(district, control, outside)
    finally:
        if spec is not None:
            sshd.stop_sshd([spec.pid_file])
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(outside, ignore_errors=True)


@pytest.fixture(scope="module")
def good(hostile: Hostile) -> dict[str, bytes]:
    """The last good backup: a real collection run by the server, committed."""
    hostile.answer("good")
    result = hostile.backup("good")
    assert result.status is Status.CHANGED, result
    host_dir = hostile.store.host_dir(hostile.host)
    snapshot = _snapshot(host_dir)
    assert "files/etc/hostname" in snapshot and "files/etc/hosts" in snapshot
    return snapshot


def _hostile_cases(outside: Path) -> dict[str, str]:
    escape = "/" + "../" * 40 + str(outside / "escaped").lstrip("/")
    return {
        "traversal": HOSTNAME + _file(escape, b"pwned\n") + END,
        "traversal-under-glob": HOSTNAME
        + _file("/etc/cron.d/../../" + "../" * 40 + str(outside / "glob").lstrip("/"), b"x\n")
        + END,
        "unrequested": HOSTNAME + _file("/root/.ssh/authorized_keys", b"ssh-ed25519 AAAA\n") + END,
        "double-slash": HOSTNAME + _file("//etc/hosts", b"127.0.0.1 x\n") + END,
        "dot-component": HOSTNAME + _file("/etc/./hosts", b"127.0.0.1 x\n") + END,
        "nul": HOSTNAME + _file(b"/etc/cron.d/a\x00/../../x", b"x\n") + END,
        "control": HOSTNAME + _file("/etc/cron.d/\x1b[2Jevil\n", b"x\n") + END,
        "bidi": HOSTNAME + _file("/etc/cron.d/evil\u202eftp.conf", b"x\n") + END,
        "not-utf8": HOSTNAME + _file(b"/etc/cron.d/\xff\xfe", b"x\n") + END,
        "long-name": HOSTNAME + _file("/etc/cron.d/" + "a" * 300, b"x\n") + END,
        "command-traversal": HOSTNAME
        + _mark("cmd", "../../../../../../../../../" + str(outside / "cmd").lstrip("/"), "0")
        + base64.encodebytes(b"x\n").decode()
        + END,
        "unknown-command": HOSTNAME + _mark("cmd", "evil", "0") + END,
        "bad-mode": _file("/etc/hostname", b"hostile\n", mode="4777;x") + END,
        "duplicate": HOSTNAME + _file("/etc/hostname", b"other\n") + END,
        "malformed-marker": HOSTNAME + "@@ictops file !!!notbase64!!! 644\neA==\n" + END,
        "extra-field": HOSTNAME + "@@ictops file L2V0Yy9ob3N0cw== 644 extra\neA==\n" + END,
        "unknown-kind": HOSTNAME + _mark("symlink", "/etc/hosts", "/etc/shadow") + END,
        "unreadable-unrequested": HOSTNAME + _mark("unreadable", "/etc/shadow") + END,
        "missing-unrequested": HOSTNAME + _mark("missing", "/etc/\x1b[31mred") + END,
        "cut": HOSTNAME + _mark("file", "/etc/hosts", "644") + "MTI3LjAuMC4x",
        "bad-base64-data": _file("/etc/hostname", b"x") + "@@@@not base64@@@@\n" + END,
    }


def test_hostile_answers_are_refused_and_the_last_good_backup_stays(
    hostile: Hostile, good: dict[str, bytes]
) -> None:
    store, host_dir = hostile.store, hostile.store.host_dir(hostile.host)
    head = store.git.head()
    accepted = []
    for scenario, text in _hostile_cases(hostile.outside).items():
        hostile.answer(scenario, text)
        result = hostile.backup(scenario)
        refused = result.error_kind is ErrorKind.INVALID_OUTPUT
        if result.status is not Status.FAILED or not refused:
            accepted.append(f"{scenario}: {result.status.value} {result.message}")
        assert list(hostile.outside.iterdir()) == [], scenario
        assert store.git.head() == head, scenario
        assert _snapshot(host_dir) == good, scenario
    assert accepted == []


def test_the_refusal_names_what_was_refused_and_why(
    hostile: Hostile, good: dict[str, bytes]
) -> None:
    hostile.answer("traversal", _hostile_cases(hostile.outside)["traversal"])
    result = hostile.backup("traversal-detail")
    assert result.status is Status.FAILED
    assert result.error_kind is ErrorKind.INVALID_OUTPUT
    refused = result.payload.refused
    assert len(refused) == 1
    assert refused[0]["reason"] == "not a normal path ('.', '..' or empty component)"
    assert refused[0]["name"].startswith("/../../")
    assert "1 item(s) the server sent were refused" in result.message
    assert "the last good backup is kept" in result.message


def test_a_file_over_the_size_cap_is_refused_without_storing_it(
    hostile: Hostile, good: dict[str, bytes]
) -> None:
    head = hostile.store.git.head()
    size = 5 * MIB  # over the default cap (4 MiB per file)
    script = (
        f"printf '%s' '{HOSTNAME}'\n"
        f"printf '%s' '{_mark('file', '/etc/hosts', '644')}'\n"
        f"head -c {size} /dev/zero | base64\n"
        f"printf '%s' '{END}'\n"
    )
    hostile.answer("huge", script=script)
    result = hostile.backup("huge")
    assert result.status is Status.FAILED, result
    assert list(result.payload.refused) == [
        {
            "name": "/etc/hosts",
            "reason": "larger than max_file_size (5,242,880 > 4,194,304 bytes)",
        }
    ]
    assert hostile.store.git.head() == head
    assert _snapshot(hostile.store.host_dir(hostile.host)) == good


def test_a_symlink_planted_in_the_store_is_never_written_through(
    hostile: Hostile, good: dict[str, bytes]
) -> None:
    store = hostile.store
    host_dir = store.host_dir(hostile.host)
    target = hostile.outside / "via-symlink"
    target.mkdir()
    try:
        etc = host_dir / "files" / "etc"
        shutil.rmtree(etc)
        etc.symlink_to(target)
        store.git.run("add", "-A", "--", ".")
        store.git.run("commit", "-q", "-m", "planted symlink")
        head = store.git.head()
        hostile.answer("good")
        result = hostile.backup("through-symlink")
        assert result.status is Status.FAILED, result
        assert "symbolic link" in result.message
        assert list(target.iterdir()) == []
        assert store.git.head() == head
    finally:
        etc.unlink(missing_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        store.git.run("reset", "-q", "--hard", "HEAD~1")
    assert _snapshot(host_dir) == good


def test_the_cli_fails_the_host_and_writes_nothing_outside(
    hostile: Hostile, good: dict[str, bytes]
) -> None:
    hostile.answer("traversal", _hostile_cases(hostile.outside)["traversal"])
    proc = hostile.district.ictops("backup")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "refused" in proc.stdout
    assert list(hostile.outside.iterdir()) == []
    assert _snapshot(hostile.store.host_dir(hostile.host)) == good
    assert not os.path.exists(hostile.outside / "escaped")
