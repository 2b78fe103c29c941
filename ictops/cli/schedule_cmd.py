"""``ictops schedule``: run a playbook unattended every night (cron, or a systemd timer)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from ictops.cli.output import print_json, stderr, stdout
from ictops.errors import ExitCode, InputError

_UNIT_DIR = click.option(
    "--unit-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Where the systemd units are (default /etc/systemd/system); units written elsewhere "
    "are not enabled.")


@click.group("schedule")
def schedule() -> None:
    """Run playbooks unattended: install, list and remove scheduled runs.

    A systemd timer when systemd runs the machine, otherwise an entry in your crontab.
    Times are Asia/Bangkok. The scheduled command runs in the project directory as the
    operator named in the entry and appends its output to state/logs/schedule-NAME.log.
    See docs/schedule.md.

    \b
    Examples:
      ictops schedule install playbooks/nightly.yaml --at 02:00
      ictops schedule install playbooks/nightly.yaml --at 01:30 --days mon-fri
      ictops schedule list
      ictops schedule remove playbooks/nightly.yaml
    """


def _playbook(app, path: str):
    """Load the playbook now, so a mistake is found at install time and not at 02:00."""
    from ictops.audit.catalogue import load_catalogue
    from ictops.playbook.loader import load_playbook

    return load_playbook(path, app.project, app.inventory(), catalogue=load_catalogue(app.project))


def _operator(app, name: str | None) -> str:
    """--operator, else the team's service account, else whoever installs; checked on the team."""
    from ictops.audit.team import current_operator
    from ictops.audit.team import load_team

    team = load_team(app.project)
    if name is None:
        service = [m.username for m in team.members if m.role == "service"] if team else []
        name = service[0] if len(service) == 1 else current_operator()
    if team is not None:
        team.check_operator(name)
    return name


def _relative(app, playbook: str) -> str:
    """The playbook as entries name it: relative to the project (as ictops run shows it)."""
    path = Path(playbook)
    return app.project.relative(path if path.is_absolute() else app.project.root / path)


@schedule.command("install")
@click.argument("playbook")
@click.option("--at", "at", required=True, help="Start time, HH:MM, Bangkok time (e.g. 02:00).")
@click.option("--days", help="Days of the week: mon-fri, sat,sun, mon,wed,fri... (default: daily).")
@click.option("--operator", help="Who the runs are recorded as (default: the team's service account).")
@click.option("--via", type=click.Choice(["auto", "cron", "systemd"]), default="auto", show_default=True,
              help="auto: a systemd timer when systemd is PID 1, else cron.")
@_UNIT_DIR
@click.pass_obj
def install(app, playbook, at, days, operator, via, unit_dir):
    """Run PLAYBOOK every night at --at (Bangkok time); installing again replaces the entry.

    \b
    Examples:
      ictops schedule install playbooks/nightly.yaml --at 02:00
      ictops schedule install playbooks/backup.yaml --at 23:30 --days mon-fri
    """
    from ictops.cli.run_cmd import routine_flags
    from ictops.schedule.entry import make_schedule
    from ictops.schedule.install import install as do_install

    book = _playbook(app, playbook)
    if not book.routine:
        raise InputError(f"{book.path} is not routine: an unattended run cannot wait for an approval; "
                         "schedule a routine playbook (pre-approved for the fiscal year)")
    routine_flags(app, book)  # not in the routine register as it is: refused now, not at 02:00
    made = make_schedule(app.project.root, book.path, at, days, _operator(app, operator))
    done = do_install(made, via, unit_dir)
    stdout.print(f"scheduled {escape(book.path)} at {made.at:%H:%M} Bangkok time, "
                 f"{made.meta()['days']}, as {escape(made.operator)}, by {done.via}:")
    for item in done.where:
        stdout.print(f"  {escape(item)}", soft_wrap=True)
    stdout.print(f"log: {escape(app.project.relative(made.log_path))}")
    for note in done.notes:
        stderr.print(f"note: {escape(note)}", soft_wrap=True)
    return int(ExitCode.OK)


@schedule.command("list")
@click.option("--all", "every", is_flag=True, help="Entries of every project, not only this one.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@_UNIT_DIR
@click.pass_obj
def list_(app, every, as_json, unit_dir):
    """Scheduled playbooks: when (Bangkok time), the next start, how, as whom."""
    from ictops.clock import now, show
    from ictops.schedule.install import listing

    found = listing(None if every else app.project.root, unit_dir)
    moment = now()
    if as_json:
        print_json([{**x.schedule.meta(), "via": x.via, "entry": x.detail,
                     "next_run": x.schedule.next_run(moment).isoformat(),
                     "log": str(x.schedule.log_path)} for x in found])
        return int(ExitCode.OK)
    if not found:
        stdout.print("nothing scheduled" + ("" if every else f" for {escape(str(app.project.root))}")
                     + "; add: ictops schedule install playbooks/nightly.yaml --at 02:00")
        return int(ExitCode.OK)
    table = Table(title="scheduled playbooks (Asia/Bangkok)", title_justify="left")
    for col in ("playbook", "at", "days", "next run", "operator", "via", "log"):
        table.add_column(col, no_wrap=col != "log")
    if every:
        table.add_column("project")
    for x in found:
        s = x.schedule
        row = [escape(s.playbook), f"{s.at:%H:%M}", s.meta()["days"], show(s.next_run(moment), seconds=False),
               escape(s.operator), x.via, escape(app.project.relative(s.log_path))]
        table.add_row(*row, *([escape(str(s.project))] if every else []))
    stdout.print(table)
    return int(ExitCode.OK)


@schedule.command("remove")
@click.argument("playbook")
@_UNIT_DIR
@click.pass_obj
def remove(app, playbook, unit_dir):
    """Stop running PLAYBOOK on schedule (its crontab entry or timer is removed)."""
    from ictops.schedule.install import remove as do_remove

    path = _relative(app, playbook)
    gone = do_remove(app.project.root, path, unit_dir)
    if not gone:
        raise InputError(f"{path} is not scheduled in this project; see: ictops schedule list")
    stdout.print(f"{escape(path)} is no longer scheduled (removed: {escape(', '.join(gone))})")
    return int(ExitCode.OK)


@schedule.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("playbook")
@click.argument("run_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def run_(app, playbook, run_args):
    """What the scheduler starts: ictops run PLAYBOOK, its output appended to the log.

    The log is state/logs/schedule-NAME.log: one line per line, each stamped with the
    Bangkok time, between a 'start' and an 'end: exit N' line. Options after PLAYBOOK
    are passed to ictops run.
    """
    from ictops.schedule.entry import log_path
    from ictops.schedule.runlog import run_logged

    path = _relative(app, playbook)
    argv = ["--project", str(app.project.root), "run", path, "--unattended", *run_args]
    return run_logged(log_path(app.project.root, path), argv, f"ictops run {' '.join([path, *run_args])}")
