"""``ictops package install|remove NAME... -l ...``: a package on many servers, planned first."""

from __future__ import annotations

import click

from ictops.actions.base import DEFAULT_WORKERS
from ictops.cli.running import LIMIT_HELP
from ictops.cli.verbbook import run_playbook, verb_playbook


def _common(function):
    for option in reversed([
        click.argument("names", nargs=-1, required=True),
        click.option("-l", "--limit", help=LIMIT_HELP),
        click.option("--check", is_flag=True, help="Change nothing: say what would change (exact versions)."),
        click.option("--diff", "show_diff", is_flag=True, help="Show what changes."),
        click.option("--plan", "plan_id", help="The approved plan to carry out."),
        click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS,
                     show_default=True, help="Hosts worked on at once."),
        click.option("--json", "as_json", is_flag=True, help="Print the run as JSON."),
    ]):
        function = option(function)
    return function


@click.group("package")
def package() -> None:
    """Install or remove Debian packages with apt (dnf hosts are refused).

    A one-step playbook (state/verbs/), so it is planned, approved and run like one:

    \b
      ictops package install nginx -l web --check        what would change, exact versions
      ictops plan state/verbs/install-nginx-....yaml -l web   (the command says which file)
      ictops approve PLAN_ID --by NAME
      ictops package install nginx -l web --plan PLAN_ID

    Exit codes: 0 done, 1 a host failed or was unreachable, 2 bad input or no approved plan.
    """


@package.command("install")
@click.option("--latest", is_flag=True, help="Upgrade to the newest version when already installed.")
@click.option("--version", "version", help="An exact version (one package).")
@_common
@click.pass_context
def install(ctx, names, limit, check, show_diff, plan_id, forks, as_json, latest, version):
    """Install NAMES (and their dependencies) where they are missing."""
    args: dict = {"name": names[0] if len(names) == 1 else list(names)}
    if latest:
        args["state"] = "latest"
    if version:
        args["version"] = version
    title = f"ictops package install {' '.join(names)}" + (" --latest" if latest else "") + \
        (f" --version {version}" if version else "")
    path = verb_playbook(ctx.obj.project, "ictops package install", title, "package", args)
    return run_playbook(ctx, path, limit=limit, check=check, show_diff=show_diff, plan_id=plan_id,
                        forks=forks, as_json=as_json)


@package.command("remove")
@_common
@click.pass_context
def remove(ctx, names, limit, check, show_diff, plan_id, forks, as_json):
    """Remove NAMES where they are installed."""
    args = {"name": names[0] if len(names) == 1 else list(names), "state": "absent"}
    title = f"ictops package remove {' '.join(names)}"
    path = verb_playbook(ctx.obj.project, "ictops package remove", title, "package", args)
    return run_playbook(ctx, path, limit=limit, check=check, show_diff=show_diff, plan_id=plan_id,
                        forks=forks, as_json=as_json)
