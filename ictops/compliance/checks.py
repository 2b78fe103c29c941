"""Evaluate one check of a rule against a host's evidence: PASS, FAIL, WARN, N/A or ERROR."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ictops import clock
from ictops.compliance import parsers
from ictops.compliance.configtree import ConfigTree, Node, candidates, flat_lines, parse_config
from ictops.compliance.evidence import Evidence
from ictops.compliance.expr import to_number
from ictops.compliance.rules import (
    VAR_REF,
    AllCheck,
    AnyCheck,
    BackupCheck,
    Check,
    CommandCheck,
    ComputedCheck,
    Condition,
    LineCheck,
)
from ictops.compliance.verdicts import (
    WORST_FIRST,
    Finding,
    Verdict,
    combine,
    first_failure,
    test_condition,
)


class CheckError(Exception):
    """Evidence is there but cannot be read (the check becomes ERROR)."""


@dataclass
class CheckContext:
    """Everything a check reads; parsed configs and outputs are cached for the whole host."""

    evidence: Evidence
    platform: str
    vars: dict[str, Any]
    now: datetime = field(default_factory=clock.now)
    _trees: dict[str, ConfigTree | None] = field(default_factory=dict)
    _outputs: dict[str, str | None] = field(default_factory=dict)

    def value(self, value: Any) -> Any:
        """Resolve ``$var`` references (lists of refs are flattened)."""
        if isinstance(value, str) and (match := VAR_REF.match(value)):
            return self.vars.get(match.group(1))
        if isinstance(value, list):
            flat: list[Any] = []
            for item in value:
                resolved = self.value(item)
                flat.extend(resolved if isinstance(resolved, list) else [resolved])
            return flat
        return value

    def config_tree(self, which: str) -> ConfigTree | None:
        if which not in self._trees:
            text = self.evidence.config() if which == "running" else self.evidence.startup_config()
            self._trees[which] = parse_config(text, self.platform) if text is not None else None
        return self._trees[which]

    def output(self, command: str) -> str | None:
        if command not in self._outputs:
            self._outputs[command] = self.evidence.command(command)
        return self._outputs[command]

    def no_output(self, command: str, outcome: str) -> Finding:
        """The finding for a command without output: N/A with the reason when the command
        cannot run on this host (tool not installed, no systemd), else ``outcome``."""
        reason = self.evidence.not_applicable(command)
        if reason is not None:
            return Finding(Verdict.NA, f"{reason} ('{command}' cannot run on this host)")
        return Finding(Verdict.of(outcome), f"no output of '{command}' in the evidence")

    def files(self, patterns: list[str]) -> list[tuple[str, str]]:
        """(path, text) of every existing file named or matched by ``patterns``, in order."""
        found: list[tuple[str, str]] = []
        for pattern in patterns:
            paths = self.evidence.glob(pattern) if any(c in pattern for c in "*?[") else [pattern]
            for path in paths:
                text = self.evidence.file(path)
                if text is not None:
                    found.append((path, text))
        return found

    def file_tree(self, patterns: list[str]) -> ConfigTree | None:
        key = "files:" + "|".join(patterns)
        if key not in self._trees:
            sources = self.files(patterns)
            if not sources:
                self._trees[key] = None
            else:
                merged = ConfigTree(platform="linux", roots=[])
                for path, text in sources:
                    merged.roots.extend(flat_lines(text, source=path).roots)
                self._trees[key] = merged
        return self._trees[key]


def evaluate_check(check: Check, ctx: CheckContext) -> Finding:
    """Evaluate one check. Raises nothing for missing or odd evidence: that is ERROR."""
    try:
        if isinstance(check, LineCheck):
            return _line_check(check, ctx)
        if isinstance(check, CommandCheck):
            return _command_check(check, ctx)
        if isinstance(check, ComputedCheck):
            return _computed_check(check, ctx)
        if isinstance(check, BackupCheck):
            return _backup_check(check, ctx)
        if isinstance(check, (AllCheck, AnyCheck)):
            findings = [evaluate_check(inner, ctx) for inner in check.checks]
            return combine(findings, check.kind)
    except (CheckError, ValueError) as exc:
        return Finding(Verdict.ERROR, str(exc))
    raise TypeError(f"unknown check {check!r}")  # pragma: no cover - the models forbid it


# --- line checks --------------------------------------------------------------------------


def _where(node: Node, default: str) -> str:
    return f"{node.source or default}:{node.line}"


def _source_tree(check: LineCheck, ctx: CheckContext) -> tuple[ConfigTree | None, str]:
    source = check.source
    if source.files:
        return ctx.file_tree(source.files), ", ".join(source.files)
    if source.command:
        output = ctx.output(source.command)
        return (
            flat_lines(output, source=source.command) if output is not None else None
        ), source.command
    which = source.config or "running"
    return ctx.config_tree(which), f"{which}-config"


def _line_check(check: LineCheck, ctx: CheckContext) -> Finding:
    tree, name = _source_tree(check, ctx)
    if tree is None:
        return Finding(Verdict.of(check.if_no_source), f"no {name} in the evidence")
    if check.scope != "section":
        nodes = candidates(check.pattern, tree) if check.scope == "global" else tree.nodes()
        return _match_lines(check, nodes, ctx, name)
    assert check.parent is not None
    sections = tree.sections(check.parent)
    if not sections:
        verdict = Verdict.of(check.if_no_section)
        missing = f"no section matching '{check.parent.pattern}'"
        if check.message and verdict in (Verdict.FAIL, Verdict.WARN):
            missing = f"{check.message}: {missing}"
        return Finding(verdict, missing)
    findings = []
    for section in sections:
        found = _match_lines(check, list(section.walk()), ctx, name)
        findings.append(
            Finding(
                found.verdict,
                f"{section.text}: {found.message}",
                found.evidence or section.text,
                found.where or _where(section, name),
                (section.text,),
            )
        )
    decided = combine(findings, "all")
    failing = tuple(f.sections[0] for f in findings if f.verdict in (Verdict.FAIL, Verdict.WARN))
    if decided.verdict == Verdict.PASS:
        return Finding(
            Verdict.PASS,
            f"all {len(sections)} '{check.parent.pattern}' sections comply",
            decided.evidence,
            decided.where,
        )
    return Finding(decided.verdict, decided.message, decided.evidence, decided.where, failing)


def _groups(match: re.Match[str]) -> dict[str, Any]:
    names: dict[str, Any] = {"g0": match.group(0), "line": match.string}
    for index, value in enumerate(match.groups(), 1):
        names[f"g{index}"] = value
    names.update(match.groupdict())
    return names


def _match_lines(check: LineCheck, nodes: list[Node], ctx: CheckContext, name: str) -> Finding:
    hits: list[Node] = []
    violations: list[tuple[Node, Verdict, str]] = []
    ignored: list[Node] = []  # failing where with where_mismatch: ignore
    for node in nodes:
        match = check.pattern.search(node.text)
        if not match:
            continue
        verdict, text = (
            first_failure(check.where, _groups(match), ctx) if check.where else (Verdict.PASS, "")
        )
        if verdict == Verdict.PASS:
            hits.append(node)
        elif check.where_mismatch == "violation":
            violations.append((node, verdict, text))
        else:
            ignored.append(node)
    pattern = check.pattern.pattern
    custom = check.message
    if check.expect == "absent":
        if hits:
            return Finding(
                Verdict.of(check.on_match),
                custom or f"forbidden line present ('{pattern}')",
                hits[0].text,
                _where(hits[0], name),
            )
        return Finding(Verdict.PASS, f"no line matching '{pattern}'")
    if check.expect == "valid":
        if not hits and not violations:
            outcome = Verdict.of(check.if_missing)
            default = f"no line matching '{pattern}'" + (
                " (the default applies)" if outcome == Verdict.PASS else ""
            )
            return Finding(outcome, custom if custom and outcome != Verdict.PASS else default)
        if violations:
            node, verdict, text = min(violations, key=lambda v: WORST_FIRST.index(v[1]))
            return Finding(verdict, custom or text, node.text, _where(node, name))
        return Finding(
            Verdict.PASS, f"{len(hits)} line(s) valid", hits[0].text, _where(hits[0], name)
        )
    needed = int(to_number(ctx.value(check.min_count), "min_count"))
    if violations:  # a violation fails the check however many lines pass (docs/rules.md)
        node, verdict, text = min(violations, key=lambda v: WORST_FIRST.index(v[1]))
        soft = verdict == Verdict.WARN and len(hits) + len(violations) >= needed
        return Finding(
            Verdict.WARN if soft else Verdict.FAIL, custom or text, node.text, _where(node, name)
        )
    if len(hits) >= needed:
        if check.warn_below is not None and len(hits) < to_number(
            ctx.value(check.warn_below), "warn_below"
        ):
            return Finding(
                Verdict.WARN,
                custom
                or f"only {len(hits)} line(s) matching '{pattern}' "
                f"(at least {ctx.value(check.warn_below)} recommended)",
                hits[0].text,
                _where(hits[0], name),
            )
        return Finding(
            Verdict.PASS,
            f"{len(hits)} line(s) matching '{pattern}'",
            hits[0].text,
            _where(hits[0], name),
        )
    message = custom or (
        f"no line matching '{pattern}'"
        if not hits
        else f"{len(hits)} line(s) matching '{pattern}', {needed} needed"
    )
    first = hits[0] if hits else (ignored[0] if ignored else None)
    return Finding(
        Verdict.FAIL, message, first.text if first else "", _where(first, name) if first else ""
    )


# --- command and computed checks -----------------------------------------------------------


def _run_tests(
    tests: list[Condition], parsed: parsers.Parsed, ctx: CheckContext, where: str
) -> Finding:
    results = []
    for cond in tests:
        verdict, text = test_condition(cond, dict(parsed.values), ctx)
        field_name = (
            cond.value.source
            if cond.value.is_name
            else next(
                (n for n in parsed.values if re.search(rf"\b{re.escape(n)}\b", cond.value.source)),
                "",
            )
        )
        line = parsed.lines.get(field_name, "")
        results.append(Finding(verdict, text, line, parsed.where.get(field_name, where)))
    decided = combine(results, "all")
    if decided.verdict == Verdict.PASS:
        first = results[0]
        return Finding(Verdict.PASS, f"{len(tests)} test(s) passed", first.evidence, first.where)
    return decided


def _command_check(check: CommandCheck, ctx: CheckContext) -> Finding:
    output = ctx.output(check.command)
    if output is None or not output.strip():
        return ctx.no_output(check.command, check.if_no_output)
    if check.parse == "keyvalue":
        parsed = parsers.parse_keyvalue(output, check.separator, check.lowercase_keys)
    elif check.parse == "regex":
        parsed = parsers.parse_regex(output, check.fields)
    else:
        parsed = parsers.parse_lines(output)
    if not parsed.values:
        first = output.strip().splitlines()[0][:120]
        return Finding(
            Verdict.of(check.if_unparsed),
            f"cannot read the output of '{check.command}'",
            first,
            check.command,
        )
    return _run_tests(check.tests, parsed, ctx, check.command)


_LOGROTATE_FILES = ["/etc/logrotate.conf", "/etc/logrotate.d/*"]
_JOURNALD_FILES = ["/etc/systemd/journald.conf", "/etc/systemd/journald.conf.d/*.conf"]


def _computed_check(check: ComputedCheck, ctx: CheckContext) -> Finding:
    if check.function == "logrotate_retention":
        sources = ctx.files(_LOGROTATE_FILES)
        if not sources:
            return Finding(
                Verdict.of(check.if_no_source), "no logrotate configuration in the evidence"
            )
        parsed = parsers.logrotate_retention(sources, check.logs)
        if "retention_days" not in parsed.values:
            return Finding(
                Verdict.NA, f"no logrotate stanza for {', '.join(check.logs)} (journal only?)"
            )
        return _run_tests(check.tests, parsed, ctx, "logrotate")
    if check.function == "journald_retention":
        output = ctx.output("journald_config")
        sources = (
            [("journald_config", output)]
            if output and output.strip()
            else ctx.files(_JOURNALD_FILES)
        )
        if not sources:
            reason = ctx.evidence.not_applicable("journald_config")
            if reason is not None:  # no systemd tools and no journald.conf: no journald here
                return Finding(Verdict.NA, f"no journald on this host ({reason}, no journald.conf)")
            return Finding(
                Verdict.of(check.if_no_source), "no journald configuration in the evidence"
            )
        return _run_tests(check.tests, parsers.journald_retention(sources), ctx, sources[0][0])
    if check.function == "pending_updates":
        return _pending_updates(check, ctx)
    assert check.command is not None, "age_of needs 'command'"
    output = ctx.output(check.command)
    if output is None or not output.strip():
        return ctx.no_output(check.command, check.if_no_source)
    try:
        stamp = float(output.strip().split()[0])
    except ValueError:
        raise CheckError(
            f"'{check.command}' did not print a Unix time: {output.strip()[:80]!r}"
        ) from None
    age = (ctx.now.timestamp() - stamp) / 86400
    parsed = parsers.Parsed(values={"age_days": age}, lines={"age_days": output.strip()[:120]})
    return _run_tests(check.tests, parsed, ctx, check.command)


def _pending_updates(check: ComputedCheck, ctx: CheckContext) -> Finding:
    """The server's patch listing (the same ``ictops patch list`` shows): values ``security``
    and ``pending``; a listing that cannot tell is WARN with why, never a pass."""
    listing = ctx.evidence.patches()
    if listing is None:
        return Finding(Verdict.of(check.if_no_source), "no patch listing in the evidence")
    if listing.error:
        return Finding(Verdict.ERROR, f"cannot tell the pending updates: apt: {listing.error}")
    names = ", ".join(f"{p.name} {p.security}" for p in listing.security)
    values = {"security": len(listing.security), "pending": len(listing.updates)}
    parsed = parsers.Parsed(values=values, lines={"security": names, "pending": str(len(listing.updates))})
    found = _run_tests(check.tests, parsed, ctx, "apt-get -s upgrade")
    if found.verdict == Verdict.PASS and listing.doubts:
        return Finding(Verdict.WARN, f"cannot tell whether security updates are pending: "
                       f"{'; '.join(listing.doubts)}", "", "apt-get -s upgrade")
    if found.verdict != Verdict.PASS:
        return Finding(found.verdict, f"{len(listing.security)} security update(s) pending: {names}",
                       names, "apt-get -s upgrade")
    return Finding(Verdict.PASS, f"no security update pending ({len(listing.updates)} other(s))",
                   "", "apt-get -s upgrade")


def _backup_check(check: BackupCheck, ctx: CheckContext) -> Finding:
    age = ctx.evidence.backup_age_days()
    limit = to_number(ctx.value(check.max_age_days), "max_age_days")
    if age is None:
        return Finding(Verdict.ERROR, "no backup time in the evidence (meta.json taken_at)")
    if age > limit:
        return Finding(
            Verdict.FAIL,
            f"last backup is {age:.1f} days old (max {limit:g})",
            f"taken {age:.1f} days ago",
            "meta.json",
        )
    if check.require_saved:
        saved = ctx.evidence.running_equals_startup()
        if saved is None:
            return Finding(
                Verdict.WARN, "cannot tell whether the running-config was saved", "", "meta.json"
            )
        if not saved:
            return Finding(
                Verdict.FAIL,
                "running-config differs from startup-config (not saved)",
                "running_equals_startup: false",
                "meta.json",
            )
    return Finding(
        Verdict.PASS,
        f"backup {age:.1f} days old, running-config saved",
        f"taken {age:.1f} days ago",
        "meta.json",
    )
