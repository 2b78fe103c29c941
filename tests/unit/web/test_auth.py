"""The dashboard's login rules: where it is asked, how passwords are kept and checked."""

from __future__ import annotations

import pytest

from ictops.audit.team import TeamError
from ictops.errors import InputError
from ictops.project import Project
from ictops.web.app import local_path
from ictops.web.auth import (
    LOCKOUT, MAX_FAILURES, Throttle, Users, hash_password, needs_login, require_users, team_users,
)

TEAM = """\
office: test office
appointment: {{number: "ที่ 1/2569", date: 2025-10-01, signed_by: director}}
members:
  - {{name: Somchai, username: somchai{member}}}
  - {{name: Nobody, username: nobody}}
approvers:
  - {{name: Director, position: area director, username: wichian{approver}}}
"""


def project_with(tmp_path, member="", approver="") -> Project:
    (tmp_path / "inventory").mkdir(exist_ok=True)
    (tmp_path / "inventory" / "team.yaml").write_text(
        TEAM.format(member=member, approver=approver), encoding="utf-8")
    return Project.at(tmp_path)


@pytest.mark.parametrize("bind, asked", [
    ("127.0.0.1", False), ("::1", False), ("localhost", False),
    ("127.49.0.2", True), ("192.168.10.5", True), ("0.0.0.0", True), ("::", True),
])
def test_only_this_machine_loopback_address_goes_without_login(bind, asked):
    assert needs_login(bind) is asked


def test_a_team_password_hash_lets_its_member_in_and_nobody_else(tmp_path):
    digest = hash_password("a long enough secret")
    assert digest.startswith("$argon2id$")
    project = project_with(tmp_path, member=f', web_password_hash: "{digest}"')
    users = Users(project)
    assert users.check("somchai", "a long enough secret") is True
    assert users.check("somchai", "a long enough secreT") is False
    assert users.check("nobody", "a long enough secret") is False  # no hash: no login
    assert users.check("stranger", "a long enough secret") is False


def test_an_approver_may_have_a_login_and_removing_the_hash_revokes_it(tmp_path):
    digest = hash_password("the director's password")
    project = project_with(tmp_path, approver=f', web_password_hash: "{digest}"')
    users = Users(project)
    assert users.check("wichian", "the director's password") is True
    project_with(tmp_path)  # the hash removed from the team file
    import os
    path = tmp_path / "inventory" / "team.yaml"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert users.known("wichian") is False
    assert users.check("wichian", "the director's password") is False


def test_a_password_written_in_clear_is_refused_without_echoing_it(tmp_path):
    project = project_with(tmp_path, member=', web_password_hash: "hunter2-in-clear"')
    with pytest.raises(TeamError) as caught:
        team_users(project)
    text = str(caught.value)
    assert "inventory/team.yaml:4" in text and "ictops web password" in text
    assert "hunter2" not in text


def test_binding_beyond_loopback_without_any_login_is_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        require_users(project_with(tmp_path), "192.168.10.5")
    assert "web_password_hash" in str(caught.value) and "ictops web password" in str(caught.value)


def test_wrong_passwords_from_one_address_are_slowed_down():
    throttle = Throttle()
    for i in range(MAX_FAILURES):
        assert throttle.blocked("10.0.0.9", now=100.0 + i) is False
        throttle.failed("10.0.0.9", now=100.0 + i)
    assert throttle.blocked("10.0.0.9", now=105.0) is True
    assert throttle.blocked("10.0.0.8", now=105.0) is False  # another address
    assert throttle.blocked("10.0.0.9", now=104.0 + LOCKOUT + 1) is False


@pytest.mark.parametrize("target, kept", [
    ("/trail?host=sw-1", "/trail?host=sw-1"), (None, "/"), ("//evil.example/x", "/"),
    ("https://evil.example/", "/"), ("javascript:alert(1)", "/"), ("trail", "/"),
])
def test_after_sign_in_the_dashboard_only_redirects_to_itself(target, kept):
    assert local_path(target) == kept
