"""Input a script might pass by mistake is refused before any host is touched (issue 9 §4)."""

from __future__ import annotations

import json
import tomllib

import pytest

from tests.conftest import REPO
from tests.integration.cli.test_inventory_cli import ictops, project


@pytest.mark.parametrize("args", [("cmd", "uptime", "-l", ""), ("cmd", "uptime", "-l", "  "),
                                  ("inventory", "list", "-l", ""), ("backup", "-l", "")])
def test_an_empty_limit_is_refused(tmp_path, args):
    proc = ictops(project(tmp_path), *args)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.strip().splitlines() == [
        f"ictops: error: limit '{args[-1]}' is empty; leave -l out, or write -l all, to act on every host"
    ]


def test_limit_all_selects_every_host(tmp_path):
    root = project(tmp_path)
    every = ictops(root, "inventory", "list", "--json")
    named = ictops(root, "inventory", "list", "-l", "all", "--json")
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout) == json.loads(every.stdout) and len(json.loads(every.stdout)) == 3


@pytest.mark.parametrize("command", ["", "   ", "\n"])
def test_an_empty_command_is_refused(tmp_path, command):
    proc = ictops(project(tmp_path), "cmd", command)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.strip().splitlines() == [
        "ictops: error: the command is empty; give the command to run, for example: ictops cmd 'uptime'"
    ]


def test_licence_is_an_spdx_string():
    """A table-form `license` makes every install print a deprecation warning (PEP 639)."""
    with open(REPO / "pyproject.toml", "rb") as handle:
        project_table = tomllib.load(handle)["project"]
    assert project_table["license"] == "Apache-2.0"
    assert project_table["license-files"] == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in project_table.get("classifiers", []))
