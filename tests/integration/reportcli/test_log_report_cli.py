"""`ictops log verify/show/prune` and `ictops report` through the real CLI on a temp project.

No lab: records are written with AuditTrail, then the CLI reads them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ictops.audit import AuditTrail

ICTOPS = [sys.executable, "-m", "ictops"]
HOSTS = "srv-1:\n  hostname: 127.0.22.1\n  platform: linux\n"


def run(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "ICTOPS_AUDIT_KEY_FILE"}
    full.update(ICTOPS_PROJECT=str(root), COLUMNS="200", **(env or {}))
    return subprocess.run([*ICTOPS, *args], capture_output=True, text=True, env=full,
                          timeout=180, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(HOSTS)
    (tmp_path / "inventory" / "defaults.yaml").write_text("data:\n  office: สำนักงานทดสอบ\n")
    start = dt.datetime(2026, 11, 20, 19, 0, tzinfo=dt.timezone.utc)
    ticks = iter(range(1000))
    with AuditTrail.in_state(tmp_path / "state", run_id="R1", operator="somchai",
                             clock=lambda: start + dt.timedelta(seconds=next(ticks))) as trail:
        trail.append(action="backup", status="ok", host="srv-1", process=4, step=5, summary="สำรองการตั้งค่าแล้ว")
        trail.append(action="backup", status="unreachable", host="sw-1", process=4, step=5,
                     summary="เชื่อมต่อ SSH ไม่ได้ภายในเวลาที่กำหนด", error_kind="unreachable")
        trail.append(action="cmd", status="changed", host="srv-1", process=6, step=5,
                     summary="restarted nginx", diff="-a\n+b")
    return tmp_path


def trail_file(root: Path) -> Path:
    return root / "state" / "audit" / "trail.jsonl"


def test_verify_ok_then_edit_is_named(project: Path) -> None:
    proc = run(project, "log", "verify")
    assert proc.returncode == 0 and "OK, 3 records" in proc.stdout, proc.stdout + proc.stderr
    lines = trail_file(project).read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"unreachable"', '"ok"', 1)
    trail_file(project).write_text("".join(lines))
    proc = run(project, "log", "verify")
    assert proc.returncode == 1
    assert "line 2 (seq 2)" in proc.stdout and "edited" in proc.stdout


def test_deleted_record_is_named(project: Path) -> None:
    lines = trail_file(project).read_text().splitlines(keepends=True)
    trail_file(project).write_text(lines[0] + lines[2])
    proc = run(project, "log", "verify", "--json")
    assert proc.returncode == 1
    first = json.loads(proc.stdout)["problems"][0]
    assert (first["line"], first["seq"]) == (2, 3) and "deleted" in first["what"]


def test_torn_last_line_is_reported_as_such(project: Path) -> None:
    with open(trail_file(project), "ab") as handle:
        handle.write(b'{"seq":4,"time":"2026-11-2')
    proc = run(project, "log", "verify")
    assert proc.returncode == 0, proc.stdout
    assert "line 4: torn last line" in proc.stdout


def test_show_filters_and_bangkok_time(project: Path) -> None:
    proc = run(project, "log", "show", "--process", "4", "--status", "unreachable")
    assert proc.returncode == 0
    assert "sw-1" in proc.stdout and "srv-1" not in proc.stdout and "1 record(s)" in proc.stdout
    assert "2026-11-21 02:00:01" in proc.stdout  # 19:00:01 UTC shown in Bangkok
    proc = run(project, "log", "show", "--host", "srv-*", "--json")
    recs = json.loads(proc.stdout)
    assert [r["action"] for r in recs] == ["backup", "cmd"]
    assert recs[0]["time_bangkok"].endswith("+07:00")
    assert "-a\n+b" not in proc.stdout and recs[1]["changed_digest"]
    proc = run(project, "log", "show", "--since", "2026-11-22")
    assert "0 record(s)" in proc.stdout


def test_show_reads_buddhist_era_years_and_says_so(project: Path) -> None:
    proc = run(project, "log", "show", "--since", "2569-11-21")  # B.E. 2569 = C.E. 2026
    assert proc.returncode == 0 and "3 record(s)" in proc.stdout, proc.stdout + proc.stderr
    assert "note: --since '2569-11-21' read as Buddhist Era 2569: 2026-11-21 C.E." in proc.stderr
    proc = run(project, "log", "show", "--until", "2569-11-20")
    assert "0 record(s)" in proc.stdout and "--until '2569-11-20' read as Buddhist Era" in proc.stderr
    proc = run(project, "log", "show", "--since", "31-12-2026")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--since: cannot read '31-12-2026' as a date; write 2569-12-01 (B.E.)" in proc.stderr


def test_prune_refuses_less_than_90_days(project: Path) -> None:
    proc = run(project, "log", "prune", "--keep-days", "30")
    assert proc.returncode == 2
    assert "Computer Crime Act" in proc.stderr and "90" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run(project, "log", "prune", "--keep-days", "90")
    assert proc.returncode == 0 and "nothing older than 90 days" in proc.stdout


def test_hmac_key_file(project: Path, tmp_path_factory) -> None:
    key = tmp_path_factory.mktemp("key") / "audit.key"
    key.write_text("k" * 32)
    key.chmod(0o600)
    # turning the key on for an existing trail: noted, not failed...
    proc = run(project, "log", "verify", "--key-file", str(key))
    assert proc.returncode == 0, proc.stdout
    assert "none of the 3 record(s) is signed: the HMAC key was turned on after them" in proc.stdout
    # ...and the next record written is the signed switch-over, so it verifies from then on
    env = {"ICTOPS_AUDIT_KEY_FILE": str(key)}
    assert run(project, "report", "--format", "html", env=env).returncode == 0
    recs = [json.loads(x) for x in trail_file(project).read_text().splitlines()]
    assert [(r["action"], bool(r.get("hmac"))) for r in recs[3:]] == [
        ("audit.key_on", True), ("report.write", True)]
    proc = run(project, "log", "verify", "--key-file", str(key))
    assert proc.returncode == 0 and "seq 1-3 were written before the HMAC key was turned on" in proc.stdout


def test_operator_not_on_team_refused_before_any_host(project: Path) -> None:
    (project / "inventory" / "team.yaml").write_text(
        "office: X\nappointment: {number: '1/2568', date: 2024-10-01, signed_by: D}\n"
        "members:\n  - {name: Somchai, username: somchai, role: member}\n")
    proc = run(project, "cmd", "uptime", env={"ICTOPS_OPERATOR": "mallory"})
    assert proc.returncode == 2
    assert "not on the working team" in proc.stderr and "Traceback" not in proc.stderr
    proc = run(project, "report", "--format", "html", env={"ICTOPS_OPERATOR": "mallory"})
    assert proc.returncode == 2


def test_report_html_records_step_6(project: Path) -> None:
    proc = run(project, "report", "--run", "R1", "--format", "html", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip())
    assert path.parent == project / "state" / "reports" and path.name.endswith("-R1.html")
    html = path.read_text()
    assert "Data security and protection" in html  # process 4's English name
    last = json.loads(trail_file(project).read_text().splitlines()[-1])
    assert (last["process"], last["step"], last["action"], last["kind"]) == (2, 6, "report.write", "event")
    assert run(project, "log", "verify").returncode == 0
    # the report is a witness of the trail as it stood: 3 records
    assert "ictops trail head: seq 3 hash " in html
    agreed = run(project, "log", "verify", "--witness", str(path))
    assert agreed.returncode == 0 and f"witness agrees: {path}: seq 3" in agreed.stdout
    lines = trail_file(project).read_text().splitlines(keepends=True)
    trail_file(project).write_text("".join(lines[:2]))
    (project / "state" / "audit" / "head.json").write_text(json.dumps(
        {"seq": 2, "hash": json.loads(lines[1])["hash"]}))
    assert run(project, "log", "verify").returncode == 0
    caught = run(project, "log", "verify", "--witness", str(path))
    assert caught.returncode == 1 and "trail shorter than its witness" in caught.stdout


def test_report_pdf_thai_text_extracts(project: Path) -> None:
    assert shutil.which("chromium") and shutil.which("pdftotext"), (
        "chromium and poppler-utils are needed for the PDF (make test installs them)")
    comp = project / "state" / "compliance"
    comp.mkdir(parents=True)
    (comp / "a.json").write_text(json.dumps({"time": "2026-11-10T19:00:00Z", "hosts": [
        {"host": "srv-1", "results": [  # the `ictops audit --json` shape
            {"rule": "LNX-SSH-01", "status": "pass", "severity": "high"},
            {"rule": "LNX-PATCH-01", "status": "fail", "severity": "high", "evidence": "7",
             "message": "security updates are pending"}]}]}))
    (comp / "b.json").write_text(json.dumps({"time": "2026-11-20T19:00:00Z", "pack": "th-baseline",
        "hosts": {"srv-1": {"results": [  # the saved-audit shape; only one rule checked
            {"rule": "LNX-SSH-01", "status": "warn", "severity": "high"}]}}}))
    proc = run(project, "report", "--since", "2026-11-01", "--format", "pdf")
    assert proc.returncode == 0, proc.stderr
    pdf = Path(proc.stdout.strip())
    assert pdf.suffix == ".pdf" and pdf.name.endswith("-since-2026-11-01.pdf")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("สำนักงานทดสอบ", "ระบบตัวตนผู้ใช้บริการระบบ", "ให้คำปรึกษา", "แพตช์ที่รอติดตั้ง",
                     "เชื่อมต่อ SSH ไม่ได้ภายในเวลาที่กำหนด", "ปีงบประมาณ 2570", "25.0", "-25.0",
                     "ค้าง 7 รายการ", "เฉพาะกฎ LNX-SSH-01"):
        assert expected in text, expected
    agreed = run(project, "log", "verify", "--witness", str(pdf))  # the PDF is a witness too
    assert agreed.returncode == 0 and f"witness agrees: {pdf}: seq 3" in agreed.stdout, agreed.stdout
