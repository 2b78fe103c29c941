"""Render the director's report to HTML (Jinja2, autoescaped) and print it to PDF.

The template holds layout only; strings come from ``i18n`` and ``wording``, dates from
``ictops.clock``.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ictops.clock import (
    format_date_en,
    format_date_th,
    format_datetime_en,
    format_datetime_th,
    thai_digits,
)
from ictops.report import i18n
from ictops.report.fonts import ThaiFont, find_thai_font
from ictops.report.model import STATUS_ORDER, ReportData
from ictops.report.pdf import PdfError, render_pdf
from ictops.report.scores import Audit
from ictops.report.wording import action_name, failure_kind

__all__ = ["render_html", "write_html", "render_pdf", "write_report", "sparkline_svg", "PdfError"]

MAX_FAILURES_SHOWN = 200
MAX_RUNS_SHOWN = 31
MAX_HOSTS_NAMED = 12  # per failure kind; the rest as "+n"
MAX_RULES_NAMED = 6  # per partial audit in the sources list


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ictops.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = _css_string
    return env


def _css_string(text: str) -> Markup:
    """A CSS string literal (for @page content); the text is ours, quotes escaped anyway."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


def sparkline_svg(
    points: Sequence[tuple[date, float]], width: int = 120, height: int = 26, top: float = 100.0
) -> Markup:
    """An inline SVG line of scores on a fixed 0..top scale (so a flat line means no change)."""
    if not points:
        return Markup("")
    pad = 3.0
    n = len(points)
    step = (width - 2 * pad) / max(1, n - 1)
    coords = []
    for i, (_, value) in enumerate(points):
        x = pad + i * step if n > 1 else width / 2
        y = pad + (height - 2 * pad) * (1 - max(0.0, min(top, float(value))) / top)
        coords.append(f"{x:.1f},{y:.1f}")
    last_x, last_y = coords[-1].split(",")
    line = (
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{" ".join(coords)}"/>'
        if n > 1
        else ""
    )
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-hidden="true">'
        f'<line x1="0" y1="{height - pad}" x2="{width}" y2="{height - pad}" stroke="#ccc"/>'
        f'{line}<circle cx="{last_x}" cy="{last_y}" r="2.2" fill="#1f5fa8"/></svg>'
    )


