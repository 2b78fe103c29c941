"""``ictops hostkeys trust | list | forget``: the project's known_hosts."""

from __future__ import annotations

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
    from ictops.connections.hostkeys import TrustOutcome, fingerprint, scan_host_key, trust

    hosts = app.inventory().select(limit)
    known_hosts = app.project.known_hosts
    known_hosts.parent.mkdir(parents=True, exist_ok=True)

    def scan_and_trust(ctx: HostContext) -> ActionResult:
        # trust() takes a lock, so hosts decide in parallel and the file stays whole;
        # the result (and so the audit record) is the final decision, not the scan
        key = scan_host_key(ctx.host, known_hosts=known_hosts)
        shown = f"{key.get_name()} {fingerprint(key)}"
        outcome = trust(known_hosts, ctx.host, key)
        if outcome is TrustOutcome.ADDED:
            return ctx.result(Status.CHANGED, f"recorded {shown}")
        if outcome is TrustOutcome.ALREADY_TRUSTED:
            return ctx.result(Status.OK, f"already trusted {shown}")
        return ctx.result(
            Status.FAILED,
            f"REFUSED: key changed, now {shown}; if the device was really replaced run: "
            f"ictops hostkeys forget {ctx.host.name}",
            error_kind=ErrorKind.HOSTKEY_CHANGED,
        )

    settings = RunSettings(project=app.project, workers=forks)
    final, seconds = run_with_progress(
        hosts, scan_and_trust, "hostkeys trust", settings, label="scanning host keys"
    )
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
