"""Formatters (table, JSON, JUnit), backup evidence layout, score and exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from ictops.backup.store import host_backup_dir
from ictops.compliance import (
    BackupEvidence,
    Severity,
    StaticEvidence,
    Verdict,
    evaluate,
    exit_code,
    fleet_summary,
)
from ictops.compliance.output import render, render_json, render_junit, render_table
from ictops.errors import ExitCode

from .conftest import GOOD_IOS, make_host


@pytest.fixture
def audits(pack):
    good = evaluate(pack, make_host(), StaticEvidence(GOOD_IOS, age_days=1, saved=True))
    bad_text = (
        GOOD_IOS.replace("ip ssh version 2\n", "")
        .replace("no ip http server", "ip http server")
        .replace("\nend\n", "\nsnmp-server community public RO\nend\n")
    )
    bad_host = make_host()
    bad = evaluate(
        pack, type(bad_host)(**{**bad_host.__dict__, "name": "sw-bad"}), StaticEvidence(bad_text)
    )
    return [good, bad]


def test_json(audits):
    document = json.loads(render_json(audits))
    assert document["summary"]["hosts"] == 2
    assert document["summary"]["failing_hosts"] == ["sw-bad"]
    results = {r["rule"]: r for r in document["hosts"][1]["results"]}
    assert results["NET-MGMT-05"]["status"] == "fail"
    assert "public" not in results["NET-MGMT-05"]["evidence"]


def test_junit(audits):
    root = ET.fromstring(render_junit(audits).split("\n", 1)[1])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["h-cisco_ios", "sw-bad"]
    bad = suites[1]
    failures = bad.findall("testcase/failure")
    assert int(bad.get("failures")) == len(failures) >= 3
    assert (
        len(bad.findall("testcase/error")) == int(bad.get("errors")) >= 1
    )  # NET-TIME-02, NET-BAK-01
    assert len(bad.findall("testcase/skipped")) == int(bad.get("skipped")) > 0  # the LNX rules
    assert root.get("tests") == str(sum(int(s.get("tests")) for s in suites))


def test_table(audits):
    text = render_table(audits, width=200)
    assert "NET-MGMT-01" in text and "FAIL" in text and "compliance summary" in text
    assert "LNX-SSH-01" not in text  # N/A hidden by default
    assert "ไม่ผ่าน" in render(audits, "table", language="th", width=200)
    with pytest.raises(ValueError):
        render(audits, "xml")


def test_score_and_exit_code(audits):
    good, bad = audits
    assert bad.score is not None and bad.score < good.score
    assert exit_code(audits, "critical") == ExitCode.OK  # no critical rule failed
    assert exit_code(audits, "high") == ExitCode.FAILED
    assert exit_code([good], "info") == ExitCode.OK
    assert exit_code(audits, None) == ExitCode.OK
    with pytest.raises(ValueError, match="unknown severity"):
        exit_code(audits, "severe")
    assert fleet_summary(audits).counts["fail"] == len(bad.failed())
    assert bad.failed(Severity.HIGH)


def test_backup_evidence_layout(tmp_path, pack):
    host = make_host()
    directory = host_backup_dir(tmp_path / "state" / "backups", host)
    assert directory == tmp_path / "state" / "backups" / "nong" / "h-cisco_ios"
    directory.mkdir(parents=True)
    (directory / "running-config.txt").write_text(GOOD_IOS)
    (directory / "startup-config.txt").write_text(GOOD_IOS)
    now = datetime(2025, 1, 10, tzinfo=timezone.utc)
    (directory / "meta.json").write_text(
        json.dumps(
            {
                "platform": "cisco_ios",
                "taken_at": (now - timedelta(days=2)).isoformat().replace("+00:00", "Z"),
                "running_equals_startup": True,
                "run": "r1",
            }
        )
    )
    evidence = BackupEvidence(directory, now=now)
    assert evidence.backup_age_days() == pytest.approx(2)
    result = evaluate(pack, host, evidence, rule_ids=["NET-BAK-01", "NET-MGMT-01"])
    assert [r.status for r in result.results] == [Verdict.PASS, Verdict.PASS]
    assert result.source.startswith("backup of 2025-01-08")


def test_net_bak_01_counts_the_last_successful_backup_not_the_last_change(tmp_path, pack):
    """A switch that never changes is backed up every night: its config's last change is old,
    its last good backup (the store's status file) is last night."""
    host = make_host()
    backups = tmp_path / "state" / "backups"
    directory = host_backup_dir(backups, host)
    directory.mkdir(parents=True)
    (directory / "running-config.txt").write_text(GOOD_IOS)
    now = datetime(2025, 1, 10, tzinfo=timezone.utc)
    (directory / "meta.json").write_text(json.dumps({
        "host": host.name, "platform": "cisco_ios", "taken_at": "2024-11-01T00:00:00Z",
        "running_equals_startup": True}))
    evidence = BackupEvidence(directory, now=now)
    assert evidence.backup_age_days() == pytest.approx(70)  # no status file: the last change
    (tmp_path / "state" / "backups.status.json").write_text(json.dumps({
        host.name: {"host": host.name, "last_seen": "2025-01-09T00:00:00Z"}}))
    evidence = BackupEvidence(directory, now=now)
    assert evidence.backup_age_days() == pytest.approx(1)
    result = evaluate(pack, host, evidence, rule_ids=["NET-BAK-01"])
    assert [r.status for r in result.results] == [Verdict.PASS]


def test_backup_evidence_server_files(tmp_path, pack):
    host = make_host("linux")
    directory = host_backup_dir(tmp_path, host)
    (directory / "files" / "etc" / "logrotate.d").mkdir(parents=True)
    (directory / "commands").mkdir()
    (directory / "files" / "etc" / "logrotate.conf").write_text("weekly\nrotate 4\n")
    (directory / "files" / "etc" / "logrotate.d" / "rsyslog").write_text(
        "/var/log/syslog\n{\n rotate 20\n}\n"
    )
    (directory / "commands" / "sshd_effective.txt").write_text("permitrootlogin yes\n")
    evidence = BackupEvidence(directory)
    assert evidence.glob("/etc/logrotate.d/*") == ["/etc/logrotate.d/rsyslog"]
    result = evaluate(pack, host, evidence, rule_ids=["LNX-LOG-03", "LNX-SSH-01", "LNX-TIME-01"])
    statuses = {r.rule_id: r.status for r in result.results}
    assert statuses == {
        "LNX-LOG-03": Verdict.PASS,
        "LNX-SSH-01": Verdict.FAIL,
        "LNX-TIME-01": Verdict.ERROR,
    }


def test_backup_evidence_reads_why_a_command_could_not_run(tmp_path, pack):
    host = make_host("linux")
    directory = host_backup_dir(tmp_path, host)
    directory.mkdir(parents=True)
    (directory / "meta.json").write_text(
        json.dumps({"commands_na": {"timedatectl": "systemd is not running"}})
    )
    evidence = BackupEvidence(directory)
    assert evidence.not_applicable("timedatectl") == "systemd is not running"
    assert evidence.not_applicable("timedatectl show") == "systemd is not running"  # literal
    assert evidence.not_applicable("chrony_tracking") is None
    result = evaluate(pack, host, evidence, rule_ids=["LNX-TIME-01", "LNX-TIME-03"])
    found = {r.rule_id: (r.status, r.message) for r in result.results}
    assert found == {
        "LNX-TIME-01": (
            Verdict.NA,
            "systemd is not running ('timedatectl' cannot run on this host)",
        ),
        "LNX-TIME-03": (Verdict.ERROR, "no output of 'chrony_tracking' in the evidence"),
    }
