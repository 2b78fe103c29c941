"""Facts of apt (Debian, Ubuntu): what apt-get would do, the sources, the age of the lists.

A plan must be what applying will do, so the package and patch actions plan by asking the
host's own apt to *simulate* exactly the apt-get call that applying then runs for real:
``AptRequest`` is that call (verb, packages, which sources, which versions pinned), and
``apt_argv(request, simulate)`` the one command line for both (``apt-get -s`` or for real).
Parsers accept only the shapes they expect (``Inst``/``Remv``/``Purg`` lines, deb822 and
one-line sources); everything a server sends is untrusted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ictops.connections.base import CommandResult
from ictops.facts.base import CommandFact, FactError
from ictops.results import ErrorKind

# dpkg's conffile question is answered in advance (keep the local file), stdin is closed and
# debconf never asks: an upgrade never stops at a prompt (docs/lab.md, lab-facts.md).
NONINTERACTIVE = (
    "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
    "-o", "DPkg::Lock::Timeout=120",
)
UPDATE_STAMP = "/var/lib/apt/periodic/update-success-stamp"  # as apt's daily job and Ansible
_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?")
_VERSION = re.compile(r"[A-Za-z0-9.+~:-]+")


def package_name(text: str) -> str:
    """``text`` if it is a Debian package name (optionally ``:arch``), else ValueError."""
    if not _NAME.fullmatch(text):
        raise ValueError(f"'{text}' is not a Debian package name (lower case letters, digits, + - .)")
    return text


def package_version(text: str) -> str:
    if not _VERSION.fullmatch(text):
        raise ValueError(f"'{text}' is not a Debian package version (like 1.1-1)")
    return text


@dataclass(frozen=True)
class AptRequest:
    """One apt-get call, the same for the plan (simulated) and the apply (for real).

    ``sources``: deb822 text that replaces every source of the host (security only), or
    None for the host's own; ``pins``: apt preferences added to the host's own (a package
    excluded from a patch is pinned to its installed version)."""

    verb: str  # install | remove | upgrade
    packages: tuple[str, ...] = ()  # "name" or "name=version"
    sources: str | None = None
    pins: str | None = None
    allow_downgrades: bool = False

    def __post_init__(self) -> None:
        if self.verb not in ("install", "remove", "upgrade"):
            raise ValueError(f"apt-get {self.verb}: use install, remove or upgrade")
        for spec in self.packages:
            name, _, version = spec.partition("=")
            package_name(name)
            if version:
                package_version(version)


# $1: sources text ("" = the host's own), $2: pins ("" = none); the rest: apt-get's arguments.
# The files live in a private temporary directory that is removed whatever happens.
_APT_SCRIPT = r"""src=$1; pins=$2; shift 2
d=$(mktemp -d /tmp/ictops-apt.XXXXXX) || exit 1
trap 'rm -rf "$d"' EXIT
if [ -n "$src" ]; then
  printf '%s\n' "$src" > "$d/ictops.sources"
  set -- -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$d" "$@"
fi
if [ -n "$pins" ]; then
  if [ -f /etc/apt/preferences ]; then cat /etc/apt/preferences > "$d/preferences"; echo >> "$d/preferences"; fi
  printf '%s\n' "$pins" >> "$d/preferences"
  set -- -o "Dir::Etc::Preferences=$d/preferences" "$@"
