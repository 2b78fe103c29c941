"""The working team: loading team.yaml, refusing or flagging unknown operators."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.audit.team import OperatorRefused, Team, TeamError, current_operator
from ictops.errors import InputError

REPO = Path(__file__).resolve().parents[3]

TEAM = """\
office: สำนักงานสมมติ
unknown_operator: refuse
appointment:
  number: "ที่ 1/2568"
  date: 2024-10-01
  signed_by: ผู้อำนวยการสมมติ
members:
  - {name: นายหนึ่ง ทดสอบ, username: one, role: head}
  - {name: นางสองทดสอบ, username: two, role: secretary}
  - {name: ที่ปรึกษา, username: adv, role: advisor, may_operate: false}
"""


def _team(tmp_path: Path, text: str = TEAM) -> Team:
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    return Team.load(path, shown_as="inventory/team.yaml")


def test_shipped_sample_team_lets_the_demo_operators_run() -> None:
    team = Team.load(REPO / "inventory" / "team.yaml")
    assert {"root", "ictops"} <= set(team.operators)
    assert team.check_operator("root").on_roster
    assert team.appointment.number
    assert team.approvers


def test_member_found_by_username_or_thai_name(tmp_path: Path) -> None:
    team = _team(tmp_path)
    assert team.check_operator("one").role == "head"
    assert team.check_operator("นางสองทดสอบ").username == "two"
    assert team.check_operator("two").role_th == "คณะทำงานและเลขานุการ"


def test_unknown_operator_refused_with_the_fix(tmp_path: Path) -> None:
    team = _team(tmp_path)
    with pytest.raises(OperatorRefused) as info:
        team.check_operator("mallory")
    text = str(info.value)
    assert text.startswith("inventory/team.yaml: operator 'mallory' is not on the working team")
    assert "ที่ 1/2568" in text and "one, two" in text and "ICTOPS_OPERATOR" in text


def test_member_who_may_not_operate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OperatorRefused, match="may not operate"):
        _team(tmp_path).check_operator("adv")


def test_unknown_operator_flagged_when_the_team_says_flag(tmp_path: Path) -> None:
    team = _team(tmp_path, TEAM.replace("unknown_operator: refuse", "unknown_operator: flag"))
    member = team.check_operator("mallory")
    assert member.on_roster is False and member.username == "mallory"


@pytest.mark.parametrize(
    "text, line, message",
    [
        (TEAM.replace("unknown_operator: refuse", "unknown_operator: maybe"), 2, "use one of 'refuse' or 'flag'"),
        (TEAM.replace("  signed_by:", "  signed:"), 6, "unknown key 'appointment.signed'"),
        (TEAM.replace("username: two", "username: one"), 9, "username 'one' is listed twice"),
        (TEAM.replace("role: head", "role: king"), 8, "cannot be text 'king'"),
        (TEAM.replace("date: 2024-10-01", "date: soon"), 5, "appointment.date"),
    ],
)
def test_bad_team_file_is_a_file_line_error(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as info:
        _team(tmp_path, text)
    lines = str(info.value).splitlines()
    assert any(x.startswith(f"inventory/team.yaml:{line}: ") and message in x for x in lines), lines


def test_missing_team_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(TeamError, match="no working team: create this file"):
        Team.load(tmp_path / "team.yaml")


def test_current_operator_prefers_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICTOPS_OPERATOR", "two")
    assert current_operator() == "two"


def test_appointment_date_in_the_buddhist_era(tmp_path: Path) -> None:
    import datetime as dt

    assert _team(tmp_path).appointment.date == dt.date(2024, 10, 1)
    team = _team(tmp_path, TEAM.replace("date: 2024-10-01", "date: 2567-10-01"))
    assert team.appointment.date == dt.date(2024, 10, 1)  # B.E. 2567 is C.E. 2024
    team = _team(tmp_path, TEAM.replace("date: 2024-10-01", 'date: "1/10/2567"'))
    assert team.appointment.date == dt.date(2024, 10, 1)
