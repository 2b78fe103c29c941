"""``ictops audit``: compliance of hosts against a rule pack; ``ictops audit golden``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
from rich.markup import escape

from ictops.actions.audit import AuditAction, compliance_of
from ictops.actions.base import DEFAULT_WORKERS
from ictops.backup.store import host_backup_dir
from ictops.cli.output import recap_table, stderr, stdout
from ictops.cli.running import LIMIT_HELP, run_verb
from ictops.compliance import (
    BackupEvidence,
    HostCompliance,
    Severity,
    load_pack,
    pack_path,
    parse_severity,
)
from ictops.compliance.golden import GoldenReport, golden_report, template_name
from ictops.compliance.output import render
from ictops.errors import ExitCode, InputError
from ictops.results import ActionResult, Status

DEFAULT_FAIL_ON = "high"
SEVERITIES = [s.value for s in Severity] + ["never"]


def audit_exit_code(
    hosts: Sequence[HostCompliance], results: Sequence[ActionResult], fail_on: str | None
) -> ExitCode:
    """1 when a rule FAILed at or above ``fail_on`` (None/"never": no threshold), or a host
    could not be read (UNREACHABLE/FAILED); 0 otherwise. ERROR verdicts alone do not fail."""
    if any(r.status.is_failure for r in results):
        return ExitCode.FAILED
    threshold = parse_severity(fail_on)
    if threshold is None:
        return ExitCode.OK
    return ExitCode.FAILED if any(h.failed(threshold) for h in hosts) else ExitCode.OK


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}; choose another --output") from None
    stderr.print(f"wrote {escape(str(output))}")


class _AuditGroup(click.Group):
    """``--files a.cfg b.cfg`` (what a shell glob expands to) reads as ``--files a.cfg --files b.cfg``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, expand_files_option(args))


def expand_files_option(args: Sequence[str]) -> list[str]:
    """Every word after ``--files`` up to the next option becomes one ``--files WORD``."""
    out: list[str] = []
    taking = False
    for arg in args:
        if arg == "--files":
            taking = True
            out.append(arg)
            continue
        if taking and not arg.startswith("-"):
            if out[-1] != "--files":
                out.append("--files")
            out.append(arg)
            continue
        taking = False
        out.append(arg)
    return out


@click.group("audit", cls=_AuditGroup, invoke_without_command=True)
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("--pack", default="th-baseline", show_default=True,
              help="Rule pack: a name in rules/ or a path to a pack file.")
@click.option("--from-backup/--live", "from_backup", default=True,
              help="Read the latest backups (default, touches no device) or the devices themselves.")
@click.option("--live-rules", is_flag=True,
              help="With --from-backup: evaluate rules marked 'live' on the device, the rest from the backup.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "junit"]), default="table",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the output to this file instead of stdout.")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False),
              default=DEFAULT_FAIL_ON, show_default=True,
              help="Exit 1 when a rule FAILs at this severity or above ('never': only unreachable hosts).")
@click.option("--lang", type=click.Choice(["en", "th"]), default="en", show_default=True,
              help="Language of rule titles and verdicts in the table.")
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Only this rule (repeatable).")
@click.option("--show-na", is_flag=True, help="Also list rules that do not apply to a host.")
@click.option("-f", "--forks", type=click.IntRange(1, 500), default=DEFAULT_WORKERS,
              show_default=True, help="Hosts worked on at once.")
@click.option("--files", "files", multiple=True, metavar="PATH...",
              help="Audit these configuration files (or directories of them) instead of the "
                   "inventory's backups: exported from devices not in the inventory, or sent by "
                   "a school. Nothing is saved; line numbers are the files' own.")
@click.option("--platform", help="With --files: the files' platform (default: recognised from "
              "each file; cisco_ios, huawei_vrp, hp_procurve, ruijie_os, mikrotik_routeros).")