class _Formatter:
    """Dates and numbers as the chosen language shows them."""

    def __init__(self, lang: str, thai_numerals: bool):
        self.lang = lang
        self.thai_numerals = thai_numerals and lang == "th"

    def date(self, day: date | datetime | None) -> str:
        if day is None:
            return i18n.strings(self.lang)["na"]
        if self.lang == "th":
            return format_date_th(day, self.thai_numerals)
        return format_date_en(day)

    def datetime(self, moment: datetime | None) -> str:
        if moment is None:
            return i18n.strings(self.lang)["never"]
        if self.lang == "th":
            return format_datetime_th(moment, self.thai_numerals)
        return format_datetime_en(moment)

    def num(self, value: float | int | None) -> str:
        if value is None:
            return i18n.strings(self.lang)["na"]
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        return thai_digits(text) if self.thai_numerals else text

    def plain(self, value: int) -> str:
        """A number without thousands separators (years, step numbers)."""
        return thai_digits(str(value)) if self.thai_numerals else str(value)

    def signed(self, value: float | None) -> str:
        if value is None:
            return i18n.strings(self.lang)["na"]
        return ("+" if value > 0 else "") + self.num(value)

    def text(self, key: str, **values: object) -> str:
        """A report string with its {placeholders} filled (numbers as this language shows them)."""
        shown = {k: self.num(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                 for k, v in values.items()}
        return i18n.strings(self.lang)[key].format(**shown)

    def place(self, process: int, step: int) -> str:
        """``กระบวนการที่ 6 ขั้นตอนที่ 5`` (never ``6.5``)."""
        return i18n.strings(self.lang)["place"].format(p=self.plain(process), s=self.plain(step))


def _works(actions: Iterable[str], lang: str) -> list[str]:
    """The work the action names stand for, each once, in order."""
    return list(dict.fromkeys(action_name(a, lang) for a in actions))


def _audit_line(audit: Audit, data: ReportData, fmt: _Formatter) -> str:
    """``1 ธ.ค. 2569 04:59 น. ชุดกฎ th-baseline เฉพาะกฎ NET-MGMT-05 จากข้อมูลสำรอง, 6 เครื่อง``."""
    s = i18n.strings(fmt.lang)
    assert data.scores is not None
    if data.scores.complete(audit):
        scope = fmt.text("all_rules", n=len(audit.rules))
    else:
        named = ", ".join(audit.rules[:MAX_RULES_NAMED])
        more = len(audit.rules) - MAX_RULES_NAMED
        scope = s["some_rules"].format(rules=named + (f" (+{more})" if more > 0 else ""))
    mode = s.get(f"mode_{audit.mode}", audit.mode)
    parts = [fmt.datetime(audit.time), s["pack"].format(pack=audit.pack), scope]
    return " ".join(p for p in parts if p) + (f" {mode}" if mode else "") + ", " + fmt.text(
        "n_hosts", n=audit.hosts)


def _delta(trend: Sequence[tuple[date, float]]) -> float | None:
    return round(trend[-1][1] - trend[-2][1], 1) if len(trend) >= 2 else None


def _conclusion(data: ReportData, fmt: _Formatter) -> list[str]:
    """The sentences the director signs under: what was done, what is wrong, what to do."""
    lines = [fmt.text("c_work", total=data.totals.total, hosts=data.host_count,
                      good=data.totals.ok + data.totals.changed, bad=data.totals.bad)]
    if data.failure_groups:
        top = data.failure_groups[0]
        title, _, todo = failure_kind(top.kind, fmt.lang)
        lines.append(fmt.text("c_top_failure", title=title, n=top.count, todo=todo))
    if data.scores and data.scores.fleet is not None:
        lines.append(fmt.text("c_fleet", score=data.scores.fleet))
    if data.backups:
        stale = sum(1 for b in data.backups if b.stale or b.failing)
        key = "c_backups_stale" if stale else "c_backups_ok"
        lines.append(fmt.text(key, stale=stale, n=len(data.backups)))
    if data.patches:
        lines.append(fmt.text(
            "c_patches", n=len(data.patches),
            # security fixes pending: a listing's count of them, or a failed LNX-PATCH-01
            pending=sum(1 for p in data.patches if p.state == "pending" and p.security != 0),
            unknown=sum(1 for p in data.patches if p.state == "unknown")))
    return lines


def render_html(
    data: ReportData,
    lang: str = "th",
    *,
    thai_numerals: bool = False,
    font: ThaiFont | None = None,
    embed_font: bool = False,
) -> str:
    """The report as one HTML document (A4 portrait, printable).

    ``embed_font`` inlines the TTF so the file also looks right when mailed elsewhere.
    Raises FontMissingError when the Thai font is not installed.
    """
    lang = i18n.check_lang(lang)
    font = font or find_thai_font()
    fmt = _Formatter(lang, thai_numerals)
    failures = data.failures[:MAX_FAILURES_SHOWN]
    used = sorted({a for h in data.compliance for a in h.audits}, key=lambda a: a.time)
    template = _environment().get_template("report.html.j2")
    return template.render(
        lang=lang,
        s=i18n.strings(lang),
        status_label=lambda st: i18n.status_label(lang, st),
        work=lambda actions: _works(actions, lang),
        kind=lambda k: failure_kind(k, lang),
        statuses=STATUS_ORDER,
        data=data,
        failures=failures,
        failures_hidden=len(data.failures) - len(failures),
        max_hosts_named=MAX_HOSTS_NAMED,
        audits=[(i + 1, a, _audit_line(a, data, fmt)) for i, a in enumerate(used)],
        audit_number={a: i + 1 for i, a in enumerate(used)},
        conclusion=_conclusion(data, fmt),
        fleet_delta=_delta(data.scores.fleet_trend) if data.scores else None,
        multiple_packs=len({h.pack for h in data.compliance}) > 1,
        show_runs=0 < len(data.runs) <= MAX_RUNS_SHOWN,
        fmt=fmt,
        spark=sparkline_svg,
        font_family=font.family,
        font_regular=Markup(font.src(font.regular, embed_font)),
        font_bold=Markup(font.src(font.bold, embed_font)) if font.bold else None,
    )


def write_html(
    data: ReportData, path: str | os.PathLike[str], lang: str = "th", **kw: object
) -> Path:
    """Write the HTML report to ``path`` (UTF-8); return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(data, lang, **kw), encoding="utf-8")  # type: ignore[arg-type]
    return target


def write_report(
    data: ReportData,
    out_base: str | os.PathLike[str],
    lang: str = "th",
    formats: Iterable[str] = ("html", "pdf"),
) -> list[Path]:
    """Write ``<out_base>.html`` and/or ``<out_base>.pdf``; return the files written.

    The PDF is printed from the HTML file, which is kept (it is the PDF's source).
    """
    base = Path(out_base)
    wanted = set(formats)
    unknown = wanted - {"html", "pdf"}
    if unknown:
        raise ValueError(f"unknown report format(s) {sorted(unknown)}; use html or pdf")
    html = write_html(data, base.with_suffix(".html"), lang)
    written = [html] if "html" in wanted else []
    if "pdf" in wanted:
        written.append(render_pdf(html, base.with_suffix(".pdf")))
        if "html" not in wanted:
            html.unlink()
    return written
