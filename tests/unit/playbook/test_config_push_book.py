"""``ictops config push``: the options become a one-step playbook under state/config-push/,
named by the digest of its text, that loads as any playbook and skips hosts that are not
switches."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ictops.cli.config_cmd import write_playbook
from ictops.inventory.host import Host
from ictops.playbook.loader import load_playbook
from ictops.playbook.when import evaluate
from ictops.project import Project

ARGS = {"lines": ["ntp server time1.nimt.or.th"], "features": ["ntp"], "save": True}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def test_the_same_options_give_the_same_file_and_others_another(project: Project) -> None:
    first = write_playbook(project, "role=switch", ARGS, None, None)
    assert first.startswith("state/config-push/") and first.endswith(".yaml")
    assert write_playbook(project, "role=switch", dict(ARGS), None, None) == first
    assert write_playbook(project, "role=switch", {**ARGS, "save": False}, None, None) != first
    assert write_playbook(project, "sch_a", ARGS, None, None) != first
    mode = stat.S_IMODE((project.root / first).stat().st_mode)
    assert mode == 0o600


def test_the_playbook_is_a_switch_change_that_skips_servers(project: Project) -> None:
    path = write_playbook(project, "sch_a", ARGS, 4, 25.0)
    book = load_playbook(path, project)
    assert (book.hosts, book.serial, book.max_fail_percentage) == ("sch_a", (4,), 25.0)
    assert not book.routine and book.process == 2
    [step] = book.steps
    assert (step.action, step.step) == ("switch_config", 5)
    assert step.args.model_dump(exclude_defaults=True) == ARGS
    switch = Host(name="sw", hostname="127.0.0.1", platform_name="cisco_ios")
    server = Host(name="srv", hostname="127.0.0.1", platform_name="linux")
    assert evaluate(step.when_fn, switch, book.vars) is True
    assert evaluate(step.when_fn, server, book.vars) is False
