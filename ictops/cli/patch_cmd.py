"""``ictops patch``: install pending updates on servers (planned first); ``ictops patch list``:
what is pending, security first, held packages, reboots needed."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from ictops.actions.base import DEFAULT_WORKERS
from ictops.cli.output import STYLE, print_json, stderr, stdout, totals, totals_line
from ictops.cli.running import LIMIT_HELP, run_verb
from ictops.cli.verbbook import run_playbook, verb_playbook


@click.group("patch", invoke_without_command=True)
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("--security", is_flag=True, help="Security fixes only (from the security sources alone).")
@click.option("--exclude", multiple=True, help="Leave this package at its version (repeatable).")
@click.option("--reboot", type=click.Choice(["never", "if-required", "always"]), default="never",
              show_default=True, help="Reboot after the upgrade, and wait for a new boot id.")
@click.option("--reboot-timeout", type=click.IntRange(1), default=600, show_default=True,
              help="Seconds a rebooted server has to answer again.")
@click.option("--check", is_flag=True, help="Change nothing: say what would change (exact versions).")
@click.option("--diff", "show_diff", is_flag=True, help="Show what changes.")
@click.option("--plan", "plan_id", help="The approved plan to carry out.")
@click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS,
              show_default=True, help="Hosts worked on at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.pass_context
def patch(ctx, limit, security, exclude, reboot, reboot_timeout, check, show_diff, plan_id, forks,
          as_json):
    """Install pending updates on Debian/Ubuntu servers; see what is pending with
    ``ictops patch list``. Never stops at a config-file question (the local file is kept);
    held packages are left alone; a reboot is proven by a new boot id.

    A one-step playbook (state/verbs/), planned, approved and run like one. For a canary
    rollout in batches, use playbooks/patch.yaml.

    \b
    Examples:
      ictops patch list -l 'role=server'
      ictops patch -l sch_phukhieo --security --reboot if-required --check
      ictops plan state/verbs/ictops-patch-security-....yaml -l sch_phukhieo  (the file it names)
      ictops patch -l sch_phukhieo --security --reboot if-required --plan PLAN_ID

    Exit codes: 0 done, 1 a host failed or was unreachable, 2 bad input or no approved plan.
    """
    if ctx.invoked_subcommand is not None:
        return None
    args: dict = {"only": "security" if security else "all", "reboot": reboot.replace("-", "_")}
    if exclude:
        args["exclude"] = sorted(set(exclude))
    if reboot != "never":
        args["reboot_timeout"] = reboot_timeout
    title = "ictops patch" + (" --security" if security else "") + \
        "".join(f" --exclude {e}" for e in sorted(set(exclude))) + \
        (f" --reboot {reboot}" if reboot != "never" else "")
    path = verb_playbook(ctx.obj.project, "ictops patch", title, "patch", args)
    return run_playbook(ctx, path, limit=limit, check=check, show_diff=show_diff, plan_id=plan_id,
                        forks=forks, as_json=as_json)


@patch.command("list")
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS,
              show_default=True, help="Hosts worked on at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@click.pass_obj
def list_(app, limit, forks, as_json):
    """Pending updates per server (security first), held packages, reboots needed.

    Read from each server's own apt (apt-get -s, also against its security sources alone, so
    a security fix behind a newer normal update is not missed). Kept in state/patches/ for
    the director's report. Changes nothing on the servers (apt's lists are refreshed when
    older than the apt_cache_age setting).

    Exit codes: 0 read everywhere, 1 a host failed or was unreachable, 2 bad input.
    """
    from ictops.actions.patch import Listed, PatchList

    hosts = [h for h in app.inventory().select(limit) if not h.is_switch]
    done = run_verb(app.project, hosts, PatchList(), "patch list", workers=forks)
    results = done.results
    if as_json:
        print_json({"run_id": done.run.run_id, "seconds": round(done.seconds, 3),
                    "hosts": [{"host": r.host, "status": r.status.value, "message": r.message,
                               "error_kind": r.error_kind.value if r.error_kind else None,
                               "listing": r.payload.to_dict() if isinstance(r.payload, Listed) else None}
                              for r in results],
                    "totals": totals(results), "interrupted": done.run.interrupted})
        return int(done.exit_code)
    table = Table(title="pending updates (security first)", title_justify="left")
    for column in ("host", "pending", "security", "held", "reboot", "updates"):
        table.add_column(column)
    for r in results:
        if not isinstance(r.payload, Listed):
            table.add_row(escape(r.host or ""), f"[{STYLE[r.status]}]{r.status.value}[/]", "", "",
                          "", escape(r.message))
            continue
        listing = r.payload.listing
        doubt = " ".join(f"[bold yellow]? {escape(d)}[/]" for d in listing.doubts)
        lines = [f"{'[red]S[/] ' if p.security else '  '}{escape(p.name)} {escape(p.current or '-')} -> "
                 f"{escape(p.candidate or p.security or '-')}"
                 + (f" (security fix {escape(p.security)})" if p.security and p.security != p.candidate else "")
                 for p in listing.ordered]
        table.add_row(escape(r.host or ""), str(len(listing.updates)),
                      f"[red]{len(listing.security)}[/]" if listing.security else "0",
                      escape(", ".join(listing.held)) or "-",
                      f"[yellow]yes ({escape(', '.join(listing.reboot.packages))})[/]"
                      if listing.reboot.required else "no",
                      "\n".join(lines + ([doubt] if doubt else [])) or "none")
    stdout.print(table)
    stdout.print(totals_line(results, done.seconds))
    if done.interrupted_line():
        stderr.print(f"[bold red]{escape(done.interrupted_line() or '')}[/]")
    return int(done.exit_code)
