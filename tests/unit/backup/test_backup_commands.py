"""Server commands: what a command needs, and N/A (not a failure) when a host lacks it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from ictops.backup.collect import default_files
from ictops.backup.commands import NA_MARK, CommandSpec, Need, server_commands
from ictops.backup.untrusted import glob_matches
from ictops.compliance.checks import _JOURNALD_FILES, _LOGROTATE_FILES

REPO = Path(__file__).resolve().parents[3]


def _run(spec: CommandSpec) -> tuple[int, str]:
    proc = subprocess.run(["sh", "-c", spec.shell()], capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout


def test_a_missing_tool_or_path_makes_the_command_not_applicable(tmp_path: Path) -> None:
    spec = CommandSpec(
        "x",
        f"echo ran > {tmp_path}/ran; echo output",
        needs=(Need(tool="sh"), Need(tool="no-such-tool-ictops"), Need(path="/")),
    )
    code, out = _run(spec)
    assert (code, out) == (0, f"{NA_MARK} 1\n")
    assert spec.not_applicable(code, out) == "no-such-tool-ictops is not installed"
    assert not (tmp_path / "ran").exists()  # the command itself never ran

    daemon = Need(path=str(tmp_path / "d.pid"), missing="ictopsd is not running")
    spec = CommandSpec("y", "echo output", needs=(Need(tool="sh"), daemon))
    code, out = _run(spec)
    assert spec.not_applicable(code, out) == "ictopsd is not running"
    (tmp_path / "d.pid").write_text("1\n")
    code, out = _run(spec)
    assert (code, out, spec.not_applicable(code, out)) == (0, "output\n", None)


def test_a_command_without_needs_runs_as_written() -> None:
    spec = CommandSpec("z", "echo a; exit 3")
    assert spec.shell() == "echo a; exit 3"
    assert _run(spec) == (3, "a\n")


@pytest.mark.parametrize(
    ("code", "out"),
    [
        (0, f"{NA_MARK} 5\n"),  # no such need: the host made it up
        (0, f"{NA_MARK} x\n"),
        (1, f"{NA_MARK} 0\n"),  # the guard exits 0
        (0, f"output\n{NA_MARK} 0\n"),  # only a first line counts
        (0, f"{NA_MARK} 0 extra\n"),
    ],
)
def test_only_our_own_mark_means_not_applicable(code: int, out: str) -> None:
    spec = CommandSpec("x", "true", needs=(Need(tool="a"),))
    assert spec.not_applicable(code, out) is None


def test_the_shipped_commands_say_what_they_need() -> None:
    specs = server_commands()
    assert [n.tool for n in specs["timedatectl"].needs] == ["timedatectl", None]
    assert specs["timedatectl"].needs[1].reason == "systemd is not running"
    assert specs["chrony_tracking"].needs[1].reason == "chronyd is not running"
    assert specs["journald_config"].needs[0].reason == "systemd-analyze is not installed"
    assert specs["crontab_root"].needs[0].tool == "crontab"


def _covered(pattern: str, kept: tuple[str, ...]) -> bool:
    directory, name = pattern.rsplit("/", 1)
    return any(
        k == pattern or glob_matches(pattern, k) or k == f"{directory}/*" for k in kept
    ) and not name.startswith(".")


def _rule_files(check: dict) -> list[str]:
    found = list((check.get("source") or {}).get("files", []))
    if check.get("function") == "journald_retention":
        found += _JOURNALD_FILES
    if check.get("function") == "logrotate_retention":
        found += _LOGROTATE_FILES
    for inner in check.get("checks", []):
        found += _rule_files(inner)
    return found


def test_every_file_a_linux_rule_reads_is_backed_up() -> None:
    pack = yaml.safe_load((REPO / "rules/th-baseline.yaml").read_text("utf-8"))
    wanted = {
        pattern
        for rule in pack["rules"]
        if "linux" in rule.get("platforms", []) and "check" in rule
        for pattern in _rule_files(rule["check"])
    }
    assert wanted, "no file patterns found in the linux rules"
    assert sorted(p for p in wanted if not _covered(p, default_files())) == []
