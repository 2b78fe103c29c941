"""``ictops run``, ``plan``, ``approve``, ``plans``: playbooks along the work manual.

plan (step 2: a check-mode run, saved) -> approve (step 3: a named approver) ->
run --plan (step 5). Routine playbooks (pre-approved for the fiscal year) run
without a plan. See docs/playbooks.md.
"""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from ictops import clock
from ictops.actions.base import DEFAULT_WORKERS
from ictops.cli.output import STYLE, print_json, print_rollback_failures, stderr, stdout
from ictops.cli.running import LIMIT_HELP, WAIT
from ictops.errors import ExitCode, InputError
from ictops.results import Status

_TAGS = click.option("-t", "--tags", default="", help="Only steps with one of these tags (comma-separated).")
_SKIP = click.option("--skip-tags", default="", help="Leave out steps with these tags (comma-separated).")
_FORKS = click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS,
                      show_default=True, help="Hosts worked on at once.")


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _print_run(run, show_diff: bool) -> None:
    """Each step's results, then the recap per host (like Ansible's)."""
    if run.not_run:
        stdout.print(f"[bold]nothing was run[/]: {escape(run.not_run)}")
        return
    for note in run.notes:
        stderr.print(f"note: {escape(note)}")
    for outcome in run.outcomes:
        step = outcome.step
        where = f"process {step.process} step {step.step}"
        batch = f", batch {outcome.batch}" if outcome.batch else ""
        kind = "HANDLER" if outcome.handler else "STEP"
        stdout.print(f"[bold]{kind} {escape(step.name)}[/] ({step.action}; {where}{batch})")
        for r in outcome.results:
            err = f" ({r.error_kind.value})" if r.error_kind and r.status.is_failure else ""
            stdout.print(f"  [{STYLE[r.status]}]{r.status.value}{err}[/]: {escape(r.host or '(run)')}"
                         + (f" - {escape(r.message)}" if r.message else ""))
            if show_diff and r.diff:
                stdout.print(escape(r.diff.rstrip()), soft_wrap=True)
        if outcome.note:
            stdout.print(f"  note: {escape(outcome.note)}")
    table = Table(title=f"recap: {run.playbook.path}" + (" (check mode)" if run.check else ""),
                  title_justify="left")
    table.add_column("host", no_wrap=True)
    for s in Status:
        table.add_column(s.value, justify="right")
    for host, counts in run.recap().items():
        table.add_row(escape(host), *[
            f"[{STYLE[s]}]{counts[s.value]}[/]" if counts[s.value] else "0" for s in Status])
    stdout.print(table)
    for host, why in run.dropped.items():
        stdout.print(f"[bold red]not run after failing[/]: {escape(host)}: {escape(why)}")
    if run.stopped:
        stdout.print(f"[bold red]{escape(run.stopped)}[/]")
    if run.untouched:
        stdout.print(f"[bold red]never touched[/] ({len(run.untouched)}, the run stopped before "
                     f"their batch): {escape(', '.join(run.untouched))}")
    print_rollback_failures(run.host_results)
    if run.interrupted:
        stdout.print(f"[bold red]interrupted by {run.interrupted}[/]: what finished is above and "
                     "recorded; nothing more was started")
        for step, hosts in run.not_started.items():
            stdout.print(f"[bold red]not started[/]: {escape(step)}: {escape(', '.join(hosts))}")
    stdout.print(f"run {run.run_id} in {run.seconds:.1f}s")


@click.command("run")
@click.argument("playbook")
@click.option("-l", "--limit", help=LIMIT_HELP + " Intersected with the playbook's hosts.")
@click.option("--check", is_flag=True, help="Change nothing: report what would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Show what changes (or would change).")
@click.option("--plan", "plan_id", help="The approved plan to carry out (not needed for routine playbooks).")
@_TAGS
@_SKIP
@_FORKS
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON (for scripts).")
@WAIT
@click.option("--unattended", is_flag=True,
              help="As a scheduled run: nothing on an excluded date of inventory/calendar.yaml or "
              "outside the playbook's window, no host started after the window closes.")
