"""Run a command: a shell command on servers, an exec/show command on switches."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ictops.connections.base import CommandResult, size
from ictops.engine.context import HostContext
from ictops.results import ActionResult, ErrorKind, Status


@dataclass(frozen=True)
class RunCommand:
    """An ad-hoc command. It cannot know whether it changed anything, so success is OK.

    Each host's output is kept up to its ``limits.output``; ``output_dir`` receives every
    host's whole output, as the host sent it, in ``<output_dir>/<host>.out`` (mode 0600).
    """

    command: str
    timeout: float | None = None
    sudo: bool = False
    output_dir: Path | None = None

    name = "cmd"

    def __call__(self, ctx: HostContext) -> ActionResult:
        timeout = self.timeout or ctx.host.timeouts.command
        with self._sink(ctx.host.name) as sink:
            if ctx.host.is_switch:
                result = ctx.switch().run(self.command, timeout=timeout, sink=sink)
            else:
                result = ctx.server().run(self.command, timeout=timeout, sudo=self.sudo, sink=sink)
        output = result.stdout + result.stderr
        data: dict[str, object] = {} if ctx.host.is_switch else {"exit_code": result.exit_code}
        if result.cut:
            data["cut_bytes"] = result.cut
            output += "\n" + self._cut_note(ctx, result) + "\n"
        if ctx.host.is_switch:
            refused = ctx.host.platform.config_error(output)
            if refused:
                return ctx.result(
                    Status.FAILED,
                    f"the switch refused the command: {refused}",
                    output=output,
                    error_kind=ErrorKind.COMMAND_FAILED,
                    data=data,
                )
        elif result.exit_code != 0:
            reason = _first_line(result.stderr) or _first_line(result.stdout)
            return ctx.result(
                Status.FAILED,
                f"exit code {result.exit_code}" + (f": {reason}" if reason else ""),
                output=output,
                error_kind=ErrorKind.COMMAND_FAILED,
                data=data,
            )
        return ctx.result(Status.OK, _first_line(result.stdout), output=output, data=data)

    def output_file(self, host: str) -> Path | None:
        """Where the host's whole output goes, if anywhere (a name that stays in the dir)."""
        if self.output_dir is None:
            return None
        safe = re.sub(r"[^\w.-]", "_", host)
        return self.output_dir / f"{'_' if safe.startswith('.') else ''}{safe}.out"

    @contextmanager
    def _sink(self, host: str) -> Iterator[BinaryIO | None]:
        path = self.output_file(host)
        if path is None:
            yield None
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as sink:
            yield sink

    def _cut_note(self, ctx: HostContext, result: CommandResult) -> str:
        kept = len((result.stdout + result.stderr).encode())
        where = self.output_file(ctx.host.name)
        whole = (
            f"the whole output is in {where}"
            if where is not None
            else "to keep it all, run again with --output-dir DIR"
        )
        return (
            f"[ictops: output cut at limits.output ({size(ctx.host.limits.output)}); "
            f"{size(result.cut)} more not kept ({size(kept + result.cut)} in all); {whole}]"
        )


def _first_line(text: str, width: int = 200) -> str:
    """The first non-blank line, at most ``width`` characters: a message, not the output."""
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= width else line[: width - 3] + "..."
    return ""
