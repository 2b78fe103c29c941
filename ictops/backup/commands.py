"""The server commands a backup runs (ictops/data/server_commands.yaml), and when they cannot.

A command that cannot exist on a host (its tool is not installed, systemd is not running) is
not a failure: each spec lists what it ``needs``, the command checks that first, and a
missing need comes back as "not applicable" with its reason. Backups record it in
``meta.json`` (``commands_na``) and audits read it as N/A, from a backup and live alike.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

# First line a guarded command prints instead of its output when a need is missing,
# followed by the need's index (the reason is ours, never text the host sends).
NA_MARK = "@@ictops-n/a"


@dataclass(frozen=True)
class Need:
    """Something a command cannot run without: a tool on the PATH or a path that exists."""

    tool: str | None = None
    path: str | None = None
    missing: str = ""  # why the command cannot run when it is not there (default: derived)

    @property
    def reason(self) -> str:
        if self.missing:
            return self.missing
        return f"{self.tool} is not installed" if self.path is None else f"no {self.path}"

    def test(self) -> str:
        """A shell test that succeeds when the need is met."""
        if self.path is not None:
            return f"[ -e {shlex.quote(self.path)} ]"
        return f"command -v {shlex.quote(self.tool or '')} >/dev/null 2>&1"


@dataclass(frozen=True)
class CommandSpec:
    """One entry of ictops/data/server_commands.yaml."""

    name: str
    command: str
    sudo: bool = False
    volatile: bool = False
    volatile_lines: tuple[re.Pattern[str], ...] = ()
    needs: tuple[Need, ...] = ()

    def shell(self) -> str:
        """The command, run only when every need is met (else it prints the N/A mark)."""
        guards = [
            f"if ! {need.test()}; then echo '{NA_MARK} {i}'; exit 0; fi"
            for i, need in enumerate(self.needs)
        ]
        return "; ".join([*guards, self.command])

    def not_applicable(self, exit_code: int, stdout: str) -> str | None:
        """The reason the command could not run on the host, or None when it ran."""
        first = stdout.split("\n", 1)[0].strip()
        if exit_code != 0 or not first.startswith(NA_MARK + " "):
            return None
        index = first[len(NA_MARK) + 1 :]
        if not index.isdigit() or int(index) >= len(self.needs):
            return None
        return self.needs[int(index)].reason


def _need(entry: Any, name: str) -> Need:
    if isinstance(entry, str):
        return Need(tool=entry)
    if isinstance(entry, dict) and isinstance(entry.get("path"), str):
        return Need(path=entry["path"], missing=str(entry.get("missing") or ""))
    raise ValueError(f"server_commands.yaml: {name}: a need is a tool name or {{path, missing}}")


@lru_cache(maxsize=1)
def server_commands() -> dict[str, CommandSpec]:
    """The commands every server backup runs (ictops/data/server_commands.yaml)."""
    text = resources.files("ictops.data").joinpath("server_commands.yaml").read_text("utf-8")
    result = {}
    for name, spec in (yaml.safe_load(text) or {}).items():
        result[name] = CommandSpec(
            name=name,
            command=spec["command"],
            sudo=bool(spec.get("sudo", False)),
            volatile=bool(spec.get("volatile", False)),
            volatile_lines=tuple(re.compile(p) for p in spec.get("volatile_lines", [])),
            needs=tuple(_need(n, name) for n in spec.get("needs", [])),
        )
    return result
