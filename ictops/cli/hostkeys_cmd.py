"""``ictops hostkeys trust | list | forget``: the project's known_hosts."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from ictops.actions.base import DEFAULT_WORKERS
from ictops.cli.output import print_json, recap_table, stdout, totals, totals_line
from ictops.cli.running import LIMIT_HELP, run_verb


@click.group("hostkeys")
def hostkeys() -> None:
    """Trust, list and forget SSH host keys (state/known_hosts).

    ictops connects only to hosts whose key is recorded here: an unknown host is
    refused, a changed key is always refused.
    """


@hostkeys.command("trust")
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_obj
def trust(app, limit, forks, as_json):
    """Scan the selected hosts' keys and record the new ones.

    Keys already recorded stay; a key that differs from the recorded one is
    refused (run 'ictops hostkeys forget HOST' first if the device was really
    replaced). Check the printed fingerprints against the devices.
    """
    from ictops.actions.hostkeys import TrustHostKey

    hosts = app.inventory().select(limit)
    known_hosts = app.project.known_hosts
    known_hosts.parent.mkdir(parents=True, exist_ok=True)
    done = run_verb(app.project, hosts, TrustHostKey(known_hosts), "hostkeys trust",
                    workers=forks, lock=False, label="scanning host keys")
    final = done.results
    if as_json:
        print_json({"known_hosts": str(known_hosts), "results": [r.to_dict() for r in final],
                    "totals": totals(final)})
        return int(done.exit_code)
    stdout.print(recap_table(final, f"host keys -> {app.project.relative(known_hosts)}", width=100))
    stdout.print(totals_line(final, done.seconds))
    return int(done.exit_code)


@hostkeys.command("list")
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.pass_obj
def list_keys(app, limit):
    """Show the recorded key of each selected host."""
    from ictops.connections.hostkeys import fingerprint, known_keys

    table = Table(title=f"host keys in {app.project.relative(app.project.known_hosts)}", title_justify="left")
    for column in ("host", "known_hosts name", "key"):
        table.add_column(column)
    for host in app.inventory().select(limit):
        keys = known_keys(app.project.known_hosts, host)
        text = ", ".join(f"{k.get_name()} {fingerprint(k)}" for k in keys) or "[yellow]not trusted[/]"
        table.add_row(escape(host.name), host.known_hosts_name, text)
    stdout.print(table)


@hostkeys.command("forget")
@click.argument("host")
@click.pass_obj
def forget_key(app, host):
    """Remove HOST's recorded key (after a device was really replaced). Recorded in the
    audit trail (process 4, data security)."""
    from ictops.audit.catalogue import verb_record
    from ictops.audit.recorder import record_event
    from ictops.audit.team import resolve_operator
    from ictops.connections.hostkeys import forget

    entry = app.inventory().host(host)
    operator = resolve_operator(app.project)
    removed = forget(app.project.known_hosts, entry)
    process, step = verb_record("hostkeys forget") or (4, 5)
    record_event(app.project, run_id=None, operator=operator.name, action="hostkeys forget",
                 status="changed" if removed else "ok", process=process, step=step, host=host,
                 summary=f"removed {removed} key(s) for {entry.known_hosts_name}",
                 data=operator.flags)
    stdout.print(f"{host}: removed {removed} key(s) for {entry.known_hosts_name}")
