"""The shape of a playbook file (pydantic, extra keys refused) and its loaded form.

The YAML models validate; the frozen dataclasses (``Playbook``, ``PlayStep``) are
what the executor gets, with includes flattened, ``when`` compiled and every step
tagged with the manual's process and step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Union

from pydantic import Field, field_validator

from ictops.schedule.window import Window, parse_window
from ictops.validation import StrictModel

# serial: 5, "25%", or a list of batch sizes such as [1, "10%", "50%"] (the last repeats)
SerialItem = Union[int, str]




def _check_serial_item(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("serial must be a number of hosts, a percentage like '25%', or a list of them")
    if isinstance(value, int):
        if value < 1:
            raise ValueError(f"serial batch size {value} must be at least 1")
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%") and text[:-1].strip().isdigit() and 0 < int(text[:-1]) <= 100:
            return text
        if text.isdigit() and int(text) > 0:
            return int(text)
    raise ValueError(f"serial batch '{value}' must be a number of hosts or a percentage like '25%'")


class PlaybookModel(StrictModel):
    """The top level of playbooks/NAME.yaml."""

    name: str = Field(min_length=1)
    process: int
    routine: bool = False
    hosts: str | None = None  # a limit expression; None = every host
    serial: SerialItem | list[SerialItem] | None = None
    max_fail_percentage: float | None = Field(default=None, ge=0, le=100)
    # when unattended work may start: "22:00-05:00" or {hours: ..., days: mon-fri} (Bangkok)
    window: str | dict[str, Any] | None = None
    vars: dict[str, Any] = {}
    steps: list[Any] = Field(min_length=1)
    handlers: list[Any] = []

    @field_validator("window")
    @classmethod
    def _window(cls, value: Any) -> Any:
        if value is not None:
            parse_window(value)  # ValueError: a one-line message at the window's line
        return value

    @field_validator("serial")
    @classmethod
    def _serial(cls, value: Any) -> Any:
        if isinstance(value, list):
            if not value:
                raise ValueError("serial list is empty; give at least one batch size")
            return [_check_serial_item(v) for v in value]
        return None if value is None else _check_serial_item(value)


class StepCommon(StrictModel):
    """The keys every step may have besides its one action key."""

    name: str = Field(min_length=1)
    step: int
    when: str | None = None
    tags: list[str] = []
    notify: list[str] = []  # handler names (a notify *action* is a mapping; see loader)


class HandlerCommon(StrictModel):
    """A handler: like a step; ``step`` defaults to the playbook's carry-out step."""

    name: str = Field(min_length=1)
    step: int | None = None
    when: str | None = None
    tags: list[str] = []


@dataclass(frozen=True)
class PlayStep:
    """One step, ready to run."""

    name: str
    process: int
    step: int
    action: str  # registry name: cmd, backup, audit, notify, report...
    args: Mapping[str, Any]
    source: str  # "playbooks/x.yaml:12", for messages
    when: str | None = None
    when_fn: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    tags: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    run_level: bool = False  # runs once for the whole run (notify, report), on no host
    key: str = ""  # "step-3", "handler-0": which step of the playbook, for saved plans


@dataclass(frozen=True)
class Playbook:
    """A loaded, validated playbook. ``files`` are every file it was read from (for plans)."""

    name: str
    path: str  # as shown, relative to the project
    process: int
    routine: bool
    hosts: str | None
    serial: tuple[SerialItem, ...]
    max_fail_percentage: float | None
    vars: Mapping[str, Any]
    steps: tuple[PlayStep, ...]
    handlers: tuple[PlayStep, ...]
    files: tuple[str, ...]  # project-relative paths: the playbook, then its includes
    window: Window | None = None  # the maintenance window (docs/schedule.md)

    @property
    def tags(self) -> set[str]:
        return {t for s in self.steps + self.handlers for t in s.tags}