@click.pass_obj
def run(app, playbook, limit, check, show_diff, plan_id, tags, skip_tags, forks, as_json, wait,
        unattended):
    """Run PLAYBOOK: steps in order, hosts in parallel, one audit record per result.

    A playbook that is not routine needs an approved plan: ictops plan, then
    ictops approve, then ictops run --plan ID. A routine one must be in the routine
    register of inventory/team.yaml as it is now (ictops plans --routine). --check
    needs neither.

    \b
    Examples:
      ictops run playbooks/nightly.yaml
      ictops run playbooks/backup.yaml -l sch_phukhieo --check --diff

    Exit codes: 0 all went well, 1 a host failed or was unreachable or the run
    stopped at max_fail_percentage, 2 bad input or a refused plan, 75 another run holds
    the project lock (--wait [SECONDS] waits for it), 130/143 stopped by SIGINT/SIGTERM
    (what finished is kept, printed and recorded). See docs/schedule.md.
    """
    from ictops.playbook.plans import PlanError, PlanStore, approved_digests, check_usable
    from ictops.playbook.session import execute, prepare, select_hosts

    project = app.project
    prep = prepare(project, app.inventory(), playbook, limit)
    book = prep.playbook
    store = PlanStore(project)
    plan = None
    if plan_id:
        plan = store.load(plan_id)
        check_usable(plan, book, project, limit)
        prep.hosts = select_hosts(app.inventory(), book, plan.limit)
    elif book.routine and not check:
        prep.flags.update(routine_flags(app, book))
    elif not check:
        where = f" -l '{limit}'" if limit else ""
        raise PlanError(f"{book.path} is not routine: make a plan first: ictops plan {book.path}{where}, "
                        "have it approved (ictops approve PLAN_ID --by NAME), then "
                        "ictops run --plan PLAN_ID")
    result = execute(prep, check=check, diff=show_diff, forks=forks, tags=_split(tags),
                     skip_tags=_split(skip_tags), plan_id=plan.id if plan else None,
                     approved=approved_digests(plan) if plan and not check else None,
                     unattended=unattended, wait=wait)
    if plan is not None and not check:
        store.mark_run(plan, result.run_id)
    if as_json:
        print_json({**result.to_dict(), "plan": plan.id if plan else None, "operator": prep.operator})
    else:
        _print_run(result, show_diff)
    return int(result.exit_code)


def routine_flags(app, book) -> dict[str, str]:
    """A routine playbook must be in the routine register as it is now (RoutineError, exit
    2), or, with the setting routine_unregistered: flag, runs flagged (with a warning)."""
    from ictops.audit.team import load_team
    from ictops.clock import fiscal_year_be, today
    from ictops.playbook.routine import check_routine, routine_status
    from ictops.settings import load_settings

    status = routine_status(book, app.project, load_team(app.project), fiscal_year_be(today()))
    flags = check_routine(status, load_settings(app.project).routine_unregistered)
    if flags:
        stderr.print(f"[bold yellow]warning[/]: {escape(book.path)} runs as routine although "
                     f"{escape(status.problem or '')}; every record says so")
    return flags


@click.command("plan")
@click.argument("playbook")
@click.option("-l", "--limit", help=LIMIT_HELP + " Intersected with the playbook's hosts.")
@click.option("--diff", "show_diff", is_flag=True, help="Show what would change.")
@_FORKS
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.pass_obj
def plan(app, playbook, limit, show_diff, forks, as_json):
    """Plan PLAYBOOK (work manual step 2): a check-mode run, saved with an id.

    The plan records, host by host, what would change, and the SHA-256 of the
    playbook, its included files and the inventory: if any of them changes, the
    plan can no longer be run. Next: ictops approve PLAN_ID --by NAME.
    """
    from ictops.audit.recorder import record_event
    from ictops.playbook.plans import PlanStore, plan_from_run
    from ictops.playbook.session import execute, prepare

    project = app.project
    prep = prepare(project, app.inventory(), playbook, limit)
    result = execute(prep, check=True, diff=show_diff, forks=forks)
    made = plan_from_run(result, prep.playbook, project, limit, prep.operator)
    path = PlanStore(project).save(made)
    record_event(project, run_id=result.run_id, operator=prep.operator, process=made.process,
                 step=prep.stage_step("plan", 2), action="plan.make", status="ok",
                 summary=f"plan {made.id} of {made.playbook}: {made.would_change} would change, "
                 f"{made.failed} failed, on {len(made.hosts)} host(s)",
                 data={"plan": made.id, "playbook": made.playbook, "limit": limit, **prep.flags})
    _notify(project, "plan", made, prep.operator)
    if as_json:
        print_json(made.to_dict())
    else:
        _print_run(result, show_diff)
        stdout.print(f"plan [bold]{made.id}[/] saved to {escape(project.relative(path))}")
        stdout.print(f"next: ictops approve {made.id} --by NAME")
        stdout.print(made.id)
    return int(ExitCode.FAILED if made.failed else ExitCode.OK)


def _notify(project, what: str, made, operator: str) -> None:
    """Tell those concerned of a plan or its approval (if inventory/notify.yaml exists).

    Every outcome is in the audit trail; a channel that failed is also said here."""
    from ictops.notify.events import notify_approval, notify_plan

    send = notify_plan if what == "plan" else notify_approval
    for result in send(project, made, operator=operator):
        if not result.ok:
            stderr.print(f"warning: {what} notification via {escape(result.channel)} failed: "
                         f"{escape(result.error)} (recorded in the audit trail)")


