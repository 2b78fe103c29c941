"""``ictops backup``: back up switches and servers into git history; read and restore it.

``ictops backup [-l FILTER]`` runs a backup (the bare form); the subcommands ``history``,
``diff``, ``show`` and ``restore`` read the store and put a revision back.
"""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from ictops import clock
from ictops.actions.backup import BackupAction
from ictops.actions.base import DEFAULT_WORKERS
from ictops.backup.store import BackupStore
from ictops.cli.output import (
    print_json,
    print_rollback_failures,
    recap_table,
    stderr,
    stdout,
    totals,
    totals_line,
)
from ictops.cli.running import LIMIT_HELP, WAIT, run_verb
from ictops.errors import ExitCode
from ictops.results import ActionResult, Status


@click.group("backup", invoke_without_command=True)
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS, show_default=True, help="Hosts worked on at once.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON (for scripts).")
@click.option("--check", is_flag=True, help="Fetch and compare only: say what would change, commit nothing.")
@click.option("--accept-shrink", is_flag=True, help="Store configs that shrank a lot (you removed config on purpose).")
@click.option("--max-shrink", type=click.FloatRange(0.0, 1.0), metavar="SHARE", help="Refuse a config that shrank by more than SHARE of the last good one (default 0.5; a host's backup.max_shrink wins).")
@WAIT
@click.pass_context
def backup(ctx, limit, forks, as_json, check, accept_shrink, max_shrink, wait):
    """Back up the selected hosts into state/backups (git): one commit per run that changed something.

    Switches: running-config and startup-config (and whether they differ). Servers: the
    inventory's backup_files (Debian-family defaults), the package list and a few facts.
    Empty, truncated or much shrunken captures are refused; the last good backup stays.

    \b
    Examples:
      ictops backup                          back up every host
      ictops backup -l 'role=switch'         only the switches
      ictops backup history sw-core-1        revisions that changed a host
      ictops backup diff sw-core-1           its last change (secrets masked)
      ictops backup show srv-1 --file /etc/ssh/sshd_config
      ictops backup restore srv-1 --rev 1a2b3c --check

    Exit codes: 0 every host backed up, 1 a host failed or was unreachable, or another
    backup run holds the store; 2 bad input; 75 another run holds the project lock
    (--wait waits for it).
    """
    if ctx.invoked_subcommand is not None:
        return None
    return _run_backup(ctx.obj, limit, forks, as_json, check, accept_shrink, max_shrink, wait)


def _run_backup(app, limit, forks, as_json, check, accept_shrink, max_shrink, wait=0.0) -> int:
    hosts = app.inventory().select(limit)
    action = BackupAction(max_shrink=max_shrink, accept_shrink=accept_shrink)
    label = "backup (check)" if check else "backup"
    done = run_verb(app.project, hosts, action, "backup", check=check, workers=forks, label=label,
                    wait=wait)
    results, seconds, note = done.results, done.seconds, done.note
    if as_json:
        print_json(
            {
                "run_id": done.run.run_id,
                "check": check,
                "commit": action.commit,
                "note": note,
                "results": [r.to_dict() for r in results],
                "totals": totals(results),
                "seconds": round(seconds, 3),
                "interrupted": done.run.interrupted,
                "not_started": done.state.not_started,
            }
        )
        return int(done.exit_code)
    title = f"backup {done.run.run_id}" + (" (check)" if check else "")
    stdout.print(recap_table(results, title, width=90))
    stdout.print(totals_line(results, seconds))
    if note:
        stdout.print(escape(note))
    if done.interrupted_line():
        stderr.print(f"[bold red]{escape(done.interrupted_line() or '')}[/]")
    return int(done.exit_code)


def _store(app) -> BackupStore:
    return BackupStore(app.project.backups_dir)


@backup.command("history")
@click.argument("host")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def history(app, host, as_json):
    """List the revisions that changed HOST's backup, newest first."""
    commits = _store(app).history(host)
    if as_json:
        print_json([c.__dict__ for c in commits])
        return int(ExitCode.OK)
    if not commits:
        stdout.print(f"{escape(host)}: no backup yet")
    for c in commits:
        stdout.print(f"[yellow]{c.rev[:12]}[/]  {clock.show(c.date)}  {escape(c.message)}")
    return int(ExitCode.OK)


