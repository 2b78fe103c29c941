"""A clone tests itself: no test names a path outside the repository."""

from __future__ import annotations

import re

from tests.conftest import REPO

# What a path outside the repository looks like in a test: the sibling directory of shared
# material, an absolute /work/ path, or climbing out through Path.parents. Spelled in parts so
# that this file does not itself name such a path.
_SIBLING = re.escape("..") + "/" + "shared"
OUTSIDE = re.compile(_SIBLING + r"""|["']/(?:work)/|parents\[[4-9]\]\s*/\s*["']shared""")


def test_no_test_reads_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "tests").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, offenders
