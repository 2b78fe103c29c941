"""Placeholder: filled in by the issue that builds this verb."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    pass
