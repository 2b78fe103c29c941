"""A failing lab test shows the lab supervisor's log (reboots, power-offs) in its report."""

from __future__ import annotations

import pytest

from tests.integration.district import District


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, District):
            log = value.project.lab_dir / "supervisor.log"
            if log.is_file():
                tail = log.read_text(errors="replace").splitlines()[-30:]
                report.sections.append(("lab supervisor log", "\n".join(tail)))