@click.pass_context
def audit(ctx, limit, pack, from_backup, live_rules, fmt, output, fail_on, lang, rules, show_na,
          forks, files, platform):
    """Check hosts against a compliance rule pack (docs/rules.md).

    Per host and rule: PASS, FAIL, WARN, N/A or ERROR with the evidence line; a score per
    host and a fleet summary. The audit is saved to state/compliance/<run_id>.json.

    \b
    Examples:
      ictops audit                                  latest backups, th-baseline
      ictops audit --live-rules -l 'role=switch'    backups + NTP status read live
      ictops audit --format junit -o audit.xml      for a CI
      ictops audit golden -l sw-1 --remediation     intended config vs backup
      ictops audit --files school-configs/           configs sent in, not in the inventory
      ictops audit --files sw-a.cfg sw-b.txt --platform cisco_ios

    Exit codes: 0 compliant enough, 1 a FAIL at --fail-on severity or above (default high)
    or a host unreachable, 2 bad input (unknown pack, bad pack file, unknown rule).
    """
    if ctx.invoked_subcommand is not None:
        return None
    app = ctx.obj
    if not from_backup and live_rules:
        raise click.UsageError("--live-rules goes with --from-backup; --live reads every rule live")
    loaded = load_pack(pack_path(app.project.root, pack), display=_shown(app.project.root, pack))
    if files or platform:
        from ictops.cli.audit_files import audit_files_cmd

        if not files:
            raise click.UsageError("--platform goes with --files")
        if limit or not from_backup or live_rules:
            raise click.UsageError("--files audits files: -l, --live and --live-rules are for "
                                   "the inventory's hosts")
        compliances, notes = audit_files_cmd(app.project, loaded, files, platform, rules)
        _emit(compliances, fmt, output, show_na, lang, extra={"pack": loaded.name, "mode": "files"})
        for text in notes:
            stderr.print(f"note: {escape(text)}", soft_wrap=True)
        return int(audit_exit_code(compliances, [], fail_on))
    action = AuditAction(pack=loaded, live=not from_backup, live_rules=live_rules,
                         rule_ids=tuple(rules) or None)
    hosts = app.inventory().select(limit)
    done = run_verb(app.project, hosts, action, "audit", workers=forks, lock=False,
                    label=f"audit {loaded.name} ({action.mode})")
    results, seconds, note = done.results, done.seconds, done.note
    compliances = [c for c in (compliance_of(r) for r in results) if c is not None]
    _emit(compliances, fmt, output, show_na, lang, extra={
        "run_id": done.run.run_id, "pack": loaded.name, "mode": action.mode,
        "seconds": round(seconds, 3),
        "transport": [r.to_dict() | {"data": {}} for r in results if r.status.is_failure]})
    trouble = [r for r in results if r.status is not Status.OK]
    if trouble:
        stderr.print(recap_table(trouble, "hosts not fully audited"))
    if note:
        stderr.print(escape(note))
    if done.interrupted_line():
        stderr.print(f"[bold red]{escape(done.interrupted_line() or '')}[/]")
        return int(done.exit_code)
    return int(audit_exit_code(compliances, results, fail_on))


def _emit(
    compliances: Sequence[HostCompliance], fmt: str, output: Path | None, show_na: bool,
    lang: str, extra: dict,
) -> None:
    """Print (or write) the audit as a table, JSON (with ``extra``) or JUnit XML."""
    if fmt == "json":
        document = json.loads(render(compliances, "json"))
        document.update(extra)
        _write(json.dumps(document, ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "junit":
        _write(render(compliances, "junit"), output)
    else:
        text = render(compliances, "table", show_na=show_na, language=lang,
                      color=output is None and stdout.is_terminal,
                      width=stdout.width if output is None else 160)
        _write(text, output)


def _shown(root: Path, pack: str) -> str:
    path = pack_path(root, pack)
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


@audit.command("golden")
@click.option("-l", "--limit", help=LIMIT_HELP)
@click.option("--remediation", is_flag=True, help="Also print the commands that fix each switch.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.pass_obj
def golden(app, limit, remediation, as_json):
    """Compare each switch's latest backup with its intended config from templates/.

    The intended config is templates/switch/<platform>.j2 (or data.golden_template)
    rendered with the host's inventory data. Per feature (ntp, logging, aaa, vty, ...):
    the lines the backup lacks (-) and has extra (+); with --remediation, the commands
    (hier_config) that would make the switch match.

    Exit codes: 0 every switch matches, 1 a switch drifted or has no backup, 2 bad input
    (template error, with its file:line).
    """
    switches = [h for h in app.inventory().select(limit) if h.is_switch]
    reports: list[GoldenReport] = []
    problems: list[tuple[str, str]] = []
    for host in switches:
        config = BackupEvidence(host_backup_dir(app.project.backups_dir, host)).config()
        if config is None:
            problems.append((host.name, "no backup yet: run ictops backup"))
            continue
        if not (app.project.templates_dir / template_name(host)).is_file():
            problems.append((host.name, f"no template templates/{template_name(host)}"))
            continue
        reports.append(golden_report(app.project.templates_dir, host, config))
    if as_json:
        click.echo(json.dumps(
            {"hosts": [r.to_dict() for r in reports],
             "problems": [{"host": h, "message": m} for h, m in problems]},
            ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _print_golden(report, remediation)
        for host, message in problems:
            stdout.print(f"[bold]{escape(host)}[/]: [magenta]{escape(message)}[/]")
        matching = sum(r.compliant for r in reports)
        stdout.print(f"{len(switches)} switches: {matching} match their intended config, "
                     f"{len(reports) - matching} drifted, {len(problems)} not compared")
    drifted = problems or any(not r.compliant for r in reports)
    return int(ExitCode.FAILED if drifted else ExitCode.OK)


def _print_golden(report: GoldenReport, remediation: bool) -> None:
    verdict = "[green]matches[/]" if report.compliant else "[bold red]drifted[/]"
    stdout.rule(f"[bold]{escape(report.host)}[/] ({report.platform}, templates/{escape(report.template)}): {verdict}",
                align="left")
    for feature in report.features:
        if feature.compliant and not feature.notes:
            stdout.print(f"  {feature.feature}: [green]ok[/]")
            continue
        state = "[green]ok[/]" if feature.compliant else "[red]differs[/]"
        stdout.print(f"  {feature.feature}: {state}")
        for line in feature.missing:
            stdout.print(f"    [red]- {escape(line)}[/]   (missing)")
        for line in feature.extra:
            stdout.print(f"    [yellow]+ {escape(line)}[/]   (extra)")
        for note in feature.notes:
            stdout.print(f"    [dim]note: {escape(note)}[/]")
        if remediation and feature.remediation:
            stdout.print("    remediation:")
            for line in feature.remediation:
                stdout.print(f"      [cyan]{escape(line)}[/]")
