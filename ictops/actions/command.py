"""Run a command: a shell command on servers, an exec/show command on switches.

A command marked ``changes: false`` only reads: it is a read-only action and also runs in
check mode. Otherwise ictops cannot know what the command changes, and says so: its plan
is "run: COMMAND", uncertain, so check mode reports it is not run instead of guessing.

Each host's output is kept up to its ``limits.output``; ``output_dir`` receives every host's
whole output in ``<output_dir>/<host>.out`` (mode 0600), masked like everything ictops shows.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from ictops.actions.base import Context
from ictops.connections.base import CommandResult, size
from ictops.masking import MaskingWriter
from ictops.project import Project
from ictops.facts import PATH_EXISTS
from ictops.results import Change, ErrorKind, Outcome, Payload, Plan, Status
from ictops.validation import StrictModel

MAY_CHANGE = "this command may change the host (mark it changes: false if it only reads)"


class Args(StrictModel):
    command: str = Field(min_length=1)
    sudo: bool = False
    changes: bool = True  # may this command change the host? false: it also runs in check mode
    timeout: float | None = Field(default=None, gt=0)
    # when a successful run counts as CHANGED (so its handlers run): true, or a regular
    # expression found in its output; default: never (ictops cannot know)
    changed_when: bool | str | None = None
    creates: str | None = None  # an absolute path: when it exists, the command is not run

    @field_validator("changed_when")
    @classmethod
    def _pattern(cls, value: bool | str | None) -> bool | str | None:
        if isinstance(value, str):
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"changed_when '{value}' is not a regular expression: {exc}") from None
        return value

    @field_validator("creates")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"creates '{value}' must be an absolute path")
        return value

    @model_validator(mode="after")
    def _read_only(self) -> Args:
        if not self.changes and (self.changed_when is not None or self.creates is not None):
            raise ValueError("changed_when and creates are for commands that change the host, "
                             "not with changes: false")
        return self


def build(args: Args, project: Project) -> Any:
    """The playbook's ``cmd:`` step."""
    if not args.changes:
        return ReadCommand(command=args.command, timeout=args.timeout, sudo=args.sudo)
    return RunCommand(command=args.command, timeout=args.timeout, sudo=args.sudo,
                      changed_when=args.changed_when, creates=args.creates)


@dataclass(frozen=True)
class CommandData(Payload):
    """A command's exit code (servers) and how much output was cut."""

    kind: ClassVar[str] = "command"
    exit_code: int | None = None  # None on a switch
    cut_bytes: int = 0


@dataclass(frozen=True)
class ReadCommand:
    """A command that only reads (``changes: false``)."""

    command: str
    timeout: float | None = None
    sudo: bool = False
    output_dir: Path | None = None
    name: str = "cmd"

    def read(self, ctx: Context) -> Outcome:
        host = ctx.host
        timeout = self.timeout or host.timeouts.command
        with self._sink(ctx) as sink:
            if host.is_switch:
                result = ctx.switch().run(self.command, timeout=timeout, sink=sink)
            else:
                result = ctx.server().run(self.command, timeout=timeout, sudo=self.sudo, sink=sink)
        output = result.stdout + result.stderr
        if result.cut:
            output += "\n" + self._cut_note(ctx, result) + "\n"
        data = CommandData(None if host.is_switch else result.exit_code, result.cut)
        if host.is_switch:
            refused = host.platform.config_error(output)
            if refused:
                return Outcome.failed(f"the switch refused the command: {refused}",
                                      output=output, payload=data)
        elif result.exit_code != 0:
            reason = _first_line(result.stderr) or _first_line(result.stdout)
            return Outcome.failed(f"exit code {result.exit_code}" + (f": {reason}" if reason else ""),
                                  ErrorKind.COMMAND_FAILED, output=output, payload=data)
        return Outcome.ok(_first_line(result.stdout), output=output, payload=data)

    def output_file(self, host: str) -> Path | None:
        """Where the host's whole output goes, if anywhere (a name that stays in the dir)."""
        if self.output_dir is None:
            return None
        safe = re.sub(r"[^\w.-]", "_", host)
        return self.output_dir / f"{'_' if safe.startswith('.') else ''}{safe}.out"

    @contextmanager
    def _sink(self, ctx: Context) -> Iterator[MaskingWriter | None]:
        path = self.output_file(ctx.host.name)
        if path is None:
            yield None
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as sink:
            masked = MaskingWriter(sink, ctx.mask)
            try:
                yield masked
            finally:
                masked.close()

    def _cut_note(self, ctx: Context, result: CommandResult) -> str:
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


@dataclass(frozen=True)
class RunCommand(ReadCommand):
    """A command that may change the host: it cannot know whether it did, so success is OK,
    unless ``changed_when`` says (True, or a pattern its output matches); with ``creates``
    it is not run when that path exists."""

    changes_hosts: ClassVar[bool] = True
    changed_when: bool | str | None = None
    creates: str | None = None

    def plan(self, ctx: Context) -> Plan:
        if self.creates is not None and ctx.facts.get(PATH_EXISTS, self.creates):
            return Plan(reason=f"{self.creates} exists (creates): not run")
        return Plan((Change(f"run: {self.command}"),), reason=MAY_CHANGE, certain=False)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        outcome = self.read(ctx)
        if outcome.status is not Status.OK or not self._changed(outcome.output):
            return outcome
        return dataclasses.replace(outcome, status=Status.CHANGED,
                                   message=outcome.message or f"ran: {self.command}")

    def _changed(self, output: str) -> bool:
        if isinstance(self.changed_when, str):
            return re.search(self.changed_when, output, re.MULTILINE) is not None
        return bool(self.changed_when) or self.creates is not None


def _first_line(text: str, width: int = 200) -> str:
    """The first non-blank line, at most ``width`` characters: a message, not the output."""
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= width else line[: width - 3] + "..."
    return ""
