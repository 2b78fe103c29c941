"""Fakes for backup unit tests: plain classes implementing the session protocols."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from ictops.backup.store import BackupStore
from ictops.connections.base import CommandResult, SessionError
from ictops.inventory.host import Host
from ictops.results import ErrorKind

from tests.fixtures import fixture


def corpus(name: str) -> str:
    return fixture(f"corpus/{name}").read_text("utf-8")


class FakeSwitch:
    """A SwitchSession whose configs are plain attributes; ``fail`` raises a SessionError."""

    def __init__(self, running: str, startup: str | None = None):
        self.running = running
        self.startup = running if startup is None else startup
        self.fail: SessionError | None = None

    def show(self, command: str, *, timeout: float | None = None) -> str:
        return ""

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> str:
        return ""

    def running_config(self) -> str:
        if self.fail:
            raise self.fail
        return self.running

    def startup_config(self) -> str:
        return self.startup

    def save(self) -> str:
        self.startup = self.running
        return ""

    def close(self) -> None:
        pass


class LocalServer:
    """A ServerSession that runs commands on this machine with /bin/sh (no SSH): it runs
    the real collection script against files under a temporary directory."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.puts: list[tuple[str, int | None, bool]] = []

    def run(
        self,
        command: str | Sequence[str],
        *,
        timeout: float | None = None,
        sudo: bool = False,
        stdin: bytes | None = None,
        keep: int | None = None,
    ) -> CommandResult:
        assert isinstance(command, str)
        self.runs.append(command)
        started = time.monotonic()
        try:
            proc = subprocess.run(
                ["sh", "-c", command],
                input=stdin,
                capture_output=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise SessionError(ErrorKind.TIMEOUT, f"command timed out after {timeout} s") from None
        return CommandResult(
            command,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
            time.monotonic() - started,
        )

    def get_file(self, path: str, *, sudo: bool = False) -> bytes:
        return Path(path).read_bytes()

    def put_file(
        self, path: str, data: bytes, *, mode: int | None = None, sudo: bool = False
    ) -> None:
        self.puts.append((path, mode, sudo))
        tmp = Path(path + ".tmp")
        tmp.write_bytes(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)

    def close(self) -> None:
        pass


def switch_host(
    name: str = "sw-01", platform: str = "cisco_ios", site: str | None = "office", **data: object
) -> Host:
    return Host(
        name=name,
        hostname="127.0.2.1",
        platform_name=platform,
        site=site,
        data={"backup": data} if data else {},
    )


def server_host(
    name: str = "srv-01", backup_files: Sequence[str] = (), site: str = "school-a"
) -> Host:
    return Host(
        name=name,
        hostname="127.0.1.1",
        platform_name="linux",
        site=site,
        backup_files=tuple(backup_files),
    )


def commits(store: BackupStore) -> list[str]:
    return store.git.text("log", "--format=%s").splitlines()
