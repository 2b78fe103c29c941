"""Where the auditor reads a host's state: its latest backup, or the device itself."""

from __future__ import annotations

import fnmatch
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ictops import clock
from ictops.backup.commands import server_commands
from ictops.facts import COMMAND, DIRECTORY, FILE, RUNNING_CONFIG, SHOW, STARTUP_CONFIG, Facts
from ictops.facts.patches import PatchListing, read_listing
from ictops.inventory.host import Host


@runtime_checkable
class Evidence(Protocol):
    """What the evaluator reads. Every method returns None when the thing is not there."""

    is_live: bool

    def config(self) -> str | None: ...

    def startup_config(self) -> str | None: ...

    def file(self, path: str) -> str | None: ...

    def glob(self, pattern: str) -> list[str]:
        """Absolute paths of the files matching ``pattern`` that this evidence holds."""
        ...

    def command(self, name_or_command: str) -> str | None: ...

    def not_applicable(self, name_or_command: str) -> str | None:
        """Why the command cannot run on this host (its tool is not installed...), or None."""
        ...

    def backup_age_days(self) -> float | None: ...

    def patches(self) -> PatchListing | None:
        """The server's patch listing (ictops/facts/patches.py), or None when not read."""
        ...

    def running_equals_startup(self) -> bool | None: ...

    def describe(self) -> str:
        """One phrase for messages: "backup of 2025-01-02T03:04:05Z", "live"."""
        ...


def _command_name(name_or_command: str) -> str:
    """The server_commands.yaml name of a command (a literal command kept under its name)."""
    if name_or_command not in server_commands():
        for known, spec in server_commands().items():
            if spec.command == name_or_command:
                return known
    return name_or_command


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


class BackupEvidence:
    """A host's latest backup directory (switch configs, server files and command outputs)."""

    is_live = False

    def __init__(self, host_dir: Path, *, now: datetime | None = None):
        self.host_dir = Path(host_dir)
        self._now = now
        self._meta: dict[str, Any] | None = None

    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            text = _read(self.host_dir / "meta.json")
            try:
                self._meta = json.loads(text) if text else {}
            except json.JSONDecodeError:
                self._meta = {}
        return self._meta

    def config(self) -> str | None:
        return _read(self.host_dir / "running-config.txt")

    def startup_config(self) -> str | None:
        return _read(self.host_dir / "startup-config.txt")

    def file(self, path: str) -> str | None:
        return _read(self.host_dir / "files" / path.lstrip("/"))

    def glob(self, pattern: str) -> list[str]:
        root = self.host_dir / "files"
        if not root.is_dir():
            return []
        return sorted(
            "/" + str(p.relative_to(root)) for p in root.glob(pattern.lstrip("/")) if p.is_file()
        )

    def command(self, name_or_command: str) -> str | None:
        return _read(self.host_dir / "commands" / f"{_command_name(name_or_command)}.txt")

    def not_applicable(self, name_or_command: str) -> str | None:
        reasons = self.meta().get("commands_na")
        reason = reasons.get(_command_name(name_or_command)) if isinstance(reasons, dict) else None
        return reason if isinstance(reason, str) else None

    def taken_at(self) -> datetime | None:
        """When the host was last backed up successfully, changed or not: the store's status
        file (a switch that never changes is still backed up every night), else when its
        backup last changed (meta.json ``taken_at``)."""
        from ictops.backup.store import BackupStore

        name = str(self.meta().get("host") or self.host_dir.name)
        seen = (BackupStore(self.host_dir.parent.parent).status().get(name) or {}).get("last_seen")
        for value in (seen, self.meta().get("taken_at")):
            if isinstance(value, str):
                try:
                    return clock.parse_stored(value)
                except ValueError:
                    continue
        return None

    def backup_age_days(self) -> float | None:
        taken = self.taken_at()
        if taken is None:
            return None
        now = self._now or clock.now()
        return max(0.0, (now - taken).total_seconds() / 86400)

    def patches(self) -> PatchListing | None:
        return None  # a backup holds no listing: LNX-PATCH-01 reads the server (live)

    def running_equals_startup(self) -> bool | None:
        value = self.meta().get("running_equals_startup")
        if isinstance(value, bool):
            return value
        running, startup = self.config(), self.startup_config()
        if running is None or startup is None:
            return None
        return running.strip() == startup.strip()

    def describe(self) -> str:
        taken = self.meta().get("taken_at")
        return f"backup of {taken}" if taken else f"backup in {self.host_dir}"


