"""One clock: only ictops/clock.py asks the system for the time or names a time zone.

The simulated switches (ictops/lab/switchsim) are devices with clocks of their own.
"""

from __future__ import annotations

import re

from tests.conftest import REPO

OWN_CLOCK = re.compile(
    r"datetime\.now\(|\.utcnow\(|\bZoneInfo\b|timezone\.utc|\btimezone\(timedelta"
)
ALLOWED = {"ictops/clock.py"}


def test_only_the_clock_module_reads_the_time_or_names_a_zone() -> None:
    offenders = [
        f"{rel}:{n}: {line.strip()}"
        for path in sorted((REPO / "ictops").rglob("*.py"))
        if (rel := path.relative_to(REPO).as_posix()) not in ALLOWED
        and not rel.startswith("ictops/lab/switchsim/")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OWN_CLOCK.search(line)
    ]
    assert not offenders, "\n".join(offenders)
