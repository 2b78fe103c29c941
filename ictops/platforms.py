"""Platform data (ictops/data/platforms.yaml): what differs between vendors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml


@dataclass(frozen=True)
class ConfigShape:
    """What a configuration of a platform looks like (platforms.yaml ``config_shape``)."""

    hostname: re.Pattern[str]  # a line every configuration has
    commands: frozenset[str]  # first words of top-level lines
    max_line: int = 1024  # the longest plausible line
    path: re.Pattern[str] | None = None  # top-level lines that are a menu path (RouterOS)

    def is_top(self, line: str) -> bool:
        """A top-level line: it starts with a letter (or ``/``, where menu paths are lines)."""
        return line[:1].isalpha() or (self.path is not None and line[:1] == "/")

    def knows(self, line: str) -> bool:
        """A top-level line starting with a command of the platform (or a menu path)."""
        if line[:1] == "/":
            return self.path is not None and self.path.match(line) is not None
        return line.split()[0] in self.commands


@dataclass(frozen=True)
class Completeness:
    """How a complete capture looks on a platform without an end marker (``complete``)."""

    required: tuple[re.Pattern[str], ...] = ()  # lines every complete config has
    block_line: re.Pattern[str] | None = None  # a line of a section's body ...
    block_close: re.Pattern[str] | None = None  # ... whose run ends with this line
    last_line_not: re.Pattern[str] | None = None  # a last line like this was cut


@dataclass(frozen=True)
class Platform:
    """One platform: how to reach it and how to read its configuration."""

    name: str
    kind: Literal["server", "switch"]
    description: str = ""
    netmiko: str | None = None
    hier_config: str | None = None
    commands: dict[str, str] = field(default_factory=dict)
    end_marker: re.Pattern[str] | None = None
    complete: Completeness | None = None
    signature: re.Pattern[str] | None = None
    config_errors: tuple[re.Pattern[str], ...] = ()
    volatile: tuple[re.Pattern[str], ...] = ()
    volatile_parts: tuple[tuple[re.Pattern[str], str], ...] = ()
    secrets: tuple[tuple[re.Pattern[str], str], ...] = ()
    section_header: re.Pattern[str] | None = None
    # (section regex, secret regex, replacement): secrets only inside those sections
    section_secrets: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = ()
    config_shape: ConfigShape | None = None

    @property
    def is_switch(self) -> bool:
        return self.kind == "switch"

    def config_error(self, output: str) -> str | None:
        """The device's line that says a command was refused, or None.

        A line that only points at the error (Huawei's lone ``^`` under the command) gives
        way to the line with the device's words (``Error: Unrecognized command ...``).
        """
        found = [
            line.strip()
            for line in output.splitlines()
            if any(pattern.search(line) for pattern in self.config_errors)
        ]
        worded = [line for line in found if any(c.isalnum() for c in line)]
        return next(iter(worded or found), None)


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern, re.MULTILINE) if pattern else None


def _shape(spec: dict | None) -> ConfigShape | None:
    if not spec:
        return None
    commands = spec.get("commands", [])
    if not all(isinstance(c, str) for c in commands):  # YAML reads a bare `no` as False
        raise ValueError(f"platforms.yaml: quote every config_shape command: {commands}")
    return ConfigShape(
        hostname=re.compile(spec["hostname"], re.MULTILINE),
        commands=frozenset(commands),
        max_line=int(spec.get("max_line", 1024)),
        path=_compile(spec.get("path")),
    )


def _complete(spec: dict | None) -> Completeness | None:
    if not spec:
        return None
    return Completeness(
        required=tuple(re.compile(p) for p in spec.get("required", [])),
        block_line=_compile(spec.get("block_line")),
        block_close=_compile(spec.get("block_close")),
        last_line_not=_compile(spec.get("last_line_not")),
    )


@lru_cache(maxsize=1)
def platforms() -> dict[str, Platform]:
    """All known platforms, by name."""
    text = resources.files("ictops.data").joinpath("platforms.yaml").read_text("utf-8")
    result: dict[str, Platform] = {}
    for name, spec in yaml.safe_load(text).items():
        result[name] = Platform(
            name=name,
            kind=spec["kind"],
            description=spec.get("description", ""),
            netmiko=spec.get("netmiko"),
            hier_config=spec.get("hier_config"),
            commands=dict(spec.get("commands", {})),
            end_marker=_compile(spec.get("end_marker")),
            complete=_complete(spec.get("complete")),
            signature=_compile(spec.get("signature")),
            config_errors=tuple(re.compile(p) for p in spec.get("config_errors", [])),
            volatile=tuple(re.compile(p) for p in spec.get("volatile", [])),
            volatile_parts=tuple((re.compile(p), r) for p, r in spec.get("volatile_parts", [])),
            secrets=tuple((re.compile(p), r) for p, r in spec.get("secrets", [])),
            section_header=_compile(spec.get("section_header")),
            section_secrets=tuple(
                (re.compile(s), re.compile(p), r) for s, p, r in spec.get("section_secrets", [])
            ),
            config_shape=_shape(spec.get("config_shape")),
        )
    return result


def get_platform(name: str) -> Platform:
    return platforms()[name]
