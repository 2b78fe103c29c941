"""The director's report drafts a repair request (แบบแจ้งซ่อม), in Thai, on a page of its own,
for each host unreachable N nights in a row (setting unreachable_nights)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ictops.audit.trail import AuditTrail
from ictops.clock import BANGKOK
from ictops.project import Project
from ictops.report.collect import collect_report
from ictops.report.render import render_html

HOSTS = """\
sw-school:
  hostname: 127.0.0.9
  platform: cisco_ios
  role: switch
  site: ban-nong-bua
  school: {name: โรงเรียนบ้านหนองบัว, code: "1036390001"}
srv-office: {hostname: 127.0.0.10, platform: linux, role: server}
"""
TEAM = """\
office: สำนักงานเขตพื้นที่การศึกษาทดสอบ
appointment: {number: "ที่ 1/2568", date: 2024-10-01, signed_by: นายผู้ลงนาม ผู้อำนวยการ}
members:
  - {name: นางสาวพิมพ์ชนก ทองดี, username: pim, position: นักวิชาการคอมพิวเตอร์ชำนาญการ}
"""


def _project(tmp_path: Path, nights: int, setting: str = "") -> Project:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(HOSTS, encoding="utf-8")
    (tmp_path / "inventory" / "team.yaml").write_text(TEAM, encoding="utf-8")
    if setting:
        (tmp_path / "inventory" / "defaults.yaml").write_text(f"data:\n  {setting}\n", encoding="utf-8")
    moment = [datetime(2026, 11, 27, 2, 0, tzinfo=BANGKOK)]
    trail = AuditTrail.in_state(tmp_path / "state", clock=lambda: moment[0])
    for night in range(nights):
        moment[0] = datetime(2026, 11, 27 + night, 2, 0, tzinfo=BANGKOK)
        for host in ("sw-school", "srv-office"):
            status = "unreachable" if host == "sw-school" else "ok"
            trail.append(action="backup", status=status, host=host, run_id=f"night-{night}", process=2,
                         step=5, error_kind="unreachable" if status == "unreachable" else None,
                         summary="cannot reach [127.0.0.9]:22: connection timed out"
                         if status == "unreachable" else "unchanged",
                         data={"playbook": "playbooks/nightly.yaml"})
    trail.close()
    return Project.at(tmp_path)


def test_three_nights_unreachable_draft_a_repair_request(tmp_path, monkeypatch):
    monkeypatch.setenv("ICTOPS_NOW", "2026-11-29T08:00:00+07:00")
    data = collect_report(_project(tmp_path, 3), operator="pim")
    [request] = data.repairs
    assert (request.host, request.school, request.school_code, request.nights) == (
        "sw-school", "โรงเรียนบ้านหนองบัว", "1036390001", 3)
    assert request.since == datetime(2026, 11, 27, 2, 0, tzinfo=BANGKOK)
    assert request.last_good_backup is None
    html = render_html(data, "th")
    start = html.index('<div class="repairs">')
    end = html.find('<div class="appendix">', start)
    page = html[start:end if end > 0 else None]
    assert "บันทึกแจ้งซ่อม (ร่าง): อุปกรณ์ที่ติดต่อไม่ได้ 3 คืนติดต่อกันขึ้นไป" in page
    assert "โรงเรียนบ้านหนองบัว" in page and "1036390001" in page
    assert "27 พ.ย. 2569 02:00 น." in page  # since when, in Thai, Buddhist Era
    assert "3 คืนติดต่อกัน" in page
    assert "ติดต่อเครื่องไม่ได้" in page  # the symptom in words, the raw error below it
    assert "ยังไม่เคยสำรองสำเร็จ" in page
    assert "srv-office" not in page  # reached every night


def test_fewer_nights_than_the_setting_draft_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ICTOPS_NOW", "2026-11-29T08:00:00+07:00")
    data = collect_report(_project(tmp_path, 3, "unreachable_nights: 4"), operator="pim")
    assert data.repairs == () and data.repair_nights == 4
    assert '<div class="repairs">' not in render_html(data, "th")
