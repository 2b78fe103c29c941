"""``ictops inventory check | list | show`` (and ``import``, in inventory_import.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from ictops.cli.output import print_json, stdout
from ictops.cli.running import LIMIT_HELP
from ictops.inventory.host import Host
from ictops.secrets import MASK, SecretRef


def _secret_view(ref: SecretRef | None, root) -> str | None:
    if ref is None:
        return None
    state = "set" if ref.is_available(root) else "NOT SET"
    return f"{MASK} ({ref.describe()}, {state})"


def _data_view(value: Any, root) -> Any:
    if isinstance(value, SecretRef):
        return _secret_view(value, root)
    if isinstance(value, Mapping):
        return {k: _data_view(v, root) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_data_view(v, root) for v in value]
    return value


def host_view(host: Host, root) -> dict[str, Any]:
    """A host as shown to people: resolved values, secrets masked (data's too)."""
    view = asdict(host)
    view = {"name": view.pop("name"), "hostname": view.pop("hostname"), "port": view.pop("port"),
            "platform": view.pop("platform_name"), **view}
    for key in ("password", "enable_secret", "sudo_password"):
        view[key] = _secret_view(getattr(host, key), root)
    view["groups"] = list(host.groups)
    view["all_groups"] = list(host.all_groups)
    view["backup_files"] = list(host.backup_files)
    view["data"] = _data_view(host.data, root)
    return view


@click.group("inventory")
def inventory() -> None:
    """Check, look at and import into the inventory (inventory/*.yaml)."""


@inventory.command("check")
@click.pass_obj
def check(app) -> None:
    """Validate the inventory and its secret files; print a summary, or every error with
    file:line (exit 2)."""
    from ictops.inventory import load_inventory

    inv = load_inventory(app.project.inventory_dir, app.project.root, check_files=True)
    kinds = Counter(h.platform_name for h in inv.hosts.values())
    missing = sorted(
        {
            ref.describe()
            for h in inv.hosts.values()
            for _, ref in h.secret_refs()
            if not ref.is_available(inv.root)
        }
    )
    summary = ", ".join(f"{n} {p}" for p, n in sorted(kinds.items()))
    stdout.print(f"inventory OK: {len(inv)} hosts ({summary}), {len(inv.groups)} groups")
    for ref in missing:
        stdout.print(f"[yellow]warning:[/] secret {ref} is not available yet (needed to connect)")


@inventory.command("list")
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (resolved hosts, secrets masked).")
@click.pass_obj
def list_hosts(app, limit: str | None, as_json: bool) -> None:
    """List the selected hosts."""
    inv = app.inventory()
    hosts = inv.select(limit)
    if as_json:
        print_json([host_view(h, inv.root) for h in hosts])
        return
    table = Table(title=f"{len(hosts)} hosts", title_justify="left")
    for column in ("name", "address", "platform", "role", "site", "school", "groups"):
        table.add_column(column, overflow="fold")
    for h in hosts:
        table.add_row(
            escape(h.name),
            f"{h.hostname}:{h.port}",
            h.platform_name,
            h.role or "",
            h.site or "",
            escape(h.school.name) if h.school else "",
            ", ".join(h.groups),
        )
    stdout.print(table)


@inventory.command("show")
@click.argument("host")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(app, host: str, as_json: bool) -> None:
    """Show HOST with every value resolved (host, groups, defaults); secrets masked."""
    inv = app.inventory()
    view = host_view(inv.host(host), inv.root)
    if as_json:
        print_json(view)
        return
    import yaml

    stdout.print(escape(yaml.safe_dump(view, allow_unicode=True, sort_keys=False)))


def _add_import() -> None:
    from ictops.cli.inventory_import import import_command

    inventory.add_command(import_command)


_add_import()
