"""The school calendar: dates on which no unattended run works (exam days, holidays, events).

``inventory/calendar.yaml`` lists them with their reasons (Thai names), one date or a range
each, in Buddhist-Era or Common-Era years (``2569-12-05`` and ``2026-12-05`` are the same day).
A run whose start falls on an excluded date (Bangkok time) does nothing and says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from ictops.clock import local, parse_user
from ictops.errors import InputError, InputErrors
from ictops.validation import StrictModel, pydantic_errors
from ictops.yamlfile import YamlDoc, load_yaml

CALENDAR_FILE = "calendar.yaml"
Kind = Literal["holiday", "exam", "event", "other"]
KIND_TH = {"holiday": "วันหยุดราชการ", "exam": "วันสอบ", "event": "กิจกรรมของโรงเรียน", "other": "อื่น ๆ"}


class CalendarError(InputError):
    """inventory/calendar.yaml is invalid."""


class ExcludedModel(StrictModel):
    date: str | dt.date | None = None
    from_: str | dt.date | None = Field(default=None, alias="from")
    to: str | dt.date | None = None
    reason: str = Field(min_length=1)
    kind: Kind = "other"


class CalendarModel(StrictModel):
    excluded: list[ExcludedModel] = []


@dataclass(frozen=True)
class Exclusion:
    """One excluded day or range (inclusive), and why."""

    first: dt.date
    last: dt.date
    reason: str
    kind: str
    source: str  # "inventory/calendar.yaml:12"

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def describe(self) -> str:
        """``วันสอบ: สอบปลายภาค 1/2569 (inventory/calendar.yaml:30)``."""
        return f"{KIND_TH.get(self.kind, self.kind)}: {self.reason} ({self.source})"


@dataclass(frozen=True)
class SchoolCalendar:
    exclusions: tuple[Exclusion, ...] = ()
    file: str | None = None

    def excluded_on(self, day: dt.date) -> list[Exclusion]:
        """Every exclusion covering ``day`` (a Bangkok date); empty when work may run."""
        return [e for e in self.exclusions if e.covers(day)]

    @classmethod
    def load(cls, path: Path, shown_as: str | None = None) -> SchoolCalendar:
        """Read and check the file; a missing file is an empty calendar (nothing excluded)."""
        if not path.exists():
            return cls()
        return _build(load_yaml(path, shown_as or str(path), CalendarError))


def load_calendar(inventory_dir: Path, shown_as: str = f"inventory/{CALENDAR_FILE}") -> SchoolCalendar:
    """The project's school calendar (inventory/calendar.yaml)."""
    return SchoolCalendar.load(inventory_dir / CALENDAR_FILE, shown_as)


def _day(doc: YamlDoc, path: tuple[Any, ...], value: str | dt.date) -> dt.date:
    """A date as written: B.E. or C.E. year (a YAML date or text); CalendarError at its line."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        read = parse_user(text, what=path[-1])
    except InputError as exc:
        raise doc.error(path, f"calendar: {exc.message}", CalendarError) from None
    if not read.whole_day:
        raise doc.error(path, f"calendar: '{text}' is a time; give a date such as 2569-12-05",
                        CalendarError)
    return local(read.moment).date()


def _build(doc: YamlDoc) -> SchoolCalendar:
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise CalendarError("the file must be a mapping with excluded: (a list of dates)", doc.file,
                            doc.line(()) or 1)
    try:
        model = CalendarModel.model_validate(data)
    except ValidationError as exc:
        found = pydantic_errors(exc, CalendarModel, doc, (), "calendar", CalendarError)
        raise (found[0] if len(found) == 1 else InputErrors(found)) from None
    exclusions = []
    for i, item in enumerate(model.excluded):
        where = ("excluded", i)
        if item.date is not None and (item.from_ is not None or item.to is not None):
            raise doc.error(where, "calendar: give either date: or from: and to:, not both",
                            CalendarError)
        if item.date is not None:
            first = last = _day(doc, (*where, "date"), item.date)
        elif item.from_ is not None and item.to is not None:
            first, last = _day(doc, (*where, "from"), item.from_), _day(doc, (*where, "to"), item.to)
            if last < first:
                raise doc.error((*where, "to"), f"calendar: to: {last} is before from: {first}; "
                                "swap them", CalendarError)
        else:
            raise doc.error(where, "calendar: an excluded entry needs date: (one day) or from: and "
                            "to: (a range)", CalendarError)
        exclusions.append(Exclusion(first, last, item.reason.strip(), item.kind,
                                    f"{doc.file}:{doc.line(where)}"))
    return SchoolCalendar(tuple(exclusions), doc.file)
