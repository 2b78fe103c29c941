"""The machine-wide lab cache, ``/var/cache/ictops-lab``: what every project on the machine shares.

It holds the Debian base root, the lab layer (the signed apt repository and the lab's shims) and
one layer per server profile (its packages installed). Each entry is built once:

- in a temporary directory renamed into place at the end, so a killed build never leaves half
  an entry (the next builder removes what it left);
- under one lock (``.build.lock``), so two builders never race; the second one waits and then
  finds the entry built;
- under a name that carries a digest of its inputs where they can change (package sources,
  the code that builds it), so two ictops versions on one machine (two worktrees) each find
  their own entry and an edited package is rebuilt, never served stale.

Nothing here downloads anything: only the base needs a Debian mirror, once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ictops.errors import LabError
from ictops.lab.mounts import mounts_under, unmount_all_under

CACHE_DIR = Path("/var/cache/ictops-lab")
LOCK_NAME = ".build.lock"
TMP_MARK = ".tmp-"  # in the name of every entry under construction


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` (created if missing); released when the file
    closes, so also when the holder is killed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def build_once(cache: Path, name: str, build: Callable[[Path], None]) -> Path:
    """``cache/name``, built first by ``build(tmp)`` if missing (see the module docstring).

    ``build`` fills the directory it is given, which does not exist yet; it must not call
    ``build_once`` itself (the lock is not re-entrant): resolve what it needs before.
    """
    final = cache / name
    if final.is_dir():
        return final
    if os.geteuid() != 0:
        raise LabError(f"building {final} needs root")
    with locked(cache / LOCK_NAME):
        if final.is_dir():  # another process built it while we waited
            return final
        remove_stale(cache)
        tmp = cache / f".{name}{TMP_MARK}{os.getpid()}"
        try:
            build(tmp)
            os.rename(tmp, final)
        finally:
            remove_tree(tmp)
    return final


def remove_stale(cache: Path) -> None:
    """Remove what killed builds left. Call it holding the build lock: then nobody is building."""
    for stale in cache.glob(f".*{TMP_MARK}*"):
        remove_tree(stale)


def remove_tree(path: Path) -> None:
    """Unmount whatever is mounted at or below ``path``, then delete it.

    Refuses (LabError) when a mount cannot be removed: deleting through a mount would
    reach into whatever is mounted there.
    """
    if not path.exists() and not path.is_symlink():
        return
    unmount_all_under(path)
    if mounts_under(path):
        raise LabError(f"cannot remove {path}: still mounted ({mounts_under(path)[0]})")
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def digest(files: Iterable[tuple[str, bytes]], *extra: str) -> str:
    """A short hex digest of named contents and extra strings (what an entry is built from)."""
    h = hashlib.sha256()
    for name, data in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    for text in extra:
        h.update(b"\1" + text.encode())
    return h.hexdigest()[:12]


def tree_files(top: Path) -> list[tuple[str, bytes]]:
    """(relative path, content) of every file below ``top``, for :func:`digest`."""
    return [
        (str(p.relative_to(top)), p.read_bytes()) for p in sorted(top.rglob("*")) if p.is_file()
    ]


def source_of(*modules: object) -> list[tuple[str, bytes]]:
    """The source text of modules, for :func:`digest`: code that builds an entry is one of
    its inputs."""
    result = []
    for module in modules:
        path = Path(getattr(module, "__file__", "") or "")
        if path.is_file():
            result.append((f"code:{path.name}", path.read_bytes()))
    return result
