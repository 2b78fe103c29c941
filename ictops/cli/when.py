"""Dates and times on the command line: Thai time, a B.E. or C.E. year (ictops.clock)."""

from __future__ import annotations

import click

from ictops import clock
from ictops.cli.output import stderr


class When(click.ParamType):
    """``--since 2569-12-01`` as an aware datetime; says so on stderr when it read B.E.

    A bare date is the start of the day, or its end with ``end=True`` (``--until``).
    """

    name = "date"

    def __init__(self, end: bool = False):
        self.end = end

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        what = param.opts[0] if param is not None else "date"
        read = clock.parse_user(value, end=self.end, what=what)
        if read.note:
            stderr.print(f"note: {what} {read.note}", soft_wrap=True)
        return read.moment


SINCE = When()
UNTIL = When(end=True)