fi
LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null
"""


def apt_argv(request: AptRequest, simulate: bool) -> list[str]:
    """The command line (argv) of ``request``: simulated (``-s``, no lock, no root needed)
    or for real (``-y``, non-interactive, conffiles kept, stdin closed)."""
    if simulate:
        options = ["-s", "-q", "-o", "Debug::NoLocking=1"]
    else:
        options = ["-y", "-q", *NONINTERACTIVE]
    if request.allow_downgrades:
        options.append("--allow-downgrades")
    verb = [request.verb]
    if request.verb == "upgrade":
        verb.append("--with-new-pkgs")  # like `apt upgrade`: new dependencies, never removals
    return ["sh", "-c", _APT_SCRIPT, "ictops-apt", request.sources or "", request.pins or "",
            *options, *verb, *request.packages]


@dataclass(frozen=True)
class AptChange:
    """One package apt would change: ``old`` None = newly installed, ``new`` None = removed."""

    name: str
    old: str | None
    new: str | None
    origins: tuple[str, ...] = ()  # "ictops-lab-security:ictops-security", "Debian:12.6/stable"

    @property
    def security(self) -> bool:
        return any("security" in origin.lower() for origin in self.origins)

    def describe(self) -> str:
        """In words, as a plan shows it: "install x 1.1-1", "upgrade x 1.0-1 -> 1.1-1"."""
        if self.new is None:
            return f"remove {self.name} {self.old}"
        if self.old is None:
            return f"install {self.name} {self.new}"
        return f"upgrade {self.name} {self.old} -> {self.new}"


@dataclass(frozen=True)
class AptSimulation:
    """What apt-get would do (``apt-get -s``): the changes in its order, the packages it keeps
    back, and, when it refused (exit 100), its error lines."""

    changes: tuple[AptChange, ...] = ()
    kept_back: tuple[str, ...] = ()
    error: str | None = None

    def change(self, name: str) -> AptChange | None:
        return next((c for c in self.changes if c.name == name), None)


_INST = re.compile(r"^Inst (\S+) (?:\[([^\]\s]+)\] )?\((\S+) ([^\[]*?)\s*\[[^\]]*\]\)")
_REMV = re.compile(r"^(?:Remv|Purg) (\S+)(?: \[([^\]\s]+)\])?")


def parse_simulation(stdout: str) -> tuple[tuple[AptChange, ...], tuple[str, ...]]:
    """The ``Inst``/``Remv``/``Purg`` lines and the kept-back list of ``apt-get -s``."""
    changes: list[AptChange] = []
    kept: list[str] = []
    in_kept = False
    for line in stdout.splitlines():
        if line.startswith("The following packages have been kept back"):
            in_kept = True
            continue
        if in_kept and line.startswith(" "):
            kept.extend(p for p in line.split() if _NAME.fullmatch(p))
            continue
        in_kept = False
        found = _INST.match(line)
        if found and _NAME.fullmatch(found.group(1)):
            origins = tuple(o.strip() for o in found.group(4).split(",") if o.strip())
            changes.append(AptChange(found.group(1), found.group(2), found.group(3), origins))
            continue
        gone = _REMV.match(line)
        if gone and _NAME.fullmatch(gone.group(1)):
            changes.append(AptChange(gone.group(1), gone.group(2), None))
    return tuple(changes), tuple(kept)


def apt_error(result: CommandResult) -> str:
    """apt's own error lines ("E: ..."), joined; else its last line."""
    lines = (result.stderr + "\n" + result.stdout).splitlines()
    errors = [line[3:].strip() for line in lines if line.startswith("E: ")]
    if errors:
        return "; ".join(dict.fromkeys(errors))
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else f"exit {result.exit_code}"


class AptSimulationFact(CommandFact[AptSimulation]):
    """``apt-get -s`` of an AptRequest: exactly what applying it would do."""

    def command(self, request: AptRequest) -> Sequence[str]:
        return apt_argv(request, simulate=True)

    def parse(self, result: CommandResult, request: AptRequest) -> AptSimulation:
        if result.exit_code == 100:  # apt refused: unknown package, version not found...
            return AptSimulation(error=apt_error(result))
        if not result.ok:
            raise FactError(f"cannot simulate apt-get {request.verb}: {apt_error(result)}")
        changes, kept = parse_simulation(result.stdout)
        return AptSimulation(changes, kept)


# --- sources ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AptSource:
    """One apt source (a line of a .list file, or a suite of a deb822 stanza)."""

    uri: str
    suite: str
    components: tuple[str, ...] = ()
    types: tuple[str, ...] = ("deb",)
    options: tuple[tuple[str, str], ...] = ()  # deb822 fields: ("Signed-By", "/usr/share/...")

    @property
    def security(self) -> bool:
        """A security archive: Debian's bookworm-security, Ubuntu's jammy-security, the
        lab's ictops-security, old Debian's buster/updates on security.debian.org."""
        return "security" in self.suite.lower() or "security" in self.uri.lower()


