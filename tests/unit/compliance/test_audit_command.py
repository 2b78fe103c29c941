"""``ictops audit`` offline: exit codes by --fail-on, JUnit XML, the saved audit, golden view."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ictops.actions.audit import audit_document, unavailable
from ictops.cli.audit_cmd import audit_exit_code
from ictops.cli.main import main
from ictops.compliance import HostCompliance, RuleResult, Severity, Verdict, load_pack
from ictops.errors import ExitCode, InputError
from ictops.lab.switchsim.configs import initial_config
from ictops.project import Project
from ictops.results import ActionResult, Status

REPO = Path(__file__).resolve().parents[3]

HOSTS = """\
sw-bad:
  hostname: 127.0.99.1
  platform: cisco_ios
  role: switch
  site: school-a
  data:
    domain_name: school.obec.go.th
    mgmt_vlan: 99
    mgmt_network: 10.20.99.0
    mgmt_wildcard: 0.0.0.255
    mgmt_acl: MGMT-ACCESS
    log_server: 10.20.0.10
    ntp_servers: [time1.nimt.or.th, time.navy.mi.th]
    vlans: [{id: 10, name: STAFF}, {id: 99, name: MANAGEMENT}]
sw-nobackup:
  hostname: 127.0.99.2
  platform: cisco_ios
  role: switch
