"""The server backup's collection: many files and command outputs in one round trip.

The script and its parser are the backup's (ictops/backup/collect.py: globs expanded on the
server, everything base64 between marker lines, an end marker to detect a cut); this fact
runs it once per host and run, so the backup, the audit and a restore share one read.
"""

from __future__ import annotations

from dataclasses import dataclass

from ictops.backup.collect import Collected, build_script, parse_output
from ictops.backup.commands import CommandSpec
from ictops.backup.untrusted import size_limits_for
from ictops.connections.base import CommandResult, ServerSession
from ictops.facts.base import Fact
from ictops.inventory.host import Host


@dataclass(frozen=True)
class Collection:
    collected: Collected
    result: CommandResult  # exit code, stderr and the raw output (for the quarantine)


class CollectionFact(Fact[Collection]):
    """Arguments: the file patterns (absolute, checked by the backup) and the commands
    (CommandSpec, as in ictops/data/server_commands.yaml) whose outputs to collect. Only what
    was asked for is kept, confined and size-capped (ictops/backup/untrusted.py); the rest is
    in ``collected.refused``. ConfigError-like problems of the host's limits raise."""

    def read(self, session: ServerSession, host: Host, patterns: tuple[str, ...],
             commands: tuple[CommandSpec, ...] = ()) -> Collection:
        specs = {spec.name: spec for spec in commands}
        script = build_script(list(patterns), specs,
                              command_timeout=max(5, int(host.timeouts.command / 2)))
        limits = size_limits_for(host)
        result = session.run(
            script, timeout=host.timeouts.command, sudo=host.sudo, keep=limits.answer
        )
        collected = parse_output(result.stdout, patterns, specs, limits)
        return Collection(collected, result)
