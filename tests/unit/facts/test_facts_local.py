"""The fact commands run for real in a local shell (no SSH), and the per-host cache."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ictops.connections.base import CommandResult, SessionError
from ictops.facts import (
    BOOT_ID,
    DIRECTORY,
    FILE,
    OS_RELEASE,
    PACKAGES,
    RUNNING_CONFIG,
    SERVICE,
    Facts,
)
from ictops.inventory.host import Host
from ictops.results import ErrorKind


class LocalShell:
    """A ServerSession that runs commands with /bin/sh on this machine."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def run(self, command, *, timeout=None, sudo=False, stdin=None, keep=None) -> CommandResult:
        argv = ["sh", "-c", command] if isinstance(command, str) else list(command)
        self.ran.append(" ".join(argv))
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout or 30)
        return CommandResult(" ".join(argv), proc.returncode, proc.stdout, proc.stderr, 0.0)

    def close(self) -> None:
        pass


def _facts(shell: LocalShell, platform: str = "linux") -> Facts:
    host = Host(name="local", hostname="127.0.0.1", platform_name=platform, sudo=True)
    return Facts(host, lambda: shell)


def test_file_fact_reads_mode_owner_and_content(tmp_path: Path) -> None:
    target = tmp_path / "sshd_config"
    target.write_bytes(b"PermitRootLogin no\n\xe0\xb8\x97\n")
    os.chmod(target, 0o640)
    facts = _facts(LocalShell())
    state = facts.get(FILE, str(target))
    assert (state.exists, state.is_file, state.mode, state.size) == (True, True, "640", 23)
    assert state.content == target.read_bytes() and state.text.endswith("ท\n")
    assert facts.get(FILE, str(tmp_path / "nope")).exists is False
    assert (facts.get(FILE, str(tmp_path)).exists, facts.get(FILE, str(tmp_path)).is_file) == (True, False)
    odd = tmp_path / "-rf $(touch pwned)"
    odd.write_text("x")
    assert facts.get(FILE, str(odd)).content == b"x" and not (tmp_path / "pwned").exists()


def test_directory_fact_lists_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.conf").write_text("d")
    assert _facts(LocalShell()).get(DIRECTORY, str(tmp_path)) == (str(tmp_path / "a.conf"),)
    assert _facts(LocalShell()).get(DIRECTORY, str(tmp_path / "missing")) == ()


def test_system_facts_of_this_machine() -> None:
    facts = _facts(LocalShell())
    assert facts.get(OS_RELEASE).id
    assert len(facts.get(BOOT_ID)) == 36
    assert "dpkg" in facts.get(PACKAGES)  # this machine is Debian
    unknown = facts.get(SERVICE, "ictops-no-such-service")
    assert (unknown.active, unknown.enabled) == (False, None)


def test_facts_are_read_once_per_run_until_invalidated(tmp_path: Path) -> None:
    shell = LocalShell()
    facts = _facts(shell)
    first = facts.get(OS_RELEASE)
    assert facts.get(OS_RELEASE) is first and len(shell.ran) == 1
    facts.get(FILE, "/etc/hostname")
    facts.get(FILE, "/etc/hostname")
    assert len(shell.ran) == 2 and facts.reads == 2
    facts.invalidate()  # an apply changed the host
    facts.get(OS_RELEASE)
    assert len(shell.ran) == 3


def test_a_switch_fact_on_a_server_is_a_config_error() -> None:
    with pytest.raises(SessionError) as caught:
        _facts(LocalShell()).get(RUNNING_CONFIG)
    assert caught.value.kind is ErrorKind.CONFIG_ERROR
    assert caught.value.message == "local is a server: this reads a switch"