"""


def _result(rule: str, status: Verdict, severity: Severity) -> RuleResult:
    return RuleResult(rule, "th", "en", status, severity, "msg")


def _host(*results: RuleResult) -> HostCompliance:
    return HostCompliance("h", "cisco_ios", "p", "given", tuple(results))


def _ok(host: str = "h", status: Status = Status.OK) -> ActionResult:
    return ActionResult(host=host, action="audit", status=status)


@pytest.mark.parametrize(
    "severity, fail_on, expected",
    [
        (Severity.MEDIUM, "high", ExitCode.OK),
        (Severity.HIGH, "high", ExitCode.FAILED),
        (Severity.CRITICAL, "high", ExitCode.FAILED),
        (Severity.LOW, "low", ExitCode.FAILED),
        (Severity.INFO, "low", ExitCode.OK),
        (Severity.INFO, "info", ExitCode.FAILED),
        (Severity.CRITICAL, "never", ExitCode.OK),
        (Severity.CRITICAL, None, ExitCode.OK),
    ],
)
def test_fail_on_threshold(severity, fail_on, expected):
    hosts = [_host(_result("R-1", Verdict.FAIL, severity), _result("R-2", Verdict.PASS, Severity.CRITICAL))]
    assert audit_exit_code(hosts, [_ok()], fail_on) == expected


def test_warn_and_error_never_fail_the_threshold():
    hosts = [_host(_result("R-1", Verdict.WARN, Severity.CRITICAL), _result("R-2", Verdict.ERROR, Severity.CRITICAL))]
    assert audit_exit_code(hosts, [_ok()], "info") == ExitCode.OK


@pytest.mark.parametrize("status", [Status.UNREACHABLE, Status.FAILED])
def test_unreachable_host_fails_whatever_the_threshold(status):
    assert audit_exit_code([], [_ok(), _ok("x", status)], "never") == ExitCode.FAILED


def test_skipped_host_without_backup_does_not_fail():
    assert audit_exit_code([], [_ok("x", Status.SKIPPED)], "info") == ExitCode.OK


# --- the command, on a project whose backup is written by hand -----------------------------


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(HOSTS, encoding="utf-8")
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    host_dir = tmp_path / "state" / "backups" / "school-a" / "sw-bad"
    host_dir.mkdir(parents=True)
    config = initial_config("cisco_ios", "SW-BAD", "noncompliant")
    (host_dir / "running-config.txt").write_text(config, encoding="utf-8")
    (host_dir / "startup-config.txt").write_text(config, encoding="utf-8")
    (host_dir / "meta.json").write_text(
        json.dumps({"platform": "cisco_ios", "taken_at": "2099-01-01T00:00:00Z"}), encoding="utf-8"
    )
    return Project.at(tmp_path)


def _ictops(project: Project, *args: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["--project", str(project.root), "audit", *args])
    return int(exited.value.code or 0)


def test_junit_output_parses_and_counts_failures(project, capsys):
    code = _ictops(project, "--format", "junit", "--fail-on", "critical")
    assert code == ExitCode.FAILED  # NET-AUTH-01 (critical) fails: 'enable password'
    root = ET.fromstring(capsys.readouterr().out)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"sw-bad", "sw-nobackup"}
    bad = suites["sw-bad"]
    failed = {c.get("name").split()[0] for c in bad.findall("testcase") if c.find("failure") is not None}
    assert {"NET-AUTH-01", "NET-MGMT-02", "NET-MGMT-05"} <= failed
    assert int(bad.get("failures")) == len(failed)
    assert int(root.get("failures")) == len(failed)
    errors = [c for c in suites["sw-nobackup"].findall("testcase") if c.find("error") is not None]
    assert errors and all("no backup yet" in c.find("error").get("message") for c in errors)
    assert "Sch00l@2019" not in ET.tostring(root, encoding="unicode")  # the enable password


def test_junit_to_a_file_and_never_threshold(project, tmp_path, capsys):
    out = tmp_path / "reports" / "audit.xml"
    assert _ictops(project, "--format", "junit", "-o", str(out), "--fail-on", "never") == 0
    assert ET.parse(out).getroot().get("tests")
    assert capsys.readouterr().out == ""


def test_saved_audit_document(project, capsys):
    assert _ictops(project, "--format", "json", "--fail-on", "never") == 0
    printed = json.loads(capsys.readouterr().out)
    saved_files = list((project.state_dir / "compliance").glob("*.json"))
    assert len(saved_files) == 1
    saved = json.loads(saved_files[0].read_text("utf-8"))
    assert saved["run_id"] == printed["run_id"] == saved_files[0].stem
    assert saved["time"].endswith("Z") and saved["pack"] == "th-baseline"
    assert set(saved["fleet"]) >= {"score", "counts"}
    assert set(saved["fleet"]["counts"]) == {"pass", "fail", "warn", "na", "error"}
    bad = saved["hosts"]["sw-bad"]
    assert set(bad) >= {"score", "counts", "results"}
    assert set(bad["results"][0]) == {"rule", "status", "severity", "message", "evidence"}
    assert bad["counts"]["fail"] == sum(r["status"] == "fail" for r in bad["results"])
    assert saved["hosts"]["sw-nobackup"]["score"] is None
    assert "Sch00l@2019" not in saved_files[0].read_text("utf-8")


def test_rule_filter_and_bad_input(project, capsys):
    # NET-MGMT-03 is medium: below the default threshold (high)
    assert _ictops(project, "--rule", "NET-MGMT-03", "--format", "json", "-l", "sw-bad") == 0
    document = json.loads(capsys.readouterr().out)
    assert [r["rule"] for r in document["hosts"][0]["results"]] == ["NET-MGMT-03"]
    assert _ictops(project, "--rule", "NET-NOPE-01") == ExitCode.BAD_INPUT
    assert _ictops(project, "--pack", "nope") == ExitCode.BAD_INPUT
    assert "no rule pack named 'nope'" in capsys.readouterr().err


def test_broken_pack_file_is_file_and_line(project, capsys):
    broken = project.root / "rules" / "broken.yaml"
    broken.write_text("pack: broken\nversion: 1\ntitle: {th: x, en: x}\nvars: {}\nrules:\n  - id: X-1\n    severty: high\n", "utf-8")
    assert _ictops(project, "--pack", "broken") == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "rules/broken.yaml:7:" in err and "severity" in err


def test_table_in_thai(project, capsys):
    _ictops(project, "-l", "sw-bad", "--lang", "th")
    assert "ไม่ผ่าน" in capsys.readouterr().out


def test_golden_view_shows_missing_lines_and_remediation(project, capsys):
    assert _ictops(project, "golden", "-l", "sw-bad", "--remediation") == ExitCode.FAILED
    out = capsys.readouterr().out
    assert "drifted" in out and "- ip ssh version 2" in out
    assert "remediation:" in out and "no ip http server" in out


def test_golden_json_and_missing_backup(project, capsys):
    assert _ictops(project, "golden", "--json") == ExitCode.FAILED
    document = json.loads(capsys.readouterr().out)
    assert [h["host"] for h in document["hosts"]] == ["sw-bad"]
    assert document["problems"][0]["host"] == "sw-nobackup"


# --- the action, as a playbook uses it -------------------------------------------------------


def test_built_like_a_playbook_step(project):
    from pydantic import ValidationError

    from ictops.actions.audit import Args, build

    action = build(Args(pack="th-baseline", from_backup=True, live_rules=True), project)
    assert action.mode == "backup+live-rules" and not action.live
    assert build(Args(live=True), project).mode == "live"
    with pytest.raises(ValidationError, match="pak"):
        Args.model_validate({"pak": "x"})
    with pytest.raises(ValidationError, match="exclude each other"):
        Args(live=True, from_backup=True)
    with pytest.raises(InputError, match="has no rule NOPE-1"):
        build(Args(rules=["NOPE-1"]), project)


def test_document_masks_and_counts():
    pack = load_pack(REPO / "rules" / "th-baseline.yaml")
    from tests.unit.compliance.conftest import make_host

    missing = unavailable(pack, make_host(), "no backup yet: run ictops backup", "no backup")
    document = audit_document("r1", __import__("datetime").datetime(2026, 1, 2, 3, 4, 5), pack.name, "backup", [missing])
    host = document["hosts"][missing.host]
    assert host["counts"]["error"] > 0 and host["counts"]["na"] > 0
    assert document["fleet"]["score"] is None
