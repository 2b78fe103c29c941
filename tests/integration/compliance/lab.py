"""A small district with the repository's rule packs, for the compliance lab tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.integration.district import District, make_project, start_district, stop_district

REPO = Path(__file__).resolve().parents[3]


@contextmanager
def rules_district(
    root: Path, hosts: str, servers: Sequence[str] = (), copy: Sequence[str] = ("rules",)
) -> Iterator[District]:
    """Start ``hosts`` (inventory text) and plain lab ``servers`` in a project under ``root``
    holding the repository's ``copy`` directories; stopped whatever happens."""
    project = make_project(root, servers=list(servers), cisco=[], huawei=[], extra_hosts=hosts)
    for name in copy:
        shutil.copytree(REPO / name, root / name)
    district = start_district(project)
    try:
        yield district
    finally:
        stop_district(district)
