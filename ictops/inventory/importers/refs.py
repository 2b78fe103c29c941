"""Secrets found in a source become references; the value is dropped on the spot.

An imported password is never written anywhere: in its place the inventory gets
``{file: state/secrets/<where>}`` (a file the officer creates, mode 0600; state/ is not in git)
or ``{env: ICTOPS_<WHERE>}``, one per place the secret was written, and the officer gets the
list of references to fill.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ictops.inventory.importers.draft import Draft, KeyPath, SecretToFill, Spot

SECRETS_DIR = "state/secrets"
STYLES = ("file", "env")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _slug(text: str) -> str:
    safe = _UNSAFE.sub("_", text).strip("_.") or "x"
    if safe != text:  # keep names that differ only in dropped characters apart
        safe += "-" + hashlib.sha256(text.encode()).hexdigest()[:6]
    return safe


class SecretRefs:
    """Makes the reference for each secret and records it in the draft's to-fill list."""

    def __init__(self, draft: Draft, style: str = "file"):
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}")
        self.draft = draft
        self.style = style

    def reference(self, section: str, entry: str, path: KeyPath, spot: Spot) -> dict[str, Any]:
        """The reference to write instead of the secret at ``path`` of an entry."""
        kind = {"hosts": "host", "groups": "group"}.get(section, "defaults")
        parts = [kind, entry, *[str(p) for p in path if p != "connection_options"]]
        name = "-".join(_slug(p) for p in parts if p)
        if self.style == "file":
            ref = {"file": f"{SECRETS_DIR}/{name}"}
        else:
            ref = {"env": "ICTOPS_" + re.sub(r"[^A-Z0-9_]", "_", name.upper())}
        self.draft.secrets.append(SecretToFill(ref, section, entry, tuple(path), spot))
        return ref
