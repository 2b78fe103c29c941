"""The director's report (step 6 of the work manual): Thai/English HTML and PDF."""

from __future__ import annotations

from ictops.report.fonts import FontMissingError, find_thai_font
from ictops.report.model import (
    BackupFreshness,
    Failure,
    FailureGroup,
    PendingPatches,
    ReportData,
    RunSummary,
    Signer,
    StatusCounts,
    StepSummary,
)
from ictops.report.pdf import PdfError, find_chromium, render_pdf
from ictops.report.render import render_html, write_html, write_report

__all__ = [
    "BackupFreshness",
    "Failure",
    "FailureGroup",
    "FontMissingError",
    "PdfError",
    "PendingPatches",
    "ReportData",
    "RunSummary",
    "Signer",
    "StatusCounts",
    "StepSummary",
    "find_chromium",
    "find_thai_font",
    "render_html",
    "render_pdf",
    "write_html",
    "write_report",
]
