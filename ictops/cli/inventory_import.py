"""``ictops inventory import``: the thin adapter from arguments to ictops.inventory.importers."""

from __future__ import annotations

import difflib
from pathlib import Path

import click
from rich.markup import escape

from ictops.cli.output import print_json, stdout
from ictops.inventory.importers import KINDS, ImportPlan, plan_import, write_plan
from ictops.inventory.importers.draft import LeftOut
from ictops.inventory.importers.refs import STYLES

SHOWN = 5  # left-out items shown per reason on a terminal

EXAMPLES = """
\b
Examples:
  ictops inventory import ทะเบียนครุภัณฑ์.xlsx --check     what would change (a diff)
  ictops inventory import register.csv --mapping columns.yaml
  ictops inventory import ansible/hosts.ini
  ictops inventory import ../nornir/inventory/           a SimpleInventory directory
"""


def _diff(plan: ImportPlan) -> list[str]:
    lines: list[str] = []
    for change in plan.changes:
        if change.changed:
            name = f"inventory/{change.name}"
            lines += difflib.unified_diff(
                (change.old or "").splitlines(keepends=True), change.new.splitlines(keepends=True),
                fromfile=f"a/{name}" if change.old is not None else "/dev/null", tofile=f"b/{name}",
            )
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def _summary(plan: ImportPlan, written: list[str] | None, diff: list[str]) -> dict:
    draft = plan.draft
    return {
        "source": draft.source,
        "kind": draft.kind,
        "hosts": len(draft.hosts),
        "groups": len(draft.groups),
        "platforms": dict(sorted(plan.platforms().items())),
        "files": [
            {"file": f"inventory/{c.name}", "added": c.added, "updated": c.updated, "changed": c.changed}
            for c in plan.changes
        ],
        "written": written,
        "left_out": [{"where": i.where, "what": i.what, "reason": i.reason} for i in draft.left_out],
        "secrets_to_fill": [
            {"reference": s.describe(), "for": s.where(), "from": s.spot.where()}
            for s in draft.secrets
        ],
        "kept": plan.kept,
        "replaced": plan.replaced,
        "notes": draft.notes,
        "diff": "".join(diff) if written is None else None,
    }


def _show(plan: ImportPlan, written: list[str] | None, diff: list[str]) -> None:
    draft = plan.draft
    kinds = ", ".join(f"{n} {p}" for p, n in sorted(plan.platforms().items()))
    stdout.print(f"{escape(draft.source)}: {len(draft.hosts)} hosts ({kinds}), {len(draft.groups)} groups")
    for change in plan.changes:
        if change.changed:
            what = [f"{len(change.added)} added"] if change.added else []
            what += [f"{len(change.updated)} updated"] if change.updated else []
            state = "new file" if change.old is None else ", ".join(what) or "rewritten"
            stdout.print(f"  inventory/{change.name}: {state}" + (f", {', '.join(what)}" if change.old is None and what and change.name != "defaults.yaml" else ""))
    for note in draft.notes:
        stdout.print(f"[cyan]note:[/] {escape(note)}")
    if draft.left_out:
        stdout.print(f"left out ({len(draft.left_out)}; ictops does not manage or use them):")
        by_reason: dict[str, list[LeftOut]] = {}
        for item in draft.left_out:
            by_reason.setdefault(item.reason, []).append(item)
        for reason, items in by_reason.items():
            stdout.print(f"  {escape(reason)} ({len(items)}):")
            for item in items[:SHOWN]:
                stdout.print(f"    {escape(item.where)}: {escape(item.what)}")
            if len(items) > SHOWN:
                stdout.print(f"    ... and {len(items) - SHOWN} more (--json lists every one)")
    if plan.kept:
        stdout.print("kept the inventory's value (--update takes the source's):")
        for line in plan.kept:
            stdout.print(f"  {escape(line)}")
    if plan.replaced:
        what = "would replace" if written is None else "replaced"
        stdout.print(f"[yellow]{what}[/] the inventory's value (--update):")
        for line in plan.replaced:
            stdout.print(f"  {escape(line)}")
    if draft.secrets:
        stdout.print(f"[yellow]secrets to fill[/] ({len(draft.secrets)}; the import wrote references, never values):")
        for secret in draft.secrets:
            fill = secret.reference.get("file")
            how = f"put it in {fill}, mode 0600" if fill else f"export {secret.reference['env']}=..."
            stdout.print(f"  {escape(secret.describe())}  {escape(secret.where())}: {escape(how)}")
    if written is None:
        for line in diff:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            stdout.print(f"[{style}]{escape(line.rstrip())}[/]" if style else escape(line.rstrip()))
        stdout.print("--check: nothing written" + ("; the diff above is what would change" if diff else "; nothing would change"))
    elif written:
        stdout.print(f"written: {', '.join('inventory/' + w for w in written)}; next: ictops inventory check")
    else:
        stdout.print("nothing to change: the inventory already holds all of it")


@click.command("import", epilog=EXAMPLES)
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--from", "kind", type=click.Choice(KINDS), help="The kind of SOURCE (default: from its name).")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML file: which register column holds which field, extra platform rules "
                   "(docs/inventory-import.md).")
@click.option("--sheet", help="The .xlsx sheet to read (default: the first).")
@click.option("--secrets", type=click.Choice(STYLES), default="file", show_default=True,
              help="Passwords found become {file: state/secrets/...} or {env: ICTOPS_...} references.")
@click.option("--update", is_flag=True, help="Where an existing host or group has a value, take the source's.")
@click.option("--check", "check_only", is_flag=True, help="Show what would change (a diff); write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def import_command(app, source: Path, kind, mapping_file, sheet, secrets, update, check_only, as_json) -> None:
    """Import hosts and groups into inventory/*.yaml from an asset register (CSV, .xlsx),
    an Ansible inventory (YAML, INI) or a Nornir SimpleInventory directory.

    Existing files are merged, their comments and hand-written keys kept. Nothing is written
    unless the result passes `ictops inventory check`'s rules; errors name the file and the
    row and column (or line) to fix, exit 2. Passwords are never written: references to fill
    are listed.
    """
    project = app.project
    plan = plan_import(
        source, str(source), project.inventory_dir, project.root, kind=kind,
        mapping_file=mapping_file, sheet=sheet, secrets=secrets, update=update,
    )
    diff = _diff(plan)
    written = None if check_only else write_plan(plan, project.inventory_dir)
    if as_json:
        print_json(_summary(plan, written, diff))
    else:
        _show(plan, written, diff)
