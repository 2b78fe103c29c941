"""Find the Thai font the report embeds (Laksaman TTF from fonts-tlwg-laksaman-ttf).

The TTF is loaded explicitly with @font-face: an unknown family silently falls back,
and with the OTF installed too Chromium embeds Type 3 fonts.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ictops.errors import IctopsError

FAMILY = "Laksaman"
_KNOWN_DIRS = (Path("/usr/share/fonts/truetype/tlwg"), Path("/usr/local/share/fonts"))


class FontMissingError(IctopsError):
    """The Thai font for the report is not installed."""


@dataclass(frozen=True)
class ThaiFont:
    """The regular and bold TTF files of the report font."""

    family: str
    regular: Path
    bold: Path | None

    def src(self, path: Path, embed: bool) -> str:
        """A CSS ``src`` value: a file URL, or the font inlined as a data URL."""
        if embed:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return f"url(data:font/ttf;base64,{data}) format('truetype')"
        return f"url('{path.resolve().as_uri()}') format('truetype')"


def _fc_list(family: str) -> dict[str, Path]:
    """Style name -> TTF path, from fontconfig."""
    if not shutil.which("fc-list"):
        return {}
    try:
        out = subprocess.run(
            ["fc-list", f":family={family}", "file", "style"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    styles: dict[str, Path] = {}
    for line in out.splitlines():
        path, _, style = line.partition(":")
        if not path.lower().endswith(".ttf"):
            continue
        style = style.strip().removeprefix("style=").split(",")[0]
        styles.setdefault(style, Path(path.strip()))
    return styles


def find_thai_font(family: str = FAMILY) -> ThaiFont:
    """The installed TTF files of ``family``; FontMissingError says how to install them."""
    styles = _fc_list(family)
    if "Regular" not in styles:
        for folder in _KNOWN_DIRS:
            if (folder / f"{family}.ttf").is_file():
                styles["Regular"] = folder / f"{family}.ttf"
                bold = folder / f"{family}-Bold.ttf"
                if bold.is_file():
                    styles["Bold"] = bold
                break
    if "Regular" not in styles:
        raise FontMissingError(
            f"Thai font {family} (TTF) is not installed; "
            "install it with: apt-get install --no-install-recommends fonts-tlwg-laksaman-ttf"
        )
    return ThaiFont(family=family, regular=styles["Regular"], bold=styles.get("Bold"))
