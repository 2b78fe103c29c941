"""Print an HTML report to PDF with headless Chromium (the renderer that gets Thai right here).

Each render runs a fresh Chromium process with its own throw-away profile directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ictops.errors import IctopsError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # required as root; the input is our own local HTML file
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


class PdfError(IctopsError):
    """The PDF could not be produced."""


def find_chromium() -> str:
    """Path of the Chromium binary ($ICTOPS_CHROMIUM first); PdfError says how to install it."""
    explicit = os.environ.get("ICTOPS_CHROMIUM")
    if explicit:
        if shutil.which(explicit):
            return str(shutil.which(explicit))
        raise PdfError(f"ICTOPS_CHROMIUM={explicit} is not an executable; fix or unset it")
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "Chromium is needed to print the report to PDF and was not found; install it with: "
        "apt-get install --no-install-recommends chromium poppler-utils fonts-tlwg-laksaman-ttf "
        "(or use --format html)"
    )


def render_pdf(
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    *,
    chromium: str | None = None,
    timeout: float = 120.0,
) -> Path:
    """Print ``html_path`` (A4, as its @page rules say) to ``pdf_path``; return the PDF path."""
    source = Path(html_path).resolve()
    target = Path(pdf_path).resolve()
    if not source.is_file():
        raise PdfError(f"{source}: no such HTML file to print")
    binary = chromium or find_chromium()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="ictops-chromium-") as profile:
        cmd = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            source.as_uri(),
        ]
        _run(cmd, timeout)
    if not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise PdfError(f"Chromium produced no PDF for {source}; run it by hand to see why")
    partial.replace(target)
    return target


def _run(cmd: list[str], timeout: float) -> None:
    # A session of its own so that a timeout can stop Chromium's helper processes too.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise PdfError(f"Chromium did not finish printing within {timeout:.0f} s") from None
    finally:
        _kill_group(proc)  # leftover helpers, if any
    if proc.returncode != 0:
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise PdfError(f"Chromium failed (exit {proc.returncode}): {last[0]}")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