class LiveEvidence:
    """The device itself, read through the host's facts (each read once per run)."""

    is_live = True

    def __init__(self, facts: Facts, host: Host, *, backup: BackupEvidence | None = None):
        self.facts = facts
        self.host = host
        self.backup = backup
        self.listing: PatchListing | None = None  # once read: kept by the audit (state/patches)

    def config(self) -> str | None:
        return self.facts.get(RUNNING_CONFIG) if self.host.is_switch else None

    def startup_config(self) -> str | None:
        return self.facts.get(STARTUP_CONFIG) if self.host.is_switch else None

    def file(self, path: str) -> str | None:
        return None if self.host.is_switch else self.facts.get(FILE, path).text

    def glob(self, pattern: str) -> list[str]:
        if self.host.is_switch:
            return []
        directory = pattern.rsplit("/", 1)[0] or "/"
        return [p for p in self.facts.get(DIRECTORY, directory) if fnmatch.fnmatch(p, pattern)]

    def command(self, name_or_command: str) -> str | None:
        if self.host.is_switch:
            return self.facts.get(SHOW, name_or_command)
        output = self.facts.get(COMMAND, name_or_command)
        if output.not_applicable is not None:
            return None
        return output.stdout if output.ok or output.stdout.strip() else None

    def not_applicable(self, name_or_command: str) -> str | None:
        if self.host.is_switch:
            return None
        return self.facts.get(COMMAND, name_or_command).not_applicable

    def backup_age_days(self) -> float | None:
        return self.backup.backup_age_days() if self.backup else None

    def patches(self) -> PatchListing | None:
        if self.host.is_switch:
            return None
        if self.listing is None:
            self.listing = read_listing(self.facts)
        return self.listing

    def running_equals_startup(self) -> bool | None:
        running, startup = self.config(), self.startup_config()
        if running is None or startup is None:
            return None
        return _normalised(running, self.host) == _normalised(startup, self.host)

    def describe(self) -> str:
        return "live"


def _normalised(text: str, host: Host) -> str:
    volatile = host.platform.volatile
    lines = [
        line.rstrip() for line in text.splitlines() if not any(p.search(line) for p in volatile)
    ]
    return "\n".join(line for line in lines if line)


class StaticEvidence:
    """Evidence held in memory (tests, benchmarks, configs handed over by another module)."""

    def __init__(
        self,
        config: str | None = None,
        *,
        startup: str | None = None,
        files: dict[str, str] | None = None,
        commands: dict[str, str] | None = None,
        not_applicable: dict[str, str] | None = None,
        age_days: float | None = None,
        saved: bool | None = None,
        live: bool = False,
        patches: PatchListing | None = None,
    ):
        self._config = config
        self._startup = startup
        self._files = dict(files or {})
        self._commands = dict(commands or {})
        self._na = dict(not_applicable or {})
        self._age = age_days
        self._saved = saved
        self.is_live = live
        self._patches = patches

    def config(self) -> str | None:
        return self._config

    def startup_config(self) -> str | None:
        return self._startup

    def file(self, path: str) -> str | None:
        return self._files.get(path)

    def glob(self, pattern: str) -> list[str]:
        return sorted(p for p in self._files if fnmatch.fnmatch(p, pattern))

    def command(self, name_or_command: str) -> str | None:
        return self._commands.get(name_or_command)

    def not_applicable(self, name_or_command: str) -> str | None:
        return self._na.get(name_or_command)

    def backup_age_days(self) -> float | None:
        return self._age

    def patches(self) -> PatchListing | None:
        return self._patches

    def running_equals_startup(self) -> bool | None:
        if self._saved is not None:
            return self._saved
        if self._config is None or self._startup is None:
            return None
        return self._config.strip() == self._startup.strip()

    def describe(self) -> str:
        return "live" if self.is_live else "given evidence"


__all__ = [
    "BackupEvidence",
    "Evidence",
    "LiveEvidence",
    "StaticEvidence",
]