@click.command("approve")
@click.argument("plan_id")
@click.option("--by", "by", required=True, help="Who approves (an approver of inventory/team.yaml).")
@click.option("--order", help="Reference of the approval (order or memo number).")
@click.pass_obj
def approve(app, plan_id, by, order):
    """Approve a plan (work manual step 3: the plan proposed to the area director)."""
    from ictops.audit.catalogue import load_catalogue
    from ictops.audit.recorder import record_event
    from ictops.audit.team import load_team, resolve_operator
    from ictops.playbook.plans import PlanError, PlanStore

    project = app.project
    operator = resolve_operator(project)
    store = PlanStore(project)
    made = store.load(plan_id)
    team = load_team(project)
    if team is None:
        raise InputError("no inventory/team.yaml: approvers are listed there (approvers:)")
    approver = team.check_approver(by)
    if approver is None:
        names = ", ".join(a.username or a.name for a in team.approvers) or "(none)"
        raise InputError(f"'{by}' may not approve plans; approvers are {names} (approvers: in {team.file})")
    if made.approval:
        raise PlanError(f"plan {made.id} is already approved by {made.approval.by} on {clock.show(made.approval.at)} (Thai time)")
    store.approve(made, approver.name, approver.position, order)
    step = load_catalogue(project).step_for(made.process, "approve")
    record_event(project, run_id=made.id.removeprefix("plan-"), operator=operator.name, process=made.process,
                 step=step.number if step else 3, action="plan.approve", status="ok",
                 summary=f"plan {made.id} of {made.playbook} approved by {approver.name} "
                 f"({approver.position})" + (f", order {order}" if order else ""),
                 data={"plan": made.id, "approver": approver.name, "order": order, **operator.flags})
    _notify(project, "approve", made, operator.name)
    stdout.print(f"plan {made.id} approved by {escape(approver.name)}; "
                 f"run it: ictops run {made.playbook} --plan {made.id}")
    return int(ExitCode.OK)


@click.command("plans")
@click.option("--routine", is_flag=True, help="Show the routine register instead: each routine "
              "playbook, whether it is registered with its current content, the entry to add.")
@click.option("--json", "as_json", is_flag=True, help="Print the plans as JSON.")
@click.pass_obj
def plans(app, routine, as_json):
    """List plans and their state (planned, approved, run).

    With --routine: the playbooks of playbooks/ that say routine: true, and whether the
    routine register of inventory/team.yaml holds them with their current content for this
    fiscal year (otherwise they are refused, or flagged: docs/playbooks.md).
    """
    if routine:
        return _routine_register(app, as_json)
    from ictops.playbook.plans import PlanStore

    found = PlanStore(app.project).all()
    if as_json:
        print_json([p.to_dict() for p in found])
        return int(ExitCode.OK)
    table = Table(title="plans", title_justify="left")
    for col in ("plan", "playbook", "limit", "state", "planned by", "would change", "approved by"):
        table.add_column(col)
    for p in found:
        table.add_row(p.id, escape(p.playbook), escape(p.limit or "-"), p.state, escape(p.planned_by),
                      str(p.would_change), escape(p.approval.by if p.approval else "-"))
    stdout.print(table)
    return int(ExitCode.OK)


def _routine_register(app, as_json: bool) -> int:
    from ictops.audit.catalogue import load_catalogue
    from ictops.audit.team import load_team
    from ictops.clock import fiscal_year_be, today
    from ictops.playbook.loader import load_playbook
    from ictops.playbook.routine import routine_status

    project = app.project
    team = load_team(project)
    catalogue = load_catalogue(project)
    year = fiscal_year_be(today())
    found = []
    for path in sorted(project.playbooks_dir.glob("*.yaml")):
        book = load_playbook(path, project, app.inventory(), catalogue=catalogue)
        if book.routine:
            found.append(routine_status(book, project, team, year))
    if as_json:
        print_json([{"playbook": s.playbook, "sha256": s.digest, "fiscal_year": s.fiscal_year,
                     "registered": s.problem is None, "problem": s.problem,
                     "order": s.entry.order if s.entry else None,
                     "approved_by": s.entry.approved_by if s.entry else None} for s in found])
        return int(ExitCode.OK if all(s.problem is None for s in found) else ExitCode.FAILED)
    stdout.print(f"routine playbooks, fiscal year {year} (register: routine: in inventory/team.yaml)")
    for s in found:
        if s.problem is None:
            assert s.entry is not None
            stdout.print(f"  [green]registered[/] {escape(s.playbook)}: approved by "
                         f"{escape(s.entry.approved_by)}, {escape(s.entry.order)}")
        else:
            stdout.print(f"  [bold red]not registered[/] {escape(s.playbook)}: {escape(s.problem)}")
            stdout.print(f"    to register it, add under routine: {escape(s.entry_yaml())}", soft_wrap=True)
    return int(ExitCode.OK if all(s.problem is None for s in found) else ExitCode.FAILED)
