"""``ictops log verify | show | prune``: the audit trail (state/audit/trail.jsonl)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ictops import clock
from ictops.cli.output import print_json, stdout
from ictops.cli.when import SINCE, UNTIL
from ictops.errors import ExitCode

MAX_PROBLEMS_SHOWN = 10


def _archive_dir(app) -> Path:
    return app.project.state_dir / "audit" / "archive"


@click.group("log")
def log() -> None:
    """Check, read and prune the audit trail (state/audit/trail.jsonl).

    Every action ictops takes is one record there, tied to the work manual's
    process and step; each record carries the hash of the one before (and an
    HMAC when a key is configured). See docs/audit-trail.md.
    """


@log.command("verify")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              help="HMAC key file (default: $ICTOPS_AUDIT_KEY_FILE, else data.audit_key_file "
                   "in inventory/defaults.yaml).")
@click.option("--witness", "witness_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A notification, a report or a saved head (ictops log head --json) that saw "
                   "the trail: fail if the trail is now shorter or different. Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_obj
def verify_cmd(app, key_file, witness_files, as_json):
    """Check every record: hashes, HMACs, the chain, the checkpoint, and any witnesses.

    Exit 0 when the trail is intact (a torn last line left by a crash is reported,
    not counted as tampering); exit 1 naming the first bad record (line, seq, what).
    A chain cannot prove its own length: records cut off the end together with an older
    head.json are caught only against a witness (--witness; docs/audit-trail.md).

    \b
    Examples:
      ictops log verify
      ictops log verify --witness state/outbox/20261201T050000.000000Z-plan.eml
      ictops log verify --witness ~/saved-heads/2569-12-01.json --witness report.pdf
    """
    from ictops.audit import Problem, verify
    from ictops.audit.recorder import trail_key, trail_path
    from ictops.audit.witness import read_witness

    project = app.project
    key = trail_key(project, key_file)
    witnesses = [(str(f), head) for f in witness_files for head in read_witness(f)]
    archive = _archive_dir(app)
    path = trail_path(project)
    report = verify(path, key=key, archive_dir=archive if archive.is_dir() else None,
                    witnesses=witnesses)
    evidence = [] if path.exists() else _evidence_without_trail(project)
    if evidence and report.ok:  # deleted together with head.json: the rest of state/ says so
        report.problems.append(Problem(1, None, _deleted(evidence)))
    if as_json:
        print_json({
            "ok": report.ok, "path": str(report.path), "records": report.records,
            "last_seq": report.last_seq, "last_hash": report.last_hash,
            "hmac_checked": report.hmac_checked,
            "problems": [{"line": p.line, "seq": p.seq, "what": p.what} for p in report.problems],
            "torn": [t.__dict__ for t in report.torn], "notes": report.notes,
            "witnessed": report.witnessed,
        })
        return int(ExitCode.OK if report.ok else ExitCode.FAILED)
    shown = project.relative(report.path)
    if report.problems:
        first = report.problems[0]
        stdout.print(f"[bold red]{escape(shown)}: TAMPERED or damaged[/]: first bad record at "
                     f"{escape(str(first))}", soft_wrap=True)
        for problem in report.problems[1:MAX_PROBLEMS_SHOWN]:
            stdout.print(f"  also {escape(str(problem))}", soft_wrap=True)
        hidden = len(report.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            stdout.print(f"  ... and {hidden} more problem(s)")
        return int(ExitCode.FAILED)
    for torn in report.unrecovered_torn:
        stdout.print(f"[yellow]line {torn.line}: torn last line ({torn.bytes} bytes), left by a crash "
                     "mid-write; the chain before it is intact, the next run records the recovery[/]")
    for note in report.notes:
        stdout.print(f"note: {escape(note)}", soft_wrap=True)
    for agreed in report.witnessed:
        stdout.print(f"witness agrees: {escape(agreed)}", soft_wrap=True)
    text = report.summary().replace(str(report.path), shown, 1)
    stdout.print(f"[green]{escape(text)}[/]", soft_wrap=True)
    if not key:
        stdout.print("no HMAC key configured: the chain catches edits, not a consistent rewrite "
                     "(docs/audit-trail.md, 'HMAC key')")
    if not witnesses and report.records:
        stdout.print("no witness given: records cut off the end with an older head.json are not "
                     "detectable; check against a notification or report: --witness FILE")
    return int(ExitCode.OK)


def _evidence_without_trail(project) -> list[str]:
    """What in state/ shows that ictops ran, although the trail is missing."""
    state = project.state_dir
    found = []
    for what, pattern in (("plan(s)", "plans/*.json"), ("saved audit(s)", "compliance/*.json"),
                          ("report(s)", "reports/*.*"), ("archived trail part(s)", "audit/archive/*.gz"),
                          ("notification(s) in the outbox", "outbox/*")):
        count = len(list(state.glob(pattern)))
        if count:
            found.append(f"{count} {what}")
    if (project.backups_dir / ".git").is_dir():
        found.append("a backup store")
    return found


def _deleted(evidence: list[str]) -> str:
    return ("no audit trail, but state/ holds " + ", ".join(evidence) + ": ictops has run here, so "
            "the trail (and head.json) was deleted; restore it from a backup and check it with "
            "--witness against a notification or report")


@log.command("head")
@click.option("--json", "as_json", is_flag=True,
              help="Print the head as JSON (a file `ictops log verify --witness` reads).")
@click.pass_obj
def head_cmd(app, as_json):
    """Print the trail's head (last seq and hash): a witness to keep outside state/.

    \b
    Examples:
      ictops log head
      ictops log head --json > /media/usb/ictops-head-$(date +%F).json
    Later: ictops log verify --witness /media/usb/ictops-head-2026-12-01.json
    """
    from ictops.audit.recorder import trail_path
    from ictops.audit.witness import trail_head

    head = trail_head(trail_path(app.project))
    if head is None:
        if as_json:
            print_json(None)
        else:
            stdout.print("no audit trail yet")
        return int(ExitCode.OK)
    if as_json:
        print_json(head.to_dict())
        return int(ExitCode.OK)
    stdout.print(head.line(), soft_wrap=True)
    if head.time:
        stdout.print(f"last record at {clock.show(head.time)} (Thai time)")
    return int(ExitCode.OK)


@log.command("show")
@click.option("--process", "-p", type=int, multiple=True, help="Process number (repeatable).")
@click.option("--step", "-s", type=int, multiple=True, help="Step number (repeatable).")
@click.option("--host", "hosts", multiple=True, help="Host name or glob (sw-*).")
@click.option("--status", multiple=True,
              type=click.Choice(["ok", "changed", "failed", "unreachable", "skipped"]))
@click.option("--run", "runs", multiple=True, help="Run id (or glob).")
@click.option("--since", type=SINCE,
              help="From this date or time, Thai time; B.E. or C.E.: 2569-12-01, 2026-12-01T08:30.")
@click.option("--until", type=UNTIL, help="Up to this date (whole day) or time (Thai time, B.E. or C.E.).")
@click.option("--last", type=click.IntRange(min=1), help="Only the last N matching records.")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON (time_bangkok added).")
@click.pass_obj
def show_cmd(app, process, step, hosts, status, runs, since, until, last, as_json):
    """Show records, filtered; times in Asia/Bangkok."""
    from ictops.audit import format_record, show
    from ictops.audit.recorder import trail_path

    found = list(show(
        trail_path(app.project), process=process or None, step=step or None, host=hosts or None,
        status=status or None, run=runs or None, since=since, until=until,
    ))
    if last:
        found = found[-last:]
    if as_json:
        print_json([{**r, "time_bangkok": clock.local(r["time"]).isoformat(timespec="milliseconds")}
                    for r in found])
        return int(ExitCode.OK)
    for rec in found:
        stdout.print(escape(format_record(rec)), soft_wrap=True)
    stdout.print(f"{len(found)} record(s)")
    return int(ExitCode.OK)


@log.command("prune")
@click.option("--keep-days", type=int, required=True,
              help="Keep records younger than this (at least 90: Computer Crime Act s.26).")
@click.option("--archive-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where older records go (default: state/audit/archive).")
@click.pass_obj
def prune_cmd(app, keep_days, archive_dir):
    """Move records older than --keep-days to a gzip archive; nothing is dropped.

    Refused below 90 days: the Computer Crime Act B.E. 2550 s.26 requires keeping
    computer traffic data at least 90 days. Refused too when the trail does not verify.
    """
    from ictops.audit import MIN_KEEP_DAYS, RetentionError, current_operator, prune
    from ictops.audit.recorder import trail_key, trail_path

    if keep_days < MIN_KEEP_DAYS:  # before touching anything, even a missing trail
        raise RetentionError(
            f"--keep-days {keep_days} refused: the Computer Crime Act B.E. 2550 s.26 requires "
            f"keeping computer traffic data at least {MIN_KEEP_DAYS} days; use --keep-days "
            f"{MIN_KEEP_DAYS} or more"
        )
    project = app.project
    path = trail_path(project)
    if not path.exists():
        stdout.print(f"{project.relative(path)}: no audit trail yet, nothing to prune")
        return int(ExitCode.OK)
    target = archive_dir or _archive_dir(app)
    result = prune(path, keep_days, target, key=trail_key(project), operator=current_operator())
    if result.archive is None:
        stdout.print(f"nothing older than {keep_days} days; {result.kept} record(s) kept")
    else:
        stdout.print(f"archived {result.archived} record(s) to {escape(project.relative(result.archive))}; "
                     f"{result.kept} kept; the trail now starts with a genesis record")
    return int(ExitCode.OK)
