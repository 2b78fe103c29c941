"""The ``ictops`` command: global options, error handling and exit codes."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path

import click

from ictops import __version__
from ictops.errors import ExitCode, IctopsError
from ictops.project import Project

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Each verb's module is imported only when that verb runs: `ictops cmd` should not pay
# for importing the compliance engine (click's documented lazy-loading pattern).
VERBS = {
    "inventory": "ictops.cli.inventory_cmd:inventory",
    "cmd": "ictops.cli.cmd_cmd:cmd",
    "config": "ictops.cli.config_cmd:config",
    "hostkeys": "ictops.cli.hostkeys_cmd:hostkeys",
    "lab": "ictops.cli.lab_cmd:lab",
    "backup": "ictops.cli.backup_cmd:backup",
    "audit": "ictops.cli.audit_cmd:audit",
    "run": "ictops.cli.run_cmd:run",
    "plan": "ictops.cli.run_cmd:plan",
    "approve": "ictops.cli.run_cmd:approve",
    "plans": "ictops.cli.run_cmd:plans",
    "log": "ictops.cli.log_cmd:log",
    "report": "ictops.cli.report_cmd:report",
    "schedule": "ictops.cli.schedule_cmd:schedule",
    "web": "ictops.cli.web_cmd:web",
    "package": "ictops.cli.package_cmd:package",
    "patch": "ictops.cli.patch_cmd:patch",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(VERBS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = VERBS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


class App:
    """Per-invocation state handed to subcommands (``click.pass_obj``)."""

    def __init__(self, project: Project, verbose: int):
        self.project = project
        self.verbose = verbose
        self._inventory = None

    def inventory(self):
        from ictops.inventory import load_inventory

        if self._inventory is None:
            self._inventory = load_inventory(self.project.inventory_dir, self.project.root)
        return self._inventory


class _MaskingFormatter(logging.Formatter):
    """Every logged line masked: what a device sends may hold its secrets (every platform's
    patterns apply, and every secret value ictops has read)."""

    def format(self, record: logging.LogRecord) -> str:
        from ictops.masking import mask_text

        return mask_text(super().format(record))


def _private(path: Path, mode: int) -> None:
    """Tighten ``path`` to no access for group and others (state/ holds backups, the trail,
    logs, plans: configurations and who did what)."""
    current = path.stat().st_mode & 0o7777
    if current & 0o077:
        os.chmod(path, current & ~0o077 | mode)


def _setup_logging(project: Project, verbose: int) -> None:
    """Details go to state/logs/ictops.log (state/ 0700, the log 0600, masked); the terminal
    only gets what the user needs."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    for noisy in ("paramiko", "netmiko", "asyncssh"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL if verbose < 2 else logging.DEBUG)
    logdir = project.state_dir / "logs"
    logfile = logdir / "ictops.log"
    try:
        for directory in (project.state_dir, logdir):
            directory.mkdir(mode=0o700, exist_ok=True)
            _private(directory, 0o700)
        os.close(os.open(logfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600))
        _private(logfile, 0o600)
        handler: logging.Handler = logging.FileHandler(logfile, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(_MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if verbose:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
        console.setFormatter(_MaskingFormatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ICTOPS_PROJECT",
    default=".",
    show_default=True,
    help="The ops project: a directory with inventory/, playbooks/, tasks/, templates/.",
)
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug).")
@click.version_option(__version__, prog_name="ictops")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, verbose: int) -> None:
    """ictops: maintain a school district's servers and switches over SSH.

    \b
    Typical use:
      ictops inventory list -l 'role=switch'     what is in the inventory
      ictops hostkeys trust -l 'sch_phukhieo'    record host keys once
      ictops cmd 'uptime' -l 'role=server'       run a command everywhere
      ictops lab up                              start the simulated district

    Exit codes: 0 all went well, 1 a host failed or was unreachable,
    2 bad input (inventory, limit, arguments), 130 interrupted.
    See docs/exit-codes.md.
    """
    project = Project.at(project_dir)
    _setup_logging(project, verbose)
    ctx.obj = App(project, verbose)
    _witness_after(ctx, project)


def _witness_after(ctx: click.Context, project: Project) -> None:
    """When inventory/notify.yaml names a syslog witness: after the command, send the audit
    trail's head there if the command wrote to the trail (ictops/notify/witness.py)."""
    notify = project.inventory_dir / "notify.yaml"
    try:
        if b"syslog" not in notify.read_bytes():
            return
    except OSError:
        return
    from ictops.audit.recorder import trail_path
    from ictops.audit.witness import trail_head
    from ictops.notify.witness import announce_head

    before = trail_head(trail_path(project))

    def send() -> None:
        warning = announce_head(project, before)
        if warning:
            click.echo(f"ictops: warning: {warning}", err=True)

    ctx.call_on_close(send)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every ictops error becomes a one-line message and an exit code."""
    try:
        code = cli.main(args=argv, prog_name="ictops", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("ictops: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.BAD_INPUT if exc.exit_code == 2 else exc.exit_code)
    except IctopsError as exc:
        for line in str(exc).splitlines():
            click.echo(f"ictops: error: {line}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("ictops: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
