"""Atomic file writes: a reader (or a crash) never sees half a file."""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

from ictops.errors import IctopsError

TEMP_PREFIX = ".ictops-tmp-"


class UnsafePathError(IctopsError, ValueError):
    """A relative path would lead out of its directory."""


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to a temporary file in the same directory, fsync it, rename it over
    ``path``, then fsync the directory so the rename survives a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def safe_name(name: str) -> str:
    """A name usable as one path component (no slashes, no leading dot).

    Letters, digits and combining marks are kept: Thai vowel and tone marks are category M,
    so ``ภูเขียว`` stays ``ภูเขียว`` (not ``ภ_เข_ยว``).
    """
    cleaned = "".join(c if _kept(c) else "_" for c in name).lstrip(".")
    return cleaned or "_"


def _kept(char: str) -> bool:
    return char.isalnum() or char in "-_." or unicodedata.category(char).startswith("M")


def inside(root: Path, rel: str) -> Path:
    """``root / rel``, refusing any way out of ``root``: ``rel`` must be relative and normal
    (no '.', '..' or empty component) and no directory on the way may be a symbolic link
    (a link planted in the store would redirect a write anywhere)."""
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or any(p in ("", ".", "..") for p in rel.split("/")):
        raise UnsafePathError(f"'{rel}' is not a normal relative path under {root}")
    current = root
    for part in parts[:-1]:
        current = current / part
        if current.is_symlink():
            raise UnsafePathError(
                f"{current} is a symbolic link in the store; remove it (nothing was written)"
            )
    return root / rel
