"""Short, masked summaries for the audit trail.

Masking itself is ``ictops.masking`` (``Masker``: a host's platform patterns, generic
``password=...`` assignments and its known secret values); this module only cuts a summary
to one line of at most MAX_SUMMARY characters.
"""

from __future__ import annotations

from ictops.masking import Masker

__all__ = ["MAX_SUMMARY", "Masker", "summarise"]

MAX_SUMMARY = 500  # characters; the trail holds short messages, never outputs or diffs


def summarise(text: str, masker: Masker | None = None) -> str:
    """One masked line of at most MAX_SUMMARY characters."""
    masked = (masker or Masker())(text or "")
    line = " | ".join(part.strip() for part in masked.splitlines() if part.strip())
    return line if len(line) <= MAX_SUMMARY else line[: MAX_SUMMARY - 1] + "…"
