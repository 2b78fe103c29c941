"""Mask secrets in the short summaries written to the audit trail.

Three layers, because a summary can quote a config line, a command or an error:
the platform's secret patterns (ictops/data/platforms.yaml, via ictops.masking),
generic ``password=...``-style assignments, and the known secret values themselves
(resolved passwords, enable secrets), wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ictops.masking import MASK, mask_secrets
from ictops.platforms import Platform

# "password=x", "secret: x", "token x"... in commands and error messages
_GENERIC = re.compile(
    r"(?i)\b(password|passwd|passphrase|secret|token|api[_-]?key|community|psk)"
    r"(\s*[=:]\s*|\s+)(?!<removed>)(\"[^\"]*\"|'[^']*'|\S+)"
)
MAX_SUMMARY = 500  # characters; the trail holds short messages, never outputs or diffs


class Masker:
    """Masks a summary for one host: its platform's rules plus its known secret values."""

    def __init__(self, platform: Platform | str | None = None, secrets: Iterable[str] = ()):
        self.platform = platform
        # longest first, so a secret that contains another is masked whole
        self.secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        text = mask_secrets(text, self.platform)
        # lines the platform rules already masked are left alone ("secret 5 <removed>")
        text = "\n".join(
            line if MASK in line else _GENERIC.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", line)
            for line in text.split("\n")
        )
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def summarise(text: str, masker: Masker | None = None) -> str:
    """One masked line of at most MAX_SUMMARY characters."""
    masked = (masker or Masker())(text or "")
    line = " | ".join(part.strip() for part in masked.splitlines() if part.strip())
    return line if len(line) <= MAX_SUMMARY else line[: MAX_SUMMARY - 1] + "…"
