"""A small made-up district for trying the report without a lab run (``ictops report --sample``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ictops import clock
from ictops.report.model import ReportData

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


def sample_report(now: datetime | None = None) -> ReportData:
    """A ReportData with every section filled in."""
    now = now or datetime(2026, 11, 21, 7, 0, tzinfo=clock.UTC)
    d0 = date(2026, 10, 1)
    compliance = {
        "srv-esa-web": [
            (d0, 82.0),
            (d0 + timedelta(days=20), 90.0),
            (d0 + timedelta(days=50), 95.0),
        ],
        "srv-ban-nong-1": [
            (d0, 70.0),
            (d0 + timedelta(days=20), 65.0),
            (d0 + timedelta(days=50), 60.0),
        ],
        "sw-esa-core": [
            (d0, 88.0),
            (d0 + timedelta(days=20), 88.0),
            (d0 + timedelta(days=50), 92.5),
        ],
    }
    backups: list[dict[str, Any]] = [
        {"host": "sw-esa-core", "taken_at": "2026-11-20T19:00:30Z", "running_equals_startup": True},
        {
            "host": "sw-ban-nong-1",
            "taken_at": "2026-11-05T19:00:40Z",
            "running_equals_startup": False,
        },
        {"host": "srv-esa-web", "taken_at": "2026-11-20T19:00:00Z", "running_equals_startup": None},
        {"host": "srv-ban-nong-2", "taken_at": None},
    ]
    patches = [
        {"host": "srv-esa-web", "count": 12, "security": 3},
        {"host": "srv-esa-dns", "count": 0, "security": 0},
        {"host": "srv-ban-nong-1", "count": 41, "security": 9},
    ]
    return ReportData.from_records(
        sample_records(),
        compliance,
        backups,
        patches,
        office="สำนักงานเขตพื้นที่การศึกษาประถมศึกษาตัวอย่าง เขต 1",
        now=now,
        reporter="นายสมชาย ใจดี",
        process_names=SAMPLE_PROCESS_NAMES,
        step_names=SAMPLE_STEP_NAMES,
    )
