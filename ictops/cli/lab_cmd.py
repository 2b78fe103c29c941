"""``ictops lab up | down | status | fault``: the simulated district."""

from __future__ import annotations

import time

import click
from rich.markup import escape
from rich.table import Table

from ictops.cli.output import print_json, stdout
from ictops.lab.supervisor import SERVER_FAULTS
from ictops.lab.switchsim.faults import FAULT_MODES


def _lab(app):
    from ictops.lab.fleet import Lab

    return Lab(app.project, app.inventory())


@click.group("lab")
def lab() -> None:
    """The simulated district on loopback addresses (127.0.0.0/8).

    For every inventory host whose address is a 127.x.x.x address: a real
    OpenSSH sshd for a server, a simulated switch (Cisco IOS, Huawei VRP) for a
    switch, each with its own host key. Files live in state/lab/.
    """


@lab.command("up")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds to wait for all banners.")
@click.pass_obj
def up(app, timeout):
    """Start every lab device that is not running yet."""
    the_lab = _lab(app)
    start = time.perf_counter()
    servers, switches = the_lab.up(timeout=timeout)
    took = time.perf_counter() - start
    total = len(the_lab.servers) + len(the_lab.switches)
    if servers or switches:
        stdout.print(
            f"lab up: started {servers} servers and {switches} switches in {took:.1f}s "
            f"({total} devices in the lab)"
        )
    else:
        stdout.print(f"lab already running: {total} devices, nothing to start")
    stdout.print("next: ictops hostkeys trust   (record the lab's host keys)")


@lab.command("down")
@click.pass_obj
def down(app):
    """Stop every lab device of this project."""
    start = time.perf_counter()
    servers, sims = _lab(app).down()
    stdout.print(f"lab down: stopped {servers} servers and {sims} switch simulator in {time.perf_counter() - start:.1f}s")


@lab.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(app, as_json):
    """Show which lab devices run, and their fault modes. Exit 1 when one is down."""
    devices = _lab(app).status()
    if as_json:
        print_json([d.__dict__ for d in devices])
    else:
        table = Table(title="lab devices", title_justify="left")
        with_roots = any(d.root for d in devices)  # the column only when a server has its own root
        for column in ("host", "kind", "address", "state", "fault", *(("root",) if with_roots else ())):
            table.add_column(column)
        for d in devices:
            state = "[green]running[/]" if d.running else "[red]stopped[/]"
            extra = (escape(d.root or ""),) if with_roots else ()
            table.add_row(escape(d.name), d.kind, d.address, state, d.fault or "", *extra)
        stdout.print(table)
    return 0 if devices and all(d.running for d in devices) else 1


@lab.command("fault")
@click.argument("host")
@click.argument("mode", type=click.Choice([*FAULT_MODES, *SERVER_FAULTS, "none"]))
@click.pass_obj
def fault(app, host, mode):
    """Make lab device HOST misbehave (for tests), or 'none' to heal it.

    \b
    simulated switches:
    auth-refuse    every login fails
    auth-stall     the password is never answered
    channel-stall  the login succeeds, the session channel never opens
    no-banner      accepts TCP, never speaks SSH
    stall          long output stops half-way and hangs
    drop           long output stops half-way and the connection closes
    truncate       the running-config comes back cut off (no 'end')
    drop-push      in config mode the connection closes after the 2nd line
                   is applied, then the fault clears
    drop-push-down the same, then the device stays unreachable (no-banner)
    servers in their own Debian root:
    reboot-hang    after a reboot the server stays down until 'ictops lab up'
    """
    inv = app.inventory()
    _lab(app).set_fault(inv.host(host), None if mode == "none" else mode)
    stdout.print(f"{host}: fault {mode}")
