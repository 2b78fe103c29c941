"""``ictops cmd``: run one command on many hosts."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.markup import escape

from ictops.actions.base import DEFAULT_WORKERS
from ictops.actions.command import RunCommand
from ictops.cli.output import print_json, recap_table, stderr, stdout, totals, totals_line
from ictops.cli.running import LIMIT_HELP, WAIT, run_verb
from ictops.errors import InputError


@click.command("cmd")
@click.argument("command")
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds per host for the command (default: the host's timeouts.command).")
@click.option("--sudo", is_flag=True, help="Run with sudo on servers.")
@click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS, show_default=True, help="Hosts worked on at once.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON (for scripts).")
@click.option("--full", is_flag=True, help="Print every host's whole output before the recap.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each host's whole output, uncut, to DIR/HOST.out (mode 0600).",
)
@WAIT
@click.pass_obj
def cmd(app, command, limit, timeout, sudo, forks, as_json, full, output_dir, wait):
    """Run COMMAND on the selected hosts in parallel.

    Servers run it in a shell; switches run it as an exec command (show ...,
    display ...; a command that enters configuration mode is refused and left).
    The recap lists each host's status, time and output. Output beyond the host's
    limits.output (default 4 MiB) is cut, and the cut is said; --output-dir keeps
    it all.

    \b
    Examples:
      ictops cmd 'uptime' -l 'role=server'
      ictops cmd 'show version' -l 'cisco and sch_phukhieo'
      ictops cmd 'show tech-support' -l sw-core --output-dir state/tech

    Exit codes: 0 every host OK, 1 a host failed or was unreachable, 2 bad input,
    75 another run holds the project lock (--wait waits), 130/143 stopped by SIGINT/SIGTERM (the hosts that finished are printed and recorded).
    """
    if not command.strip():
        raise InputError(
            "the command is empty; give the command to run, for example: ictops cmd 'uptime'"
        )
    hosts = app.inventory().select(limit)
    if output_dir is not None:
        output_dir = _output_dir(output_dir)
    action = RunCommand(command=command, timeout=timeout, sudo=sudo, output_dir=output_dir)
    done = run_verb(app.project, hosts, action, "cmd", workers=forks, label=command, wait=wait)
    results, seconds = done.results, done.seconds
    if as_json:
        print_json(
            {
                "run_id": done.run.run_id,
                "command": done.label,
                "results": [r.to_dict() for r in results],
                "totals": totals(results),
                "seconds": round(seconds, 3),
                "interrupted": done.run.interrupted,
                "not_started": done.state.not_started,
            }
        )
        return int(done.exit_code)
    multi_line = full or any(len(r.output.strip().splitlines()) > 1 for r in results)
    if multi_line:
        for r in results:
            if r.output.strip():
                stdout.rule(f"[bold]{escape(r.host)}[/] ({r.status.value})", align="left")
                stdout.print(escape(r.output.rstrip()), soft_wrap=True)
    stdout.print(recap_table(results, f"cmd: {done.label}", show_output=not multi_line))
    stdout.print(totals_line(results, seconds))
    if done.interrupted_line():
        stderr.print(f"[bold red]{escape(done.interrupted_line() or '')}[/]")
    return int(done.exit_code)


def _output_dir(path: Path) -> Path:
    """The directory for whole outputs, made private (0700) if new; exit 2 if unusable."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--output-dir {path}: cannot create it ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"--output-dir {path}: not writable; give a directory you can write")
    return path
