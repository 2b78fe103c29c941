"""What the package and patch actions share: apt hosts only, fresh lists, running apt-get
for real exactly as it was simulated, checking that it did, and the result's payload."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from ictops.actions.base import Context
from ictops.connections.base import CommandResult
from ictops.facts import APT_LISTS_AGE, OS_RELEASE, PACKAGES, AptChange, AptRequest
from ictops.facts.apt import UPDATE_STAMP, apt_argv, apt_error
from ictops.results import ErrorKind, HostFailure, Payload
from ictops.settings import load_settings

APT_TIMEOUT = 1800.0  # seconds an apt-get run may take on a host (a big upgrade is slow)
UPDATE = "apt-get update"


def require_apt(ctx: Context) -> None:
    """HostFailure (config_error) unless the host is Debian-family: dnf (RHEL, Rocky,
    Alma) is not supported yet, and nothing is guessed for it."""
    release = ctx.facts.get(OS_RELEASE)
    if not release.is_debian_family:
        name = release.pretty_name or release.id
        raise HostFailure(
            f"{name} is not a Debian-family system: ictops manages packages with apt only "
            "(Debian, Ubuntu); dnf hosts are not supported yet. Leave it out with -l or when:",
            ErrorKind.CONFIG_ERROR)


def refresh_lists(ctx: Context, *, unknown: bool = False) -> bool:
    """``apt-get update`` when the lists are older than the ``apt_cache_age`` setting (or
    ``unknown``: apt did not know a package), at most once per run and host. True if it ran."""
    if not unknown:
        age = ctx.facts.get(APT_LISTS_AGE)
        if age is not None and age <= load_settings(ctx.project).apt_cache_age:
            return False
    if not ctx.facts.first(UPDATE):
        return False
    server = ctx.server()
    result = server.run(_update_command(), timeout=_timeout(ctx), sudo=ctx.host.sudo)
    if not result.ok and "error-on" in result.stderr:  # apt before 2.1: no --error-on
        result = server.run(_update_command(strict=False), timeout=_timeout(ctx), sudo=ctx.host.sudo)
    if not result.ok:
        raise HostFailure(f"apt-get update failed: {apt_error(result)}")
    ctx.facts.invalidate()
    return True


def _update_command(strict: bool = True) -> str:
    # --error-on=any: a source that fails (a bad signature) is an error, not a warning
    update = "apt-get update -q" + (" --error-on=any" if strict else "")
    return (f"LC_ALL=C {update} </dev/null && mkdir -p {UPDATE_STAMP.rsplit('/', 1)[0]} "
            f"&& touch {UPDATE_STAMP}")


def _timeout(ctx: Context) -> float:
    return max(ctx.host.timeouts.command, APT_TIMEOUT)


def run_apt(ctx: Context, request: AptRequest) -> CommandResult:
    """apt-get for real, exactly as planned (non-interactive, conffiles kept, stdin closed);
    HostFailure with apt's own error when it fails."""
    result = ctx.server().run(apt_argv(request, simulate=False), timeout=_timeout(ctx),
                              sudo=ctx.host.sudo)
    if not result.ok:
        raise HostFailure(f"apt-get {request.verb} failed (exit {result.exit_code}): "
                          f"{apt_error(result)}")
    return result


def check_landed(ctx: Context, changes: Iterable[AptChange]) -> None:
    """Read dpkg's database again: every planned change must be there, else HostFailure."""
    ctx.facts.invalidate()
    installed = ctx.facts.get(PACKAGES)
    wrong = [f"{c.name} is {installed.get(c.name) or 'not installed'}, not "
             f"{c.new or 'removed'}" for c in changes if installed.get(c.name) != c.new]
    if wrong:
        raise HostFailure(f"apt-get finished but {'; '.join(wrong)}")


@dataclass(frozen=True)
class PackageChanges(Payload):
    """The packages a step changed (or would change): (name, from, to), None = absent."""

    kind: ClassVar[str] = "packages"
    changes: tuple[tuple[str, str | None, str | None], ...] = ()
    held: tuple[str, ...] = ()
    lists_refreshed: bool = False

    @classmethod
    def of(cls, changes: Iterable[AptChange], **kw: Any) -> PackageChanges:
        return cls(tuple((c.name, c.old, c.new) for c in changes), **kw)

    def record(self) -> dict[str, Any]:
        return {"packages": [list(c) for c in self.changes], **({"held": list(self.held)}
                                                                 if self.held else {})}


def describe(changes: Iterable[AptChange], verb: str = "") -> str:
    """"installed x 1.1-1; upgraded y 1.0-1 -> 1.1-1" (past tense when ``verb`` is "ed")."""
    words = []
    for c in changes:
        text = c.describe()
        if verb:
            first, _, rest = text.partition(" ")
            text = {"install": "installed", "upgrade": "upgraded", "remove": "removed"}[first] + " " + rest
        words.append(text)
    return "; ".join(words)