_SOURCES_SCRIPT = (
    'for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list '
    '/etc/apt/sources.list.d/*.sources; do [ -f "$f" ] || continue; '
    'echo "==> $f"; cat -- "$f"; echo; done; exit 0'
)


class AptSourcesFact(CommandFact[tuple[AptSource, ...]]):
    """The host's apt sources, one-line (.list) and deb822 (.sources) alike (enabled ones)."""

    def command(self) -> Sequence[str]:
        return ["sh", "-c", _SOURCES_SCRIPT]

    def parse(self, result: CommandResult) -> tuple[AptSource, ...]:
        found: list[AptSource] = []
        for name, text in _files(result.stdout):
            parse = _deb822 if name.endswith(".sources") else _one_line
            found.extend(parse(text))
        return tuple(found)


def _files(stdout: str) -> list[tuple[str, str]]:
    files: list[tuple[str, list[str]]] = []
    for line in stdout.splitlines():
        if line.startswith("==> /etc/apt/"):
            files.append((line[4:], []))
        elif files:
            files[-1][1].append(line)
    return [(name, "\n".join(lines)) for name, lines in files]


def _one_line(text: str) -> list[AptSource]:
    out = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if not words or words[0] not in ("deb", "deb-src"):
            continue
        rest = words[1:]
        options: list[tuple[str, str]] = []
        if rest and rest[0].startswith("["):
            opts = []
            while rest:
                opts.append(rest.pop(0))
                if opts[-1].endswith("]"):
                    break
            for item in " ".join(opts).strip("[] ").split():
                key, _, value = item.partition("=")
                if key.lower() == "signed-by":
                    options.append(("Signed-By", value))
        if len(rest) >= 2:
            out.append(AptSource(rest[0], rest[1], tuple(rest[2:]), (words[0],), tuple(options)))
    return out


def _deb822(text: str) -> list[AptSource]:
    out = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = ""
        for line in stanza.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0] in " \t" and key:
                fields[key] += "\n" + line.strip()
                continue
            key, sep, value = line.partition(":")
            if not sep:
                key = ""
                continue
            key = key.strip().lower()
            fields[key] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        types = tuple(fields.get("types", "").split())
        options = tuple((name, fields[name.lower()]) for name in ("Signed-By",) if name.lower() in fields)
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                out.append(AptSource(uri, suite, tuple(fields.get("components", "").split()),
                                     types, options))
    return out


def security_sources(sources: Sequence[AptSource]) -> str | None:
    """deb822 text of the host's security sources only (binary packages), or None when it has
    none: simulating against these alone shows every pending security fix, also one that a
    newer normal update hides in the full listing."""
    stanzas = []
    for s in sources:
        if not s.security or "deb" not in s.types:
            continue
        lines = ["Types: deb", f"URIs: {s.uri}", f"Suites: {s.suite}"]
        if s.components:
            lines.append(f"Components: {' '.join(s.components)}")
        for key, value in s.options:
            if "\n" not in value:  # an inline key block: keep the host's file, not a copy
                lines.append(f"{key}: {value}")
        stanzas.append("\n".join(lines))
    return "\n\n".join(dict.fromkeys(stanzas)) or None


# --- the lists' age -----------------------------------------------------------------------


class AptListsAgeFact(CommandFact["float | None"]):
    """Seconds since apt's package lists were last refreshed (the update stamp that apt's
    daily job, Ansible and ictops touch, or the lists directory), by the host's own clock;
    None when there are no lists at all."""

    def command(self) -> Sequence[str]:
        return ["sh", "-c", f"date +%s; stat -c %Y {UPDATE_STAMP} /var/lib/apt/lists 2>/dev/null; exit 0"]

    def parse(self, result: CommandResult) -> float | None:
        numbers = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        if not numbers or not all(n.isdigit() for n in numbers):
            raise FactError("cannot read the age of apt's lists (date, stat)", ErrorKind.INVALID_OUTPUT)
        if len(numbers) == 1:
            return None
        return max(0.0, float(int(numbers[0]) - max(int(n) for n in numbers[1:])))
