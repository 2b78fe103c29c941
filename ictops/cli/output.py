"""How results reach the user: a progress bar on a terminal, a recap table, or JSON."""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ictops.errors import ExitCode
from ictops.results import ActionResult, ErrorKind, Status

STYLE = {
    Status.OK: "green",
    Status.CHANGED: "yellow",
    Status.FAILED: "bold red",
    Status.UNREACHABLE: "bold magenta",
    Status.SKIPPED: "cyan",
}

# Piped output is read by scripts and people in files: do not wrap it at 80 columns.
stdout = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)
stderr = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 200)


@contextmanager
def progress(total: int, label: str, enabled: bool | None = None) -> Iterator[Any]:
    """A listener that advances a progress bar; the bar shows only on a terminal."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show or total == 0:
        yield lambda result: None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    )
    lock = threading.Lock()
    failed = 0
    with bar:
        task = bar.add_task(label, total=total, failed=0)

        def advance(result: ActionResult) -> None:
            nonlocal failed
            with lock:
                failed += result.status.is_failure
                bar.update(task, advance=1, failed=failed)

        yield advance


def totals(results: Iterable[ActionResult]) -> dict[str, int]:
    counts = Counter(r.status for r in results)
    return {s.value: counts.get(s, 0) for s in Status}


def exit_code(results: Sequence[ActionResult]) -> ExitCode:
    return ExitCode.FAILED if any(r.status.is_failure for r in results) else ExitCode.OK


def totals_line(results: Sequence[ActionResult], seconds: float) -> str:
    t = totals(results)
    parts = [f"[{STYLE[s]}]{s.value}={t[s.value]}[/]" for s in Status]
    return f"{len(results)} hosts in {seconds:.1f}s: " + "  ".join(parts)


def recap_table(
    results: Sequence[ActionResult], title: str, show_output: bool = False, width: int = 60
) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("host", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("output" if show_output else "message", overflow="fold", max_width=width)
    for r in results:
        text = r.message
        if show_output and r.status in (Status.OK, Status.CHANGED) and r.output:
            text = r.output.strip()
        kind = f" ({r.error_kind.value})" if r.error_kind and r.status.is_failure else ""
        table.add_row(
            escape(r.host),
            f"[{STYLE[r.status]}]{r.status.value}{kind}[/]",
            f"{r.duration:.2f}s",
            escape(text),
        )
    return table


def print_rollback_failures(results: Iterable[ActionResult]) -> None:
    """After the recap, in bold red, each host a failed change left half-done (rollback_failed):
    nobody should read past it."""
    for r in results:
        if r.error_kind is ErrorKind.ROLLBACK_FAILED:
            stdout.print(f"[bold red]ROLLBACK FAILED: {escape(r.host or '')}[/] may be "
                         f"half-changed; look at it now. {escape(r.message)}")


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
