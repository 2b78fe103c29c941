"""A small made-up district for trying the report without a lab run (``ictops report --sample``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ictops import clock
from ictops.facts.patches import Pending, PatchListing
from ictops.facts.server import RebootNeed
from ictops.patchlog import StoredListing
from ictops.report.model import ReportData, Signer
from ictops.report.scores import Audit, Scores, replay
from ictops.report.sources import patch_states

SAMPLE_PROCESS_NAMES = {2: "ติดตั้ง ดูแล บำรุงรักษา และพัฒนา", 4: "ระบบรักษาและความคุ้มครองความปลอดภัยข้อมูล"}
SAMPLE_STEP_NAMES = {
    (2, 2): "วางแผนการดำเนินงาน",
    (2, 5): "ดำเนินการตามแผน",
    (4, 3): "ตรวจสอบและจัดเก็บข้อมูลจราจรทางคอมพิวเตอร์",
}
SAMPLE_FAILURE_REASON = "เชื่อมต่อ SSH ไม่ได้ภายในเวลาที่กำหนด (connect timeout 10 s)"


def sample_records(start: datetime | None = None, nights: int = 3) -> list[dict[str, Any]]:
    """Audit-trail dicts for a few nightly runs over servers and switches."""
    start = start or datetime(2026, 11, 18, 19, 0, tzinfo=clock.UTC)
    hosts = ["srv-esa-web", "srv-esa-dns", "srv-ban-nong-1", "sw-esa-core", "sw-ban-nong-1"]
    records: list[dict[str, Any]] = []
    for night in range(nights):
        run_id = f"20261118T1900Z-{night + 1:02d}"
        t0 = start + timedelta(days=night)
        for i, host in enumerate(hosts):
            status = "changed" if night == 0 and i == 0 else "ok"
            if host == "sw-ban-nong-1" and night == nights - 1:
                status = "unreachable"
            records.append(
                {
                    "time": clock.stamp(t0 + timedelta(seconds=10 * i)),
                    "run_id": run_id,
                    "operator": "somchai",
                    "process": 2,
                    "step": 5,
                    "host": host,
                    "action": "backup",
                    "status": status,
                    "summary": SAMPLE_FAILURE_REASON
                    if status == "unreachable"
                    else "สำรองการตั้งค่าแล้ว",
                    "error_kind": "unreachable" if status == "unreachable" else None,
                    "duration": 2.5,
                }
            )
            audit_status = "failed" if host == "srv-ban-nong-1" else "ok"
            records.append(
                {
                    "time": clock.stamp(t0 + timedelta(seconds=300 + 10 * i)),
                    "run_id": run_id,
                    "operator": "somchai",
                    "process": 4,
                    "step": 3,
                    "host": host,
                    "action": "audit",
                    "status": audit_status,
                    "summary": "PermitRootLogin yes ขัดกับมาตรฐาน th-baseline"
                    if audit_status == "failed"
                    else "",
                    "error_kind": "command_failed" if audit_status == "failed" else None,
                    "duration": 1.0,
                }
            )
    return records


def sample_audits(now: datetime) -> Scores:
    """Three full audits a month apart, then a partial one of NET-MGMT-05 on the switches."""
    d0 = datetime(2026, 10, 1, 1, 0, tzinfo=clock.UTC)
    passing = {"srv-esa-web": [3, 4, 4], "srv-ban-nong-1": [3, 2, 2], "sw-esa-core": [4, 4, 4]}
    rules = ["LNX-SSH-01", "LNX-TIME-01", "LNX-LOG-01", "NET-MGMT-05"]
    audits: list[tuple[Audit, list[dict[str, Any]]]] = []
    for n, days in enumerate((0, 20, 50)):
        when = d0 + timedelta(days=days)
        hosts = [{"host": h, "results": [
            {"rule": r, "status": "pass" if i < passing[h][n] else "fail", "severity": "high"}
            for i, r in enumerate(rules)]} for h in passing]
        if n == 2:  # the latest full audit could not tell about patches on one server
            hosts[0]["results"].append({"rule": "LNX-PATCH-01", "status": "warn", "severity": "high",
                                        "message": "no apt update in the last 30 days"})
            hosts[1]["results"].append({"rule": "LNX-PATCH-01", "status": "fail", "severity": "high",
                                        "message": "security updates are pending", "evidence": "9"})
        audits.append((Audit(f"audit-{n}", when, "th-baseline", "backup", tuple(sorted(
            {r["rule"] for h in hosts for r in h["results"]})), len(hosts), f"audit-{n}.json"), hosts))
    partial = [{"host": "sw-esa-core", "results": [
        {"rule": "NET-MGMT-05", "status": "fail", "severity": "high"}]}]
    audits.append((Audit("audit-3", now - timedelta(hours=2), "th-baseline", "backup",
                         ("NET-MGMT-05",), 1, "audit-3.json"), partial))
    return replay(audits)


def sample_listings() -> dict[str, StoredListing]:
    """One server's real patch listing (``ictops patch list``): security first, held, reboot."""
    listing = PatchListing(
        updates=(Pending("openssl", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1", "3.0.16-1~deb12u1"),
                 Pending("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1")),
        held=("postgresql-15",), reboot=RebootNeed(True, ("linux-image-6.1.0-28-amd64",)),
        lists_age=3600.0)
    return {"srv-esa-dns": StoredListing("srv-esa-dns", "2026-11-20T19:00:00Z", "patch list",
                                         "20261121T0200Z-ab12", listing)}


def sample_report(now: datetime | None = None) -> ReportData:
    """A ReportData with every section filled in."""
    now = now or datetime(2026, 11, 21, 7, 0, tzinfo=clock.UTC)
    scores = sample_audits(now)
    backups: list[dict[str, Any]] = [
        {"host": "sw-esa-core", "last_good": "2026-11-20T19:00:30Z", "running_equals_startup": True},
        {"host": "sw-ban-nong-1", "last_good": "2026-11-05T19:00:40Z",
         "running_equals_startup": False, "last_failure_at": "2026-11-20T19:00:40Z"},
        {"host": "srv-esa-web", "last_good": "2026-11-20T19:00:00Z", "running_equals_startup": None},
        {"host": "srv-ban-nong-2", "last_good": None},
    ]
    return ReportData.from_records(
        sample_records(),
        scores,
        backups,
        patch_states(scores, ["srv-esa-web", "srv-esa-dns", "srv-ban-nong-1"], "th", sample_listings()),
        office="สำนักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1",
        now=now,
        reporter=Signer("นายสมชาย ใจดี", "นักวิชาการคอมพิวเตอร์ชำนาญการ"),
        director=Signer("นายวิเชียร ศรีสุวรรณ", "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1"),
        process_names=SAMPLE_PROCESS_NAMES,
        step_names=SAMPLE_STEP_NAMES,
    )
