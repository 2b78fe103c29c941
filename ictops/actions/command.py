"""Run a command: a shell command on servers, an exec/show command on switches."""

from __future__ import annotations

from dataclasses import dataclass

from ictops.engine.context import HostContext
from ictops.results import ActionResult, ErrorKind, Status


@dataclass(frozen=True)
class RunCommand:
    """An ad-hoc command. It cannot know whether it changed anything, so success is OK."""

    command: str
    timeout: float | None = None
    sudo: bool = False

    name = "cmd"

    def __call__(self, ctx: HostContext) -> ActionResult:
        timeout = self.timeout or ctx.host.timeouts.command
        if ctx.host.is_switch:
            output = ctx.switch().show(self.command, timeout=timeout)
            refused = ctx.host.platform.config_error(output)
            if refused:
                return ctx.result(
                    Status.FAILED,
                    f"the switch refused the command: {refused}",
                    output=output,
                    error_kind=ErrorKind.COMMAND_FAILED,
                )
            return ctx.result(Status.OK, _first_line(output), output=output)
        result = ctx.server().run(self.command, timeout=timeout, sudo=self.sudo or False)
        output = result.stdout + (result.stderr if result.stderr else "")
        if result.exit_code != 0:
            reason = _first_line(result.stderr) or _first_line(result.stdout)
            return ctx.result(
                Status.FAILED,
                f"exit code {result.exit_code}" + (f": {reason}" if reason else ""),
                output=output,
                error_kind=ErrorKind.COMMAND_FAILED,
                data={"exit_code": result.exit_code},
            )
        return ctx.result(Status.OK, _first_line(result.stdout), output=output, data={"exit_code": 0})


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""
