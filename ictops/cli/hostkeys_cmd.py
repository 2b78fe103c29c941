"""``ictops hostkeys trust | list | forget``: the project's known_hosts."""

from __future__ import annotations

import threading
from dataclasses import replace

import click
from rich.markup import escape
from rich.table import Table

from ictops.cli.output import exit_code, print_json, recap_table, stdout, totals, totals_line
from ictops.cli.running import LIMIT_HELP, run_with_progress
from ictops.engine.context import HostContext
from ictops.engine.runner import DEFAULT_WORKERS, RunSettings
from ictops.results import ActionResult, ErrorKind, Status


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
    from ictops.connections.hostkeys import TrustOutcome, fingerprint, scan_host_key, trust_many

    hosts = app.inventory().select(limit)
    known_hosts = app.project.known_hosts
    scanned: dict[str, object] = {}
    lock = threading.Lock()

    def scan(ctx: HostContext) -> ActionResult:
        key = scan_host_key(ctx.host, known_hosts=known_hosts)
        with lock:
            scanned[ctx.host.name] = key
        return ctx.result(Status.OK, f"{key.get_name()} {fingerprint(key)}")

    settings = RunSettings(project=app.project, workers=forks)
    results, seconds = run_with_progress(hosts, scan, "hostkeys trust", settings, label="scanning host keys")
    by_name = {h.name: h for h in hosts}
    pairs = [(by_name[name], key) for name, key in scanned.items()]
    known_hosts.parent.mkdir(parents=True, exist_ok=True)
    outcomes = dict(zip((h.name for h, _ in pairs), trust_many(known_hosts, pairs))) if pairs else {}
    final = []
    for r in results:
        outcome = outcomes.get(r.host)
        if outcome is TrustOutcome.ADDED:
            r = replace(r, status=Status.CHANGED, message=f"recorded {r.message}")
        elif outcome is TrustOutcome.ALREADY_TRUSTED:
            r = replace(r, message=f"already trusted {r.message}")
        elif outcome is TrustOutcome.REFUSED_CHANGED:
            r = replace(
                r,
                status=Status.FAILED,
                error_kind=ErrorKind.HOSTKEY_CHANGED,
                message=f"REFUSED: key changed, now {r.message}; if the device was really "
                f"replaced run: ictops hostkeys forget {r.host}",
            )
        final.append(r)
    if as_json:
        print_json({"known_hosts": str(known_hosts), "results": [r.to_dict() for r in final], "totals": totals(final)})
        return int(exit_code(final))
    stdout.print(recap_table(final, f"host keys -> {app.project.relative(known_hosts)}", width=100))
    stdout.print(totals_line(final, seconds))
    return int(exit_code(final))


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
    """Remove HOST's recorded key (after a device was really replaced)."""
    from ictops.connections.hostkeys import forget

    entry = app.inventory().host(host)
    removed = forget(app.project.known_hosts, entry)
    stdout.print(f"{host}: removed {removed} key(s) for {entry.known_hosts_name}")


def register(cli: click.Group) -> None:
    cli.add_command(hostkeys)
