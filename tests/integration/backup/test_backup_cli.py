"""`ictops backup` end to end: the real CLI against its own simulated district.

Servers 127.0.14.1-2, switches 127.0.15.1-3 (2 Cisco, 1 Huawei). The tests share the
district's backup store and run in file order: each one builds on the history before it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ictops.connections.factory import open_session
from tests.integration.district import ICTOPS, make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab

SERVER_ADDRS = [f"{LAB}.14.1", f"{LAB}.14.2"]
CISCO_ADDRS = [f"{LAB}.15.1", f"{LAB}.15.2"]
HUAWEI_ADDRS = [f"{LAB}.15.3"]
APP_CONF = "listen 8080\npassword=CliLabSecret\n"


@pytest.fixture(scope="module")
def cli_district():
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed")
    # mkdtemp + 0755/0777: the lab sshd reads keys and files as the unprivileged lab user.
    root = Path(tempfile.mkdtemp(prefix="ictops-backup-cli-"))
    root.chmod(0o755)
    work = root / "served"
    work.mkdir()
    work.chmod(0o777)
    (work / "app.conf").write_text(APP_CONF)
    (work / "only.conf").write_text("only file\n")
    for f in work.iterdir():
        f.chmod(0o666)
    project = make_project(root, SERVER_ADDRS, CISCO_ADDRS, HUAWEI_ADDRS)
    hosts = project.inventory_dir / "hosts.yaml"
    text = hosts.read_text()
    text = text.replace(
        "srv-1:\n", f"srv-1:\n  backup_files: ['{work}/app.conf', /etc/hostname]\n", 1
    )
    text = text.replace("srv-2:\n", f"srv-2:\n  backup_files: ['{work}/only.conf']\n", 1)
    # A short command timeout so that the stalling switch fails fast.
    text = text.replace(
        "sw-cisco-2:\n",
        "sw-cisco-2:\n  timeouts: {connect: 3, banner: 3, auth: 3, channel: 3, command: 4}\n",
        1,
    )
    hosts.write_text(text)
    try:
        d = start_district(project)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    d.work = work  # type: ignore[attr-defined]
    try:
        yield d
    finally:
        stop_district(d)


def _git(d, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(d.project.backups_dir), *args], capture_output=True, text=True, check=False
    )


def _commits(d) -> int:
    proc = _git(d, "rev-list", "--count", "HEAD")
    return int(proc.stdout.strip()) if proc.returncode == 0 else 0


def _by_host(payload: dict) -> dict[str, dict]:
    return {r["host"]: r for r in payload["results"]}


def _configure(d, name: str, lines: list[str]) -> None:
    session = open_session(d.inventory.hosts[name], d.project)
    try:
        session.configure(lines)
    finally:
        session.close()


def _read_over_ssh(d, name: str, path: Path) -> str:
    session = open_session(d.inventory.hosts[name], d.project)
    try:
        return session.run(f"cat {path}", timeout=10).stdout
    finally:
        session.close()


def test_two_backups_without_change_make_one_commit(cli_district) -> None:
    code, first = cli_district.ictops_json("backup")
    assert code == 0, first
    assert {r["status"] for r in first["results"]} == {"changed"}, first["results"]
    assert first["commit"]
    commits = _commits(cli_district)  # the store's root commit + this run's

    proc = cli_district.ictops("backup")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no change, no commit" in proc.stdout
    assert "changed=0" in proc.stdout and "ok=5" in proc.stdout
    assert _commits(cli_district) == commits


def test_switch_change_makes_a_commit_whose_diff_is_that_change(cli_district) -> None:
    before = _commits(cli_district)
    _configure(
        cli_district,
        "sw-cisco-1",
        ["interface GigabitEthernet1/0/1", "description ictops-cli-test"],
    )
    code, check = cli_district.ictops_json("backup", "--check", "-l", "role=switch")
    assert code == 0, check
    assert _by_host(check)["sw-cisco-1"]["message"].startswith("check: would store")
    assert check["commit"] is None and "nothing committed" in check["note"]
    assert _commits(cli_district) == before and _git(cli_district, "status", "--porcelain").stdout == ""

    code, payload = cli_district.ictops_json("backup", "-l", "role=switch")
    assert code == 0, payload
    results = _by_host(payload)
    assert results["sw-cisco-1"]["status"] == "changed", results["sw-cisco-1"]
    assert results["sw-cisco-2"]["status"] == results["sw-huawei-1"]["status"] == "ok"
    assert payload["commit"] and _commits(cli_district) == before + 1
    assert payload["note"].startswith(f"backup commit {payload['commit'][:12]}: 1 changed")

    diff = cli_district.ictops("backup", "diff", "sw-cisco-1")
    assert diff.returncode == 0, diff.stderr
    changed = [
        line
        for line in diff.stdout.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # The interface's old description (if any) is replaced: that and nothing else.
    added = [line.strip() for line in changed if line.startswith("+")]
    removed = [line.strip() for line in changed if line.startswith("-")]
    assert added == ["+ description ictops-cli-test"], diff.stdout
    assert len(removed) <= 1 and all(r.startswith("- description ") for r in removed), diff.stdout


def test_history_and_show(cli_district) -> None:
    hist = cli_district.ictops("backup", "history", "sw-cisco-1")
    assert hist.returncode == 0, hist.stderr
    lines = hist.stdout.strip().splitlines()
    assert len(lines) == 2 and "backup run" in lines[0], hist.stdout
    oldest = lines[-1].split()[0]
    # one display zone: the history's time is the trail's time (both Bangkok, same format)
    shown_at = dt.datetime.strptime(" ".join(lines[0].split()[1:3]), "%Y-%m-%d %H:%M:%S")
    trail = cli_district.ictops("log", "show", "--host", "sw-cisco-1", "--last", "1")
    logged_at = dt.datetime.strptime(" ".join(trail.stdout.split()[:2]), "%Y-%m-%d %H:%M:%S")
    assert abs((shown_at - logged_at).total_seconds()) < 120, (hist.stdout, trail.stdout)

    now = cli_district.ictops("backup", "show", "sw-cisco-1")
    assert now.returncode == 0 and "description ictops-cli-test" in now.stdout
    assert now.stdout.rstrip().endswith("end")
    old = cli_district.ictops("backup", "show", "sw-cisco-1", "--rev", oldest)
    assert old.returncode == 0 and "description ictops-cli-test" not in old.stdout
    shown = [line for line in old.stdout.splitlines() if line.startswith("enable secret")]
    assert shown and all(line.endswith("<removed>") for line in shown), shown
    raw = (cli_district.project.backups_dir / "school-a" / "sw-cisco-1" / "running-config.txt").read_text()
    assert any(line.startswith("enable secret") and "<removed>" not in line for line in raw.splitlines())

    listing = cli_district.ictops("backup", "show", "srv-1")
    assert "files/etc/hostname" in listing.stdout and "app.conf" in listing.stdout
    conf = cli_district.ictops("backup", "show", "srv-1", "--file", f"{cli_district.work}/app.conf")
    assert conf.returncode == 0 and "listen 8080" in conf.stdout
    assert "CliLabSecret" not in conf.stdout  # masked on the terminal

    missing = cli_district.ictops("backup", "history", "no-such-host")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    bad_rev = cli_district.ictops("backup", "show", "sw-cisco-1", "--rev", "deadbeef")
    assert bad_rev.returncode == 2 and "unknown backup revision" in bad_rev.stderr


@pytest.mark.parametrize("fault", ["truncate", "stall"])
def test_faulty_switch_keeps_its_last_good_backup(cli_district, fault: str) -> None:
    host = cli_district.inventory.hosts["sw-cisco-2"]
    store_file = cli_district.project.backups_dir / "school-a" / "sw-cisco-2" / "running-config.txt"
    good = store_file.read_text()
    before = _commits(cli_district)
    cli_district.lab.set_fault(host, fault)
    try:
        proc = cli_district.ictops("backup", "-l", "sw-cisco-2")
    finally:
        cli_district.lab.set_fault(host, None)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "failed" in proc.stdout
    reason = {"truncate": "invalid_output", "stall": "timeout"}[fault]
    assert reason in proc.stdout, proc.stdout
    assert store_file.read_text() == good
    assert _commits(cli_district) == before


def test_server_whose_files_vanished_keeps_its_last_good_backup(cli_district) -> None:
    only = cli_district.work / "only.conf"
    stored = (
        cli_district.project.backups_dir / "school-a" / "srv-2" / "files"
        / str(only).lstrip("/")
    )
    assert stored.read_text() == "only file\n"
    only.unlink()
    try:
        code, payload = cli_district.ictops_json("backup", "-l", "srv-2")
    finally:
        only.write_text("only file\n")
        only.chmod(0o666)
    result = _by_host(payload)["srv-2"]
    assert code == 1 and result["status"] == "failed", result
    assert "no file found" in result["message"] and "last good backup is kept" in result["message"]
    assert stored.read_text() == "only file\n"


def test_restore_server_check_then_real(cli_district) -> None:
    conf = cli_district.work / "app.conf"
    rev = cli_district.ictops("backup", "history", "srv-1").stdout.split()[0]
    conf.write_text("listen 9090\npassword=CliLabSecret\n")

    check = cli_district.ictops("backup", "restore", "srv-1", "--rev", rev, "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "+listen 8080" in check.stdout and "-listen 9090" in check.stdout
    assert "CliLabSecret" not in check.stdout
    assert f"srv-1: changed check: would restore {conf} from backup {rev[:12]}" in check.stdout
    assert _read_over_ssh(cli_district, "srv-1", conf).startswith("listen 9090")

    real = cli_district.ictops("backup", "restore", "srv-1", "--rev", rev)
    assert real.returncode == 0, real.stdout + real.stderr
    assert "restored 1 file(s)" in real.stdout
    assert _read_over_ssh(cli_district, "srv-1", conf) == APP_CONF

    again = cli_district.ictops("backup", "restore", "srv-1", "--rev", rev)
    assert again.returncode == 0 and "match backup" in again.stdout
    # every restore is in the audit trail (process 6 step 5; the check under the plan step)
    trail = cli_district.project.state_dir / "audit" / "trail.jsonl"
    records = [json.loads(line) for line in trail.read_text().splitlines()]
    restores = [(r["host"], r["status"], r["process"], r["step"]) for r in records
                if r["action"] == "backup restore"]
    assert restores == [("srv-1", "changed", 6, 2), ("srv-1", "changed", 6, 5), ("srv-1", "ok", 6, 5)]


def test_restore_switch_pushes_the_revision_back(cli_district) -> None:
    d = cli_district
    oldest = d.ictops("backup", "history", "sw-cisco-1").stdout.strip().splitlines()[-1].split()[0]
    _configure(d, "sw-cisco-1", ["interface GigabitEthernet1/0/2", "description by-hand"])
    before = d.running_config("sw-cisco-1")
    commits = _commits(d)
    check = d.ictops("backup", "restore", "sw-cisco-1", "--rev", oldest, "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    commands = [line[1:] for line in check.stdout.splitlines()
                if line.startswith("+") and not line.startswith("+++")]
    assert commands[:2] == ["interface GigabitEthernet1/0/1", " description UPLINK-TO-ESAO-CORE"]
    assert commands[3:5] == ["interface GigabitEthernet1/0/2", " description DIRECTOR-ROOM"], commands
    assert f"check: would send {len(commands)} configuration command(s)" in check.stdout
    assert d.running_config("sw-cisco-1") == before and _commits(d) == commits  # check writes nothing

    real = d.ictops("backup", "restore", "sw-cisco-1", "--rev", oldest)
    assert real.returncode == 0, real.stdout + real.stderr
    assert f"sw-cisco-1: changed sent {len(commands)} command(s)" in real.stdout
    assert "verified" in real.stdout
    now = d.running_config("sw-cisco-1")
    assert "ictops-cli-test" not in now and "by-hand" not in now
    # the pre-change backup was committed before anything was sent
    assert _commits(d) == commits + 1
    latest = d.ictops("backup", "show", "sw-cisco-1").stdout
    assert "description by-hand" in latest and "description ictops-cli-test" in latest

    again = d.ictops("backup", "restore", "sw-cisco-1", "--rev", oldest)
    assert again.returncode == 0 and f"already as backup {oldest[:12]}" in again.stdout, again.stdout


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_kill_9_mid_run_leaves_a_consistent_store(cli_district) -> None:
    d = cli_district
    lock = d.project.backups_dir.with_name("backups.lock")
    running = d.project.backups_dir / "school-a" / "sw-huawei-1" / "running-config.txt"
    before = _commits(d)
    _configure(d, "sw-huawei-1", ["interface GigabitEthernet0/0/1", "description ictops-kill-test"])
    # The stalling switch keeps the run open for its command timeout (4 s).
    d.lab.set_fault(d.inventory.hosts["sw-cisco-2"], "stall")
    env = dict(os.environ, ICTOPS_PROJECT=str(d.project.root))
    proc = subprocess.Popen(
        [*ICTOPS, "backup", "-l", "role=switch"], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        _wait_for(lambda: lock.exists() and lock.read_text().startswith("pid"), 30, "the run lock")
        _wait_for(lambda: "ictops-kill-test" in running.read_text(), 30, "the staged change")
        # a second changing run is refused by the project lock, naming the running backup
        busy = d.ictops("backup", "-l", "sw-cisco-1")
        assert busy.returncode == 75, busy.stderr
        assert busy.stderr.startswith(f"ictops: error: another ictops run holds the project lock: "
                                      f"pid {proc.pid}, operator ")
        assert ", backup, since " in busy.stderr
        assert proc.poll() is None, "the run ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        d.lab.set_fault(d.inventory.hosts["sw-cisco-2"], None)
    assert proc.returncode == -signal.SIGKILL
    assert _commits(d) == before  # nothing committed by the killed run

    fsck = _git(d, "fsck", "--full", "--strict")
    assert fsck.returncode == 0 and not fsck.stderr.strip(), fsck.stderr

    trail = d.project.state_dir / "audit" / "trail.jsonl"
    records = [json.loads(line) for line in trail.read_text().splitlines() if line.startswith("{")]
    killed = lock.read_text().split(", ")[1].removeprefix("run ")  # the lock still names it
    assert [r for r in records if r["run_id"] == killed and r["action"] == "backup"] == []
    code, payload = d.ictops_json("backup", "-l", "role=switch")
    assert code == 0, payload
    assert payload["note"].startswith(f"recovered: run {killed} was stopped before its commit: "
                                      "the staged backups of ")
    assert "sw-huawei-1" in payload["note"].split(";")[0]
    assert _by_host(payload)["sw-huawei-1"]["status"] == "changed"
    assert payload["commit"] and _commits(d) == before + 1
    assert _git(d, "fsck", "--full", "--strict").returncode == 0
    assert _git(d, "status", "--porcelain").stdout == ""


def test_sigterm_mid_run_stores_and_records_exactly_what_completed(cli_district) -> None:
    """SIGTERM (what cron and systemd send) while one switch stalls: the switches that were
    backed up are committed and recorded as stored with that commit; the stalled one is
    interrupted and stores nothing; exit 143; the trail and the store agree."""
    d = cli_district
    hosts_file = d.project.inventory_dir / "hosts.yaml"
    original = hosts_file.read_text()
    # The stalled switch holds the run open until the signal (its own timeout is long).
    hosts_file.write_text(original.replace("command: 4}", "command: 120}", 1))
    running = d.project.backups_dir / "school-a" / "sw-huawei-1" / "running-config.txt"
    _configure(d, "sw-huawei-1", ["interface GigabitEthernet0/0/1", "description ictops-term-test"])
    before = _commits(d)
    d.lab.set_fault(d.inventory.hosts["sw-cisco-2"], "stall")
    env = dict(os.environ, ICTOPS_PROJECT=str(d.project.root))
    proc = subprocess.Popen(
        [*ICTOPS, "backup", "-l", "role=switch", "--json"], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        _wait_for(lambda: "ictops-term-test" in running.read_text(), 60, "the staged change")
        assert proc.poll() is None, "the run ended before the signal"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        d.lab.set_fault(d.inventory.hosts["sw-cisco-2"], None)
        hosts_file.write_text(original)
    assert proc.returncode == 143, out + err
    payload = json.loads(out)
    head = _git(d, "rev-parse", "HEAD").stdout.strip()
    assert payload["interrupted"] == "SIGTERM" and payload["commit"] == head
    assert _commits(d) == before + 1 and _git(d, "status", "--porcelain").stdout == ""
    by_host = _by_host(payload)
    assert by_host["sw-huawei-1"]["status"] == "changed"
    assert by_host["sw-huawei-1"]["message"].startswith(f"stored in {head[:12]}: ")
    assert (by_host["sw-cisco-2"]["status"], by_host["sw-cisco-2"]["error_kind"]) == ("failed", "interrupted")
    assert "ictops-term-test" in _git(d, "show", f"{head}:school-a/sw-huawei-1/running-config.txt").stdout
    trail = d.project.state_dir / "audit" / "trail.jsonl"
    mine = [json.loads(line) for line in trail.read_text().splitlines() if payload["run_id"] in line]
    stored = {(r["host"], r["status"], (r["data"] or {}).get("commit")) for r in mine if r["kind"] == "action"}
    assert ("sw-huawei-1", "changed", head) in stored and ("sw-cisco-2", "failed", None) in stored
    assert all(commit == (head if status == "changed" else None)
               for _, status, commit in stored)  # stored in the commit, or not at all
    ends = [r for r in mine if r["action"] == "backup.interrupted"]
    assert [(e["status"], e["summary"].split(":")[0]) for e in ends] == [
        ("interrupted", "backup interrupted by SIGTERM")]
    assert d.ictops("log", "verify").returncode == 0
