"""One office name, the signers from the team file, and notes instead of silent defaults."""

from __future__ import annotations

from pathlib import Path

from ictops.project import Project
from ictops.report.collect import collect_report, office_name

TEAM = """\
office: สำนักงานเขตพื้นที่การศึกษาทดสอบ
appointment: {number: "ที่ 1/2568", date: 2024-10-01, signed_by: นายผู้ลงนาม ผู้อำนวยการ}
members:
  - {name: นางสาวพิมพ์ชนก ทองดี, username: pim, position: นักวิชาการคอมพิวเตอร์ชำนาญการ}
approvers:
  - {name: นายวิเชียร ศรีสุวรรณ, position: ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาทดสอบ}
  - {name: นายรอง ผู้ช่วย, position: รองผู้อำนวยการ}
"""


def _project(tmp_path: Path, team: str | None, office: str | None) -> Project:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text("srv-1: {hostname: 127.0.0.9, platform: linux}\n")
    if office:
        (tmp_path / "inventory" / "defaults.yaml").write_text(f"data:\n  office: {office}\n")
    if team:
        (tmp_path / "inventory" / "team.yaml").write_text(team)
    return Project.at(tmp_path)


def test_the_team_files_office_wins_and_a_disagreement_is_said(tmp_path: Path) -> None:
    project = _project(tmp_path, TEAM, "สพม.ชัยภูมิ")
    notes: list[str] = []
    assert office_name(project, notes) == "สำนักงานเขตพื้นที่การศึกษาทดสอบ"
    assert len(notes) == 1 and "differs from inventory/team.yaml office" in notes[0]
    data = collect_report(project, operator="pim")
    assert data.office == "สำนักงานเขตพื้นที่การศึกษาทดสอบ" and data.extra["notes"] == notes
    assert (data.reporter.name, data.reporter.position) == ("นางสาวพิมพ์ชนก ทองดี", "นักวิชาการคอมพิวเตอร์ชำนาญการ")
    assert (data.director.name, data.director.position) == (
        "นายวิเชียร ศรีสุวรรณ", "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาทดสอบ")
    assert [(p.host, p.state) for p in data.patches] == [("srv-1", "unknown")]  # never checked
    assert [(b.host, b.last_good) for b in data.backups] == [("srv-1", None)]  # never backed up


def test_without_a_team_file_the_setting_names_the_office(tmp_path: Path) -> None:
    project = _project(tmp_path, None, "สพม.ชัยภูมิ")
    notes: list[str] = []
    assert office_name(project, notes) == "สพม.ชัยภูมิ" and notes == []
    data = collect_report(project, operator="somchai")
    assert data.reporter.name == "somchai" and data.director.name == ""
