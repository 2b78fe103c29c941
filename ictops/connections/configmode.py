"""Configuration mode on a switch: lines sent one at a time, each answer checked at once.

netmiko's ``send_config_set`` sends a set and reads it back with timing-based waits: with a
multi-line banner in the set it waits 2 s of silence per line, and its VRP config-mode check
waits 2 s each time. Here each line is sent and its answer read up to the device's next
prompt, under the command deadline, by the session's own reader (ictops/connections/switch.py):

- the answer is checked against the platform's refusal messages (platforms.yaml
  ``config_errors``: ``% Invalid input``, ``% Incomplete command``, ``% Ambiguous command``,
  Huawei's ``Error:`` under a ``^`` marker...): the first refused line stops the push, later
  lines are never sent, and configuration mode is left;
- a line after which the device shows its exec prompt again (it left configuration mode) is
  refused the same way: what follows it would run as exec commands;
- a multi-line banner (IOS ``banner login #``, its text, ``#``) is sent whole: the device shows
  no prompt until its delimiter;
- every failure lists the lines written to the device (``SessionError.sent``; the last one
  may or may not have been applied when the connection was lost).

How to enter and leave configuration mode is platform data (``commands.config_mode`` and
``commands.config_end``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from ictops.connections.base import SessionError
from ictops.platforms import Platform
from ictops.results import ErrorKind

BANNER = re.compile(r"^banner \S+ (\S)(.*)$")  # IOS: the delimiter, then text on the same line


class Answer(Protocol):
    @property
    def text(self) -> str: ...  # what the device printed, without echo and prompt

    @property
    def prompt(self) -> str: ...  # the prompt it ended with


class Terminal(Protocol):
    """What sending config lines needs from a CLI session."""

    home: str  # the exec prompt

    def send_lines(self, lines: Sequence[str], limit: float) -> Answer:
        """Write ``lines``, read up to the prompt after the last one (within ``limit``)."""
        ...


def groups(lines: Sequence[str]) -> Iterator[list[str]]:
    """The lines in the groups they are sent in: one line, or a whole multi-line banner."""
    pending: list[str] = []
    delimiter = ""
    for line in lines:
        if delimiter:
            pending.append(line)
            if delimiter in line:
                yield pending
                pending, delimiter = [], ""
            continue
        found = BANNER.match(line.strip())
        if found and found.group(1) not in found.group(2):
            pending, delimiter = [line], found.group(1)
            continue
        yield [line]
    if pending:
        yield pending  # a banner without its closing delimiter: the device says what it thinks


def send_config(
    terminal: Terminal, platform: Platform, lines: Sequence[str], limit: float, where: str
) -> str:
    """Enter configuration mode, send ``lines``, leave it; returns what the device printed.

    Raises SessionError: COMMAND_FAILED for a refused line (naming it and the device's
    message) or a line that left configuration mode; the session's own kinds (TIMEOUT,
    CONNECTION_LOST) otherwise. ``sent`` on the error lists the lines that reached the device.
    """
    enter = platform.commands.get("config_mode")
    leave = platform.commands.get("config_end")
    if not enter or not leave:
        raise SessionError(
            ErrorKind.CONFIG_ERROR,
            f"{where}: ictops does not know how {platform.name} enters configuration mode "
            "(platforms.yaml commands.config_mode and config_end)",
        )
    answer = terminal.send_lines([enter], limit)
    if answer.prompt == terminal.home or platform.config_error(answer.text):
        raise SessionError(
            ErrorKind.COMMAND_FAILED,
            f"{where}: '{enter}' did not enter configuration mode: {_said(answer.text)}",
        )
    transcript = [enter, *_said_lines(answer.text)]
    sent: list[str] = []
    try:
        for group in groups(lines):
            sent.extend(group)  # written before its answer is read: it may have been applied
            answer = terminal.send_lines(group, limit)
            transcript.extend([*group, *_said_lines(answer.text)])
            refused = platform.config_error(answer.text)
            if refused:
                raise SessionError(
                    ErrorKind.COMMAND_FAILED, f"{where}: device refused '{group[0].strip()}': {refused}"
                )
            if answer.prompt == terminal.home:
                raise SessionError(
                    ErrorKind.COMMAND_FAILED,
                    f"{where}: '{group[0].strip()}' left configuration mode; nothing after it "
                    "was sent",
                )
    except SessionError as exc:
        exc.sent = tuple(sent)
        if exc.kind is ErrorKind.COMMAND_FAILED:
            _leave(terminal, leave, limit)
        raise
    answer = terminal.send_lines([leave], limit)
    if answer.prompt != terminal.home:
        error = SessionError(
            ErrorKind.COMMAND_FAILED,
            f"{where}: '{leave}' did not leave configuration mode (prompt '{answer.prompt}')",
        )
        error.sent = tuple(sent)
        raise error
    transcript.append(leave)
    return "\n".join(transcript) + "\n"


def _leave(terminal: Terminal, leave: str, limit: float) -> None:
    """Back to exec mode after a refused line (the refusal is what gets reported)."""
    try:
        terminal.send_lines([leave], limit)
    except SessionError:
        pass


def _said_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _said(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no answer"
