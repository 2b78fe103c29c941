"""Facts of Linux servers: each one command, parsed into a typed value.

Everything a server sends is untrusted: parsers accept only the shapes they expect, and
file contents are capped (``MAX_FILE_BYTES``) before they are decoded.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ictops.backup.commands import server_commands
from ictops.connections.base import CommandResult
from ictops.facts.base import CommandFact, FactError
from ictops.results import ErrorKind

_INVALID = ErrorKind.INVALID_OUTPUT
MAX_FILE_BYTES = 8 * 1024 * 1024  # a config file bigger than this is not read whole


def _failed(what: str, result: CommandResult) -> FactError:
    reason = (result.stderr.strip().splitlines() or result.stdout.strip().splitlines() or [""])[-1]
    return FactError(f"cannot read {what}: exit {result.exit_code}" + (f": {reason}" if reason else ""))


# --- os release ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OsRelease:
    id: str  # debian, ubuntu, rocky...
    version_id: str = ""
    pretty_name: str = ""
    id_like: tuple[str, ...] = ()
    codename: str = ""

    @property
    def is_debian_family(self) -> bool:
        return self.id in ("debian", "ubuntu") or "debian" in self.id_like


class OsReleaseFact(CommandFact[OsRelease]):
    """/etc/os-release."""

    def command(self) -> Sequence[str]:
        return ["cat", "/etc/os-release"]

    def parse(self, result: CommandResult) -> OsRelease:
        if not result.ok:
            raise _failed("/etc/os-release", result)
        values: dict[str, str] = {}
        for line in result.stdout.splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and re.fullmatch(r"[A-Z_]+", key):
                values[key] = value.strip().strip("\"'")
        if "ID" not in values:
            raise FactError("cannot read /etc/os-release: no ID= line")
        return OsRelease(
            id=values["ID"].lower(), version_id=values.get("VERSION_ID", ""),
            pretty_name=values.get("PRETTY_NAME", ""),
            id_like=tuple(values.get("ID_LIKE", "").lower().split()),
            codename=values.get("VERSION_CODENAME", ""),
        )


# --- packages -----------------------------------------------------------------------------


class DebPackagesFact(CommandFact[dict[str, str]]):
    """Installed Debian packages: name -> version (dpkg's own database, status 'ii')."""

    def command(self) -> Sequence[str]:
        return ["dpkg-query", "-W", "-f", "${Package}\t${Version}\t${db:Status-Abbrev}\n"]

    def parse(self, result: CommandResult) -> dict[str, str]:
        if not result.ok:
            raise _failed("the installed packages (dpkg-query)", result)
        installed: dict[str, str] = {}
        for line in result.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[2].strip() in ("ii", "hi"):
                installed[parts[0]] = parts[1]
        return installed


@dataclass(frozen=True)
class PendingUpdate:
    name: str
    current: str | None  # None: a new package the upgrade would install
    new: str
    origins: tuple[str, ...] = ()  # "Debian-Security:12/stable-security", ...

    @property
    def security(self) -> bool:
        return any("security" in origin.lower() for origin in self.origins)


@dataclass(frozen=True)
class PendingUpdates:
    updates: tuple[PendingUpdate, ...] = ()
    kept_back: tuple[str, ...] = ()  # held, or needing a dist-upgrade

    @property
    def security(self) -> tuple[PendingUpdate, ...]:
        return tuple(u for u in self.updates if u.security)


class PendingUpdatesFact(CommandFact[PendingUpdates]):
    """What an upgrade would do, from the host's own apt: ``apt-get -s`` (never `apt list`,
    whose format is not stable). Argument: "upgrade" (default) or "dist-upgrade". The patch
    action and ``ictops patch list`` read more (security sources alone, held, reboot):
    ictops/facts/patches.py."""

    def command(self, mode: str = "upgrade") -> Sequence[str]:
        if mode not in ("upgrade", "dist-upgrade"):
            raise ValueError(f"apt-get -s {mode}: use upgrade or dist-upgrade")
        return ["env", "LC_ALL=C", "apt-get", "-s", "-o", "Debug::NoLocking=1", mode]

    def parse(self, result: CommandResult, mode: str = "upgrade") -> PendingUpdates:
        from ictops.facts.apt import parse_simulation

        if not result.ok:
            raise _failed("the pending updates (apt-get -s)", result)
        changes, kept = parse_simulation(result.stdout)
        return PendingUpdates(tuple(PendingUpdate(c.name, c.old, c.new, c.origins)
                                    for c in changes if c.new is not None), kept)


class HeldPackagesFact(CommandFact[tuple[str, ...]]):
    """Packages held (``apt-mark hold``: dpkg's selection "hold"), which an upgrade leaves
    alone. Read from dpkg's database (dpkg-query: no apt cache to load)."""

    def command(self) -> Sequence[str]:
        return ["dpkg-query", "-W", "-f", "${db:Status-Abbrev} ${Package}\n"]

    def parse(self, result: CommandResult) -> tuple[str, ...]:
        if not result.ok:
            raise _failed("the held packages (dpkg-query)", result)
        held = []
        for line in result.stdout.splitlines():
            status, _, name = line.partition(" ")
            if status.startswith("h") and re.fullmatch(r"[a-z0-9][a-z0-9+.:-]*", name.strip()):
                held.append(name.strip())
        return tuple(sorted(held))


# --- files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileState:
    path: str
    exists: bool
    is_file: bool = False
    mode: str = ""  # octal digits, "644"
    owner: str = ""
    group: str = ""
    size: int = 0
    content: bytes | None = None  # None: absent, not a regular file, or bigger than the cap

    @property
    def text(self) -> str | None:
        return None if self.content is None else self.content.decode("utf-8", errors="replace")


_FILE_SCRIPT = (
    'f=$1; if [ ! -e "$f" ]; then echo missing; exit 0; fi; '
    'if [ ! -f "$f" ]; then echo other; exit 0; fi; '
    "stat -L -c 'file %a %U %G %s' -- \"$f\" || exit 1; "
    f'head -c {MAX_FILE_BYTES + 1} -- "$f" | base64'
)


class FileFact(CommandFact[FileState]):
    """One file: does it exist, its mode, owner, group and content (read with sudo)."""

    sudo = True

    def command(self, path: str) -> Sequence[str]:
        if not path.startswith("/"):
            raise ValueError(f"file path '{path}' is not absolute")
        return ["sh", "-c", _FILE_SCRIPT, "sh", path]

    def parse(self, result: CommandResult, path: str) -> FileState:
        if not result.ok:
            raise _failed(path, result)
        head, _, body = result.stdout.partition("\n")
        words = head.split()
        if words == ["missing"]:
            return FileState(path, exists=False)
        if words == ["other"]:
            return FileState(path, exists=True)
        if len(words) != 5 or words[0] != "file" or not words[1].isdigit() or not words[4].isdigit():
            raise FactError(f"cannot read {path}: unexpected answer {head[:80]!r}", _INVALID)
        try:
            data = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            raise FactError(f"cannot read {path}: its content came back garbled", _INVALID) from None
        content = data if len(data) <= MAX_FILE_BYTES else None
        return FileState(path, True, True, words[1], words[2], words[3], int(words[4]), content)


class PathExistsFact(CommandFact[bool]):
    """Does a path exist (file, directory or anything else)? (read with sudo)"""

    sudo = True

    def command(self, path: str) -> Sequence[str]:
        if not path.startswith("/"):
            raise ValueError(f"path '{path}' is not absolute")
        return ["sh", "-c", 'if [ -e "$1" ]; then echo yes; else echo no; fi', "sh", path]

    def parse(self, result: CommandResult, path: str) -> bool:
        answer = result.stdout.strip()
        if not result.ok or answer not in ("yes", "no"):
            raise _failed(path, result)
        return answer == "yes"


class DirectoryFact(CommandFact[tuple[str, ...]]):
    """The regular files directly in a directory (absolute paths, sorted)."""

    sudo = True

    def command(self, directory: str) -> Sequence[str]:
        if not directory.startswith("/"):
            raise ValueError(f"directory '{directory}' is not absolute")
        return ["sh", "-c", 'find "$1" -maxdepth 1 -type f -print0 2>/dev/null; exit 0', "sh", directory]

    def parse(self, result: CommandResult, directory: str) -> tuple[str, ...]:
        prefix = directory.rstrip("/") + "/"
        names = [p for p in result.stdout.split("\0") if p.startswith(prefix) and "\n" not in p]
        return tuple(sorted(names))


# --- services, boot -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceState:
    name: str
    manager: str  # "systemd" where systemd is PID 1, else "sysv" (the `service` command)
    active: bool
    enabled: bool | None  # None: cannot tell


_SERVICE_SCRIPT = (
    'if [ -d /run/systemd/system ]; then echo systemd; '
    'systemctl is-active -- "$1"; systemctl is-enabled -- "$1" 2>/dev/null || true; '
    'else echo sysv; service "$1" status >/dev/null 2>&1 && echo active || echo inactive; '
    'if ls /etc/rc[2345].d/S[0-9][0-9]"$1" >/dev/null 2>&1; then echo enabled; '
    'elif [ -e "/etc/init.d/$1" ]; then echo disabled; else echo unknown; fi; fi; exit 0'
)


class ServiceFact(CommandFact[ServiceState]):
    """A service: running or not, started at boot or not (systemd or SysV `service`)."""

    sudo = True

    def command(self, name: str) -> Sequence[str]:
        if not re.fullmatch(r"[A-Za-z0-9@._-]+", name):
            raise ValueError(f"'{name}' is not a service name")
        return ["sh", "-c", _SERVICE_SCRIPT, "sh", name]

    def parse(self, result: CommandResult, name: str) -> ServiceState:
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        if len(lines) < 2 or lines[0] not in ("systemd", "sysv"):
            raise FactError(f"cannot read the state of service {name}: unexpected answer", _INVALID)
        enabled = {"enabled": True, "disabled": False, "masked": False}.get(lines[2] if len(lines) > 2 else "")
        return ServiceState(name, lines[0], lines[1] == "active", enabled)


class BootIdFact(CommandFact[str]):
    """The kernel's boot id: a new value after every reboot."""

    def command(self) -> Sequence[str]:
        return ["cat", "/proc/sys/kernel/random/boot_id"]

    def parse(self, result: CommandResult) -> str:
        value = result.stdout.strip()
        if not result.ok or not re.fullmatch(r"[0-9a-f-]{36}", value):
            raise FactError("cannot read the boot id (/proc/sys/kernel/random/boot_id)", _INVALID)
        return value


@dataclass(frozen=True)
class RebootNeed:
    required: bool
    packages: tuple[str, ...] = ()  # from /var/run/reboot-required.pkgs


class RebootRequiredFact(CommandFact[RebootNeed]):
    """Debian's reboot flag: /var/run/reboot-required and the packages that asked for it."""

    def command(self) -> Sequence[str]:
        return ["sh", "-c", "if [ -e /var/run/reboot-required ]; then echo yes; "
                "cat /var/run/reboot-required.pkgs 2>/dev/null; else echo no; fi"]

    def parse(self, result: CommandResult) -> RebootNeed:
        lines = result.stdout.split()
        if not result.ok or not lines or lines[0] not in ("yes", "no"):
            raise FactError("cannot read /var/run/reboot-required", _INVALID)
        return RebootNeed(lines[0] == "yes", tuple(dict.fromkeys(lines[1:])))


# --- command outputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandOutput:
    command: str
    exit_code: int
    stdout: str
    stderr: str = ""
    not_applicable: str | None = None  # why it cannot run on this host (its needs)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class NamedCommandFact(CommandFact[CommandOutput]):
    """The output of a command of ictops/data/server_commands.yaml (by name), or of a literal
    command; run with sudo when the entry says so and the host uses sudo."""

    def read(self, session: Any, host: Any, name_or_command: str) -> CommandOutput:
        spec = server_commands().get(name_or_command)
        command = spec.shell() if spec else name_or_command  # checks its needs first
        result = session.run(command, timeout=host.timeouts.command,
                             sudo=bool(spec and spec.sudo) and host.sudo)
        na = spec.not_applicable(result.exit_code, result.stdout) if spec else None
        return CommandOutput(command, result.exit_code, result.stdout, result.stderr, na)
