"""Audit results as a terminal table (rich), JSON, or JUnit XML for a CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from io import StringIO
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ictops.compliance.evaluate import HostCompliance, fleet_summary
from ictops.compliance.verdicts import Verdict

Language = Literal["en", "th"]
FORMATS = ("table", "json", "junit")

_STYLE = {
    Verdict.PASS: "green",
    Verdict.FAIL: "bold red",
    Verdict.WARN: "yellow",
    Verdict.NA: "dim",
    Verdict.ERROR: "magenta",
}
_LABEL = {
    "en": {
        Verdict.PASS: "PASS",
        Verdict.FAIL: "FAIL",
        Verdict.WARN: "WARN",
        Verdict.NA: "N/A",
        Verdict.ERROR: "ERROR",
    },
    "th": {
        Verdict.PASS: "ผ่าน",
        Verdict.FAIL: "ไม่ผ่าน",
        Verdict.WARN: "คำเตือน",
        Verdict.NA: "ไม่เกี่ยวข้อง",
        Verdict.ERROR: "ตรวจสอบไม่สำเร็จ",
    },
}


def host_table(host: HostCompliance, *, show_na: bool = False, language: Language = "en") -> Table:
    """One host: rule, verdict, severity, title, message and evidence line."""
    score = "-" if host.score is None else f"{host.score:g}"
    table = Table(
        title=f"{host.host} ({host.platform}) - {host.pack} - score {score} - {host.source}",
        title_justify="left",
        expand=False,
    )
    for column in ("rule", "result", "severity", "title", "finding / evidence"):
        table.add_column(column, overflow="fold")
    for result in host.results:
        if result.status == Verdict.NA and not show_na:
            continue
        finding = Text(result.message)
        if result.evidence:
            finding.append(f"\n{result.where}: ", style="dim")
            finding.append(result.evidence, style="cyan")
        title = result.title_th if language == "th" else result.title_en
        table.add_row(
            result.rule_id,
            Text(_LABEL[language][result.status], style=_STYLE[result.status]),
            result.severity.value,
            title,
            finding,
        )
    return table


def summary_table(hosts: list[HostCompliance]) -> Table:
    """The fleet at a glance: one row per host, then the totals."""
    table = Table(title="compliance summary", title_justify="left")
    for column in ("host", "score", "pass", "fail", "warn", "n/a", "error"):
        table.add_column(column, justify="left" if column == "host" else "right")
    for host in hosts:
        counts = host.counts
        table.add_row(
            host.host,
            "-" if host.score is None else f"{host.score:g}",
            *(str(counts[v.value]) for v in Verdict),
        )
    summary = fleet_summary(hosts)
    average = "-" if summary.average_score is None else f"{summary.average_score:g}"
    table.add_row(
        Text(f"{summary.hosts} hosts", style="bold"),
        average,
        *(str(summary.counts[v.value]) for v in Verdict),
        end_section=True,
    )
    return table


def render_table(
    hosts: Iterable[HostCompliance],
    *,
    show_na: bool = False,
    language: Language = "en",
    width: int = 160,
    color: bool = False,
) -> str:
    """Every host's table and the summary, as text (ANSI colours when ``color``)."""
    hosts = list(hosts)
    buffer = StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color)
    for host in hosts:
        console.print(host_table(host, show_na=show_na, language=language))
    console.print(summary_table(hosts))
    return buffer.getvalue()


def render_json(hosts: Iterable[HostCompliance]) -> str:
    """``{"summary": ..., "hosts": [...]}`` (evidence lines are already masked)."""
    hosts = list(hosts)
    document = {"summary": fleet_summary(hosts).to_dict(), "hosts": [h.to_dict() for h in hosts]}
    return json.dumps(document, ensure_ascii=False, indent=2)


def render_junit(hosts: Iterable[HostCompliance]) -> str:
    """JUnit XML: a testsuite per host, a testcase per rule. FAIL -> <failure>,
    ERROR -> <error>, N/A -> <skipped>; WARN passes with the warning in <system-out>."""
    hosts = list(hosts)
    root = ET.Element("testsuites", name="ictops audit")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for host in hosts:
        counts = host.counts
        suite = ET.SubElement(
            root,
            "testsuite",
            name=host.host,
            tests=str(len(host.results)),
            failures=str(counts["fail"]),
            errors=str(counts["error"]),
            skipped=str(counts["n/a"]),
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("platform", host.platform),
            ("pack", host.pack),
            ("source", host.source),
            ("score", "" if host.score is None else f"{host.score:g}"),
        ):
            ET.SubElement(properties, "property", name=name, value=value)
        for result in host.results:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{result.rule_id} {result.title_en}",
                classname=f"{host.pack}.{host.host}",
            )
            detail = result.message + (
                f"\n{result.where}: {result.evidence}" if result.evidence else ""
            )
            if result.remediation:
                detail += "\nremediation:\n" + "\n".join(result.remediation)
            if result.status == Verdict.FAIL:
                node = ET.SubElement(
                    case, "failure", message=result.message, type=result.severity.value
                )
                node.text = detail
            elif result.status == Verdict.ERROR:
                node = ET.SubElement(case, "error", message=result.message, type="evidence")
                node.text = detail
            elif result.status == Verdict.NA:
                ET.SubElement(case, "skipped", message=result.message)
            elif result.status == Verdict.WARN:
                ET.SubElement(case, "system-out").text = f"WARNING: {detail}"
        totals["tests"] += len(host.results)
        totals["failures"] += counts["fail"]
        totals["errors"] += counts["error"]
        totals["skipped"] += counts["n/a"]
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(hosts: Iterable[HostCompliance], fmt: str, **options: object) -> str:
    """Render in ``fmt`` (table, json or junit)."""
    if fmt == "table":
        return render_table(hosts, **options)  # type: ignore[arg-type]
    if fmt == "json":
        return render_json(hosts)
    if fmt == "junit":
        return render_junit(hosts)
    raise ValueError(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}")
