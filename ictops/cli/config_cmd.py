"""``ictops config push``: a switch change from the command line, under plan and approval.

The options become a one-step playbook (a ``switch_config`` step) written to
``state/config-push/<digest>.yaml``, named by the digest of its text, so that the same
options always give the same file and a plan made from it stays valid only while it is
unchanged. Then it goes the way of every change (``ictops plan`` / ``approve`` /
``run --plan``): see docs/switch-config.md.
"""

from __future__ import annotations

import hashlib
import os

import click
import yaml

from ictops.actions.base import DEFAULT_WORKERS
from ictops.cli.output import stderr
from ictops.cli.run_cmd import plan as plan_cmd
from ictops.cli.run_cmd import run as run_cmd
from ictops.cli.running import WAIT
from ictops.project import Project

PUSH_DIR = "config-push"  # under state/


@click.group("config")
def config():
    """Change switch configurations (docs/switch-config.md)."""


@config.command("push")
@click.option("-l", "--limit", help="The switches to change (required): names, groups, globs, "
              "key=value on host data, with 'and', 'or', 'not' (docs/limit.md); hosts that are "
              "not switches are skipped.")
@click.option("--line", "lines", multiple=True,
              help="A config line as `show running-config` has it (repeatable).")
@click.option("--template", help="The intended config: templates/switch/<file>.j2.")
@click.option("--golden", is_flag=True, help="Each switch's golden template (ictops audit golden).")
@click.option("--features", default="",
              help="Only these features (comma-separated; default: those the lines have).")
@click.option("--merge", is_flag=True,
              help="Add the lines to what the switch has instead of replacing its features.")
@click.option("--save", is_flag=True, help="Write memory / save after the change is verified.")
@click.option("--serial", type=click.IntRange(min=1), help="Switches per batch (default: all at once).")
@click.option("--max-fail-percentage", type=click.FloatRange(0, 100),
              help="Stop after a batch in which more than this percentage failed.")
@click.option("--check", is_flag=True, help="Change nothing: show the commands each switch would get.")
@click.option("--diff", "show_diff", is_flag=True, help="Show the commands.")
@click.option("--plan", "plan_id", help="Carry out this approved plan (made by config push).")
@click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS,
              show_default=True, help="Switches worked on at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the run (or the plan) as JSON.")
@WAIT
@click.pass_context
def push(ctx, limit, lines, template, golden, features, merge, save, serial,
         max_fail_percentage, check, show_diff, plan_id, forks, as_json, wait):
    """Bring some features of the switches in LIMIT to the lines, template or golden config.

    A switch change is not routine: without --check or --plan this makes the plan (the exact
    commands per switch, from the running-config read now) and saves it; once approved
    (ictops approve PLAN_ID --by NAME), `ictops config push --plan PLAN_ID` carries it out:
    for each switch a pre-change backup, the commands, verify, save, and a rollback to the
    backup when anything fails.

    \b
    Examples:
      ictops config push -l phukhieo-sw-core --line 'ntp server time1.nimt.or.th' --check
      ictops config push -l 'role=switch' --template templates/switch/time-and-logging.j2 \\
          --features ntp,logging --save --diff
      ictops approve PLAN_ID --by wichian
      ictops config push --plan PLAN_ID

    Exit codes: 0 all went well (or the plan was made), 1 a switch failed (rollback_failed:
    not rolled back, see the recap), 2 bad input or a refused plan, 75 another run holds the
    project lock. See docs/exit-codes.md.
    """
    app = ctx.obj
    given = bool(lines or template or golden or features or merge or save or serial
                 or max_fail_percentage is not None)
    if plan_id:
        if given or limit:
            raise click.UsageError("--plan carries out the plan as it was made: give no -l, "
                                   "--line, --template, --features... with it")
        return _run_plan(ctx, app.project, plan_id, check, show_diff, forks, as_json, wait)
    if not limit:
        raise click.UsageError("give the switches to change with -l (e.g. -l phukhieo-sw-core, "
                               "-l 'role=switch')")
    app.inventory().select(limit)  # a bad limit is said as such, not as a playbook error
    path = write_playbook(app.project, limit, _step_args(lines, template, golden, features,
                                                         merge, save),
                          serial, max_fail_percentage)
    if check:
        return ctx.invoke(run_cmd, playbook=path, limit=None, check=True, show_diff=show_diff,
                          plan_id=None, tags="", skip_tags="", forks=forks, as_json=as_json,
                          wait=wait, unattended=False)
    code = ctx.invoke(plan_cmd, playbook=path, limit=None, show_diff=show_diff, forks=forks,
                      as_json=as_json)
    if not as_json:
        stderr.print("not pushed yet: a switch change runs once its plan is approved "
                     "(ictops approve PLAN_ID --by NAME); then: ictops config push --plan PLAN_ID")
    return code


def _run_plan(ctx, project: Project, plan_id: str, check: bool, show_diff: bool, forks: int,
              as_json: bool, wait: float):
    from ictops.playbook.plans import PlanError, PlanStore

    made = PlanStore(project).load(plan_id)
    if not made.playbook.startswith(f"state/{PUSH_DIR}/"):
        raise PlanError(f"plan {made.id} is for the playbook {made.playbook}, not a config "
                        f"push: ictops run {made.playbook} --plan {made.id}")
    return ctx.invoke(run_cmd, playbook=made.playbook, limit=None, check=check,
                      show_diff=show_diff, plan_id=plan_id, tags="", skip_tags="", forks=forks,
                      as_json=as_json, wait=wait, unattended=False)


def _step_args(lines, template, golden, features, merge, save) -> dict:
    args: dict = {}
    if lines:
        args["lines"] = list(lines)
    if template:
        args["template"] = template
    if golden:
        args["golden"] = True
    if sum(map(bool, (lines, template, golden))) != 1:
        raise click.UsageError("give the intended config as --line (repeatable), --template "
                               "or --golden (one of them)")
    wanted = [f.strip() for f in features.split(",") if f.strip()]
    if wanted:
        args["features"] = wanted
    if merge:
        args["merge"] = True
    if save:
        args["save"] = True
    return args


def write_playbook(project: Project, limit: str, args: dict, serial: int | None,
                   max_fail: float | None) -> str:
    """The one-step playbook of a push, written once under state/config-push/ (mode 0600);
    its project-relative path."""
    book: dict = {"name": "Switch configuration push", "process": 2, "hosts": limit}
    if serial:
        book["serial"] = serial
    if max_fail is not None:
        book["max_fail_percentage"] = max_fail
    book["steps"] = [{"name": "switch configuration (ictops config push)", "step": 5,
                      "when": "kind == 'switch'", "switch_config": args}]
    text = ("# Made by ictops config push; do not edit: a plan made from this file is valid only\n"
            "# while it is unchanged.\n"
            + yaml.safe_dump(book, allow_unicode=True, sort_keys=False))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    folder = project.state_dir / PUSH_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.yaml"
    if not target.is_file():
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    return project.relative(target)
