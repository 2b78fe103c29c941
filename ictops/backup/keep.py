"""Keep the version of a server file that ictops is about to replace: committed to the backup
store at once, before the file is replaced (a template or copy step), so nothing is lost.

It lands where the backup keeps that host's files (``<site>/<host>/files/<path>``) in a
commit of its own; ``ictops backup history HOST`` lists it and ``backup restore`` can put it
back. The store's run lock is taken for the moment of the commit, or, when this process
already holds it (a backup step of the same run), shared with that run.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from ictops.backup.files import inside, write_atomic
from ictops.backup.gitrepo import ensure_repository
from ictops.backup.store import BackupLockedError, BackupStore
from ictops.inventory.host import Host

LOCK_WAIT = 30.0  # seconds to wait for another ictops process's backup run to finish
_mutex = threading.Lock()  # one git commit at a time in this process
HELD: set[str] = set()  # lock files this process holds (a backup run in progress)


def keep_previous(store: BackupStore, host: Host, path: str, data: bytes, why: str) -> str:
    """Commit ``data`` as the host's file ``path`` (absolute); the commit's id. Raises
    BackupLockedError when another process holds the store longer than LOCK_WAIT."""
    rel = f"files/{path.lstrip('/')}"
    with _mutex:
        fd = None if str(store.lock_path) in HELD else _lock(store)
        try:
            ensure_repository(store.git)
            target = inside(store.path, f"{store.host_dir(host).relative_to(store.path).as_posix()}/{rel}")
            write_atomic(target, data, mode=0o600)
            name = target.relative_to(store.path).as_posix()
            store.git.run("add", "--", name)
            staged = store.git.run("diff", "--cached", "--quiet", "--", name, check=False,
                                   ok_codes=(0, 1))
            if staged.returncode == 1:
                store.git.run("commit", "-q", "--no-verify", "-m",
                              f"{host.name}: {path} as it was before {why}", "--", name)
            return store.git.head()
        finally:
            if fd is not None:
                os.close(fd)  # closing the descriptor releases the flock


def _lock(store: BackupStore) -> int:
    store.lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(store.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + LOCK_WAIT
    waiter = threading.Event()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise BackupLockedError(
                    f"another backup run holds {store.lock_path}: the previous version of the "
                    "file cannot be kept, so it is not replaced; try again when it is done") from None
            waiter.wait(0.2)
