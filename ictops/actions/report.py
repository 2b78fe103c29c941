"""Write the director's report of this run (run-level: once per run, on no host).

Work manual step 6; PDF when Chromium is there (format auto), else HTML.
"""

from __future__ import annotations

from typing import Literal

from ictops import clock
from ictops.actions.base import RunInfo, run_result
from ictops.results import ActionResult, FileWritten, Status
from ictops.validation import StrictModel


class Args(StrictModel):
    lang: Literal["th", "en"] = "th"
    format: Literal["html", "pdf", "auto"] = "auto"  # auto: pdf when Chromium is there, else html


def run(args: Args, info: RunInfo) -> ActionResult:
    if info.check:
        return run_result("report", Status.SKIPPED, "check mode: no report written")
    from ictops.report import write_report
    from ictops.report.collect import collect_report, report_base

    fmt = args.format
    if fmt == "auto":
        from ictops.report import PdfError, find_chromium

        try:
            find_chromium()
            fmt = "pdf"
        except PdfError:
            fmt = "html"
    now = clock.now()
    data = collect_report(info.project, run=info.run_id, lang=args.lang, operator=info.operator,
                          now=now)
    path = write_report(data, report_base(info.project, info.run_id, None, now), lang=args.lang,
                        formats=(fmt,))[0]
    info.artifacts["report"] = path
    shown = info.project.relative(path)
    return run_result("report", Status.CHANGED, f"report written: {shown}",
                      payload=FileWritten(shown))