@backup.command("diff")
@click.argument("host")
@click.argument("rev_a", required=False)
@click.argument("rev_b", required=False)
@click.pass_obj
def diff(app, host, rev_a, rev_b):
    """Show what changed in HOST's backup (secrets masked).

    No revision: the host's last change. REV_A alone: from REV_A to the last backup.
    REV_A REV_B: between the two.
    """
    _print_diff(_store(app).diff(host, rev_a, rev_b))
    return int(ExitCode.OK)


@backup.command("show")
@click.argument("host")
@click.option("--rev", help="Revision (default: the last backup).")
@click.option("--file", "file", help="Stored file: running-config.txt (switch default), startup-config.txt, meta.json, commands/packages.txt, /etc/...; servers without --file list their files.")
@click.pass_obj
def show(app, host, rev, file):
    """Print a stored file of HOST's backup (secrets masked)."""
    text = _store(app).show(host, rev, file)
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return int(ExitCode.OK)


@backup.command("restore")
@click.argument("host")
@click.option("--rev", required=True, help="Revision to put back (see `ictops backup history HOST`).")
@click.option("--check", is_flag=True, help="Show what would be done (the diff, the switch commands); change nothing.")
@click.option("--file", "files", multiple=True, help="Restore only this server file (repeatable).")
@click.option("--save", is_flag=True, help="Switches: write the restored running-config to the startup-config (after verify).")
@click.pass_obj
def restore(app, host, rev, check, files, save):
    """Put HOST's configuration of revision REV back.

    Servers: the stored files are written back (only those that differ, keeping their mode).
    Switches: the commands that bring the running-config back to REV's, over every feature
    ictops knows for the platform (docs/switch-config.md), are sent after a pre-change backup,
    verified, saved with --save, and rolled back if anything fails. --check shows the masked
    diff or the commands and changes nothing.

    \b
    Examples:
      ictops backup restore srv-1 --rev 1a2b3c --check
      ictops backup restore sw-core-1 --rev 1a2b3c --check     the commands it would send
      ictops backup restore sw-core-1 --rev 1a2b3c --save

    Exit codes: 0 restored (or nothing to do), 1 the host failed (a switch that could not be
    rolled back is failed with error_kind rollback_failed), 2 bad input.
    """
    from ictops.actions.restore import RestoreServer, RestoreSwitch

    target = app.inventory().host(host)
    store = _store(app)
    if target.is_switch:
        if files:
            raise click.UsageError("--file is for servers; a switch's running-config is restored whole")
        action = RestoreSwitch(store, rev, save)
    else:
        if save:
            raise click.UsageError("--save is for switches")
        action = RestoreServer(store, rev, list(files) or None)
    done = run_verb(app.project, [target], action, "backup restore", check=check,
                    label=f"restore {host} from {rev}")
    if not done.results:
        return int(done.exit_code)
    return _print_restore(done.results[0], done.exit_code)


def _print_restore(result: ActionResult, code: ExitCode) -> int:
    if result.diff:
        _print_diff(result.diff)
    style = {Status.OK: "green", Status.CHANGED: "yellow"}.get(result.status, "bold red")
    kind = f" ({result.error_kind.value})" if result.error_kind and result.status.is_failure else ""
    stdout.print(f"{escape(result.host or '')}: [{style}]{result.status.value}{kind}[/] "
                 f"{escape(result.message)}")
    print_rollback_failures([result])
    return int(code)


def _print_diff(text: str) -> None:
    """A unified diff: colored on a terminal, plain otherwise."""
    if not sys.stdout.isatty():
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        return
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            stdout.print(f"[bold]{escape(line)}[/]", soft_wrap=True)
        elif line.startswith("+"):
            stdout.print(f"[green]{escape(line)}[/]", soft_wrap=True)
        elif line.startswith("-"):
            stdout.print(f"[red]{escape(line)}[/]", soft_wrap=True)
        elif line.startswith("@@"):
            stdout.print(f"[cyan]{escape(line)}[/]", soft_wrap=True)
        else:
            stdout.print(escape(line), soft_wrap=True)
