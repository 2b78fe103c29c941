"""``ictops report``: the director's summary (process 2 step 6), Thai by default."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ictops import clock
from ictops.cli.output import print_json, stderr, stdout
from ictops.cli.when import SINCE, UNTIL
from ictops.errors import ExitCode

REPORT_PROCESS, REPORT_STEP = 2, 6  # summarise and evaluate for the director


def _default_format() -> tuple[str, str | None]:
    from ictops.report import PdfError, find_chromium

    try:
        find_chromium()
    except PdfError as exc:
        return "html", f"note: HTML only; {exc}"
    return "pdf", None


@click.command("report")
@click.option("--run", "run_id", help="Report on one run (its id, from 'ictops log show').")
@click.option("--since", type=SINCE,
              help="Report from this date (Thai time, B.E. or C.E.: 2568-10-01); default: the whole trail.")
@click.option("--until", type=UNTIL, help="Report up to this date (whole day, Thai time).")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]),
              help="Default: pdf when Chromium is installed, else html.")
@click.option("--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write into (default: state/reports).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_obj
def report(app, run_id, since, until, lang, fmt, out_dir, as_json):
    """Write the director's report: what was done per process and step of the work
    manual, counts by status, failures with reasons, compliance scores and trend,
    backup freshness and pending patches. A4, Buddhist-Era dates, fiscal year.

    \b
    Examples:
      ictops report                        everything in the trail, PDF
      ictops report --since 2025-10-01     the fiscal year so far
      ictops report --run 20251121T190000Z-1a2b3c --format html --lang en

    The file goes to state/reports/<date>-<run>.pdf (or .html); its path is printed.
    """
    from ictops.audit.recorder import new_run_id, record_event
    from ictops.audit.team import resolve_operator
    from ictops.report import write_report
    from ictops.report.collect import collect_report, report_base

    if run_id and since:
        raise click.UsageError("give --run or --since, not both")
    project = app.project
    operator = resolve_operator(project)
    note = None
    if fmt is None:
        fmt, note = _default_format()
    now = clock.now()
    data = collect_report(project, run=run_id, since=since, until=until, lang=lang,
                          operator=operator.name, now=now)
    base = report_base(project, run_id, since, now)
    if out_dir is not None:
        base = Path(out_dir) / base.name
    written = write_report(data, base, lang=lang, formats=(fmt,))
    path = written[0]
    head = data.trail_head
    witness = {"witness_seq": head.seq, "witness_hash": head.hash} if head else {}
    record_event(
        project, run_id=run_id or new_run_id(), operator=operator.name, process=REPORT_PROCESS,
        step=REPORT_STEP, action="report.write", status="ok",
        summary=f"director's report ({lang}, {fmt}) written to {project.relative(path)}: "
        f"{data.totals.total} action(s), {len(data.failures)} failure(s)",
        data={"file": project.relative(path), "run": run_id,
              "since": since and clock.stamp(since), "until": until and clock.stamp(until),
              **witness, **operator.flags},
    )
    notes = list(data.extra.get("notes") or [])
    if as_json:
        print_json({"path": str(path), "format": fmt, "lang": lang, "actions": data.totals.total,
                    "failures": len(data.failures), "hosts": data.host_count,
                    "fleet_score": data.scores.fleet if data.scores else None,
                    "trail_head": data.trail_head.to_dict() if data.trail_head else None,
                    "notes": notes})
        return int(ExitCode.OK)
    if note:
        stderr.print(escape(note))
    for text in notes:
        stderr.print(f"note: {escape(text)}", soft_wrap=True)
    if data.totals.total == 0:
        stderr.print("note: no audit records in this period; the report shows backups and "
                     "compliance only")
    stdout.print(escape(str(path)))
    return int(ExitCode.OK)
