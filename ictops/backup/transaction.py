"""One backup run against the store: stage each host's files, then one commit for the run.

Hosts are staged from several threads at once; each writes only its own directory, with
atomic file writes, so a crash leaves whole files or none (and recovery at the next run
discards whatever was not committed).
"""

from __future__ import annotations

import difflib
import json
import logging
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ictops import clock
from ictops.backup import guards
from ictops.backup.files import TEMP_PREFIX, inside, write_atomic
from ictops.backup.gitrepo import Git
from ictops.backup.normalize import line_changes
from ictops.masking import mask_diff

if TYPE_CHECKING:
    from ictops.backup.store import BackupStore, HostRef

log = logging.getLogger("ictops.backup")

META = "meta.json"
# meta.json keys that change every run without the configuration changing.
VOLATILE_META = frozenset({"taken_at", "run_id"})


@dataclass(frozen=True)
class StageResult:
    """What staging one host's backup did."""

    host: str
    new: bool  # first backup of this host
    changed: bool  # differs from the last commit (always True when new)
    files: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # rel path -> (+, -)
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    diff: str = ""  # masked unified diff

    def summary(self) -> str:
        """One line: 'running-config.txt +2 -1; files/etc/hosts new' or 'unchanged'."""
        if not self.changed:
            return "unchanged"
        if self.new:
            return f"new backup ({len(self.added)} file(s))"
        parts = [f"{_short(name)}: +{a} -{r} lines" for name, (a, r) in sorted(self.files.items())]
        parts += [f"{name} new" for name in self.added]
        parts += [f"{name} gone" for name in self.removed]
        return "; ".join(parts) or "metadata changed"


def _read_tree(directory: Path) -> dict[str, bytes]:
    if not directory.is_dir():
        return {}
    result: dict[str, bytes] = {}
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink() and not path.name.startswith(TEMP_PREFIX):
            result[path.relative_to(directory).as_posix()] = path.read_bytes()
    return result


def _stable_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if k not in VOLATILE_META}


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


class Transaction:
    """A backup run in progress. Use ``with store.begin_run(...) as txn`` and call ``commit``."""

    def __init__(
        self,
        store: BackupStore,
        git: Git,
        run_id: str,
        operator: str,
        lock_fd: int,
        recovered: list[str],
    ):
        self.store = store
        self.git = git
        self.run_id = run_id
        self.operator = operator
        self.recovered = recovered  # what recovery did at the start of this run
        self._lock_fd: int | None = lock_fd
        self._mutex = threading.Lock()
        self._results: dict[str, StageResult] = {}
        self._seen: dict[str, dict[str, Any]] = {}
        self._moved: list[str] = []  # hosts whose directory got its new name (safe_name)
        self.committed: str | None = None

    # -- reading the last good backup -------------------------------------------------
    def host_dir(self, host: HostRef) -> Path:
        return self.store.host_dir(host)

    def previous(self, host: HostRef, relpath: str) -> str | None:
        """The last committed content of one of the host's files (the tree is at HEAD)."""
        path = self.host_dir(host) / relpath
        return path.read_text("utf-8", "replace") if path.is_file() else None

    # -- comparing and staging --------------------------------------------------------
    def compare(
        self,
        host: HostRef,
        files: Mapping[str, bytes],
        meta: Mapping[str, Any],
        *,
        volatile: Collection[str] = (),
        platform: str | None = None,
    ) -> StageResult:
        """What staging ``files`` and ``meta`` would change, against the last commit; writes
        nothing (except moving a directory named by the old rule, which ``abort`` undoes).

        Files listed in ``volatile`` (uptime and the like) do not count as a change. The host
        counts as seen (backed up successfully) in the run's status.
        """
        name = host if isinstance(host, str) else host.name
        self._check_open()
        if not isinstance(host, str) and self.store.adopt_legacy_dir(host):
            with self._mutex:
                self._moved.append(name)
        directory = self.host_dir(host)
        old_files = _read_tree(directory)
        old_meta_raw = old_files.pop(META, None)
        old_meta = json.loads(old_meta_raw) if old_meta_raw else None
        new_files = {k: bytes(v) for k, v in files.items() if k != META}

        def stable(tree: Mapping[str, bytes]) -> dict[str, bytes]:
            return {k: v for k, v in tree.items() if k not in volatile}

        new = old_meta is None
        same = (
            not new
            and stable(old_files) == stable(new_files)
            and _stable_meta(old_meta or {}) == _stable_meta(meta)
        )
        if same:
            result = StageResult(host=name, new=False, changed=False)
        else:
            result = _changes(name, old_files, new_files, new, volatile, platform)
        self._note_seen(name, directory, meta, result)
        return result

    def stage(
        self,
        host: HostRef,
        files: Mapping[str, bytes],
        meta: Mapping[str, Any],
        *,
        volatile: Collection[str] = (),
        platform: str | None = None,
        compared: StageResult | None = None,
    ) -> StageResult:
        """Replace the host's backup with ``files`` (relative path -> bytes) and ``meta``;
        nothing is written when it is the same as in the last commit (see ``compare``;
        ``compared``: what ``compare`` said of these files in this run, not asked again)."""
        result = compared or self.compare(host, files, meta, volatile=volatile, platform=platform)
        if result.changed:
            directory = self.host_dir(host)
            old_files = _read_tree(directory)
            old_files.pop(META, None)
            self._write(directory, old_files, {k: bytes(v) for k, v in files.items() if k != META},
                        meta)
            with self._mutex:
                self._results[result.host] = result
        return result

    def _note_seen(self, name: str, directory: Path, meta: Mapping[str, Any],
                   result: StageResult) -> None:
        with self._mutex:
            if not result.changed:
                self._results[name] = result
            self._seen[name] = {
                "host": name,
                "dir": directory.relative_to(self.store.path).as_posix(),
                "platform": meta.get("platform"),
                "taken_at": meta.get("taken_at"),
                "run_id": self.run_id,
                "running_equals_startup": meta.get("running_equals_startup"),
                "changed": result.changed,
            }

    def _write(self, directory: Path, old: dict[str, bytes], new_files: dict[str, bytes],
               meta: Mapping[str, Any]) -> None:
        # Every target is checked before the first write: a refused path leaves the host's
        # directory as it was.
        host_rel = directory.relative_to(self.store.path).as_posix()
        targets = {
            rel: inside(self.store.path, f"{host_rel}/{rel}")
            for rel in sorted(set(old) | set(new_files) | {META})
        }
        for rel, data in sorted(new_files.items()):
            if old.get(rel) != data:
                write_atomic(targets[rel], data, mode=0o600)
        for rel in sorted(set(old) - set(new_files)):
            targets[rel].unlink(missing_ok=True)
        meta_bytes = (
            json.dumps(dict(meta), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode()
        write_atomic(targets[META], meta_bytes, mode=0o600)
        _remove_empty_dirs(directory)

    def quarantine(self, host: HostRef, what: str, content: str, reason: str) -> Path:
        """Keep a refused capture aside in the quarantine directory, with its reason."""
        name = host if isinstance(host, str) else host.name
        return guards.quarantine(self.store.quarantine_dir, name, what, content, reason)

    def note_failure(self, host: HostRef, reason: str) -> None:
        """Record that the host's backup failed this run (kept in the status file)."""
        name = host if isinstance(host, str) else host.name
        with self._mutex:
            self._seen.setdefault(name, {"host": name})["failed"] = reason

    @property
    def results(self) -> dict[str, StageResult]:
        with self._mutex:
            return dict(self._results)

    # -- ending the run ---------------------------------------------------------------
    def message(self, note: str | None = None) -> str:
        """The commit message: the run, the operator and what changed."""
        results = self.results
        changed = sorted(n for n, r in results.items() if r.changed and not r.new)
        new = sorted(n for n, r in results.items() if r.new)
        parts = []
        if changed:
            parts.append(f"{len(changed)} changed ({_names(changed)})")
        if new:
            parts.append(f"{len(new)} new ({_names(new)})")
        subject = f"backup run {self.run_id} by {self.operator}: {', '.join(parts) or 'no change'}"
        body = [f"{n}: {results[n].summary()}" for n in changed + new]
        body += [f"{n}: backup directory renamed (Thai marks kept)" for n in sorted(self._moved)]
        text = subject + ("\n\n" + "\n".join(body) if body else "")
        if note:
            text += "\n\n" + note
        return text + "\n"

    def commit(self, note: str | None = None) -> str | None:
        """Commit the run's changes (one commit) and release the run lock.

        Returns the new revision, or None when nothing changed (no commit is made).
        """
        self._check_open()
        try:
            rev = self._commit_staged(note)
            self.committed = rev
            self.store._write_status(self._seen, clock.now())
            return rev
        finally:
            self._release()

    def checkpoint(self, note: str | None = None) -> str | None:
        """Commit what is staged so far and keep the run lock: for a change that must have its
        backup committed before it goes on (switch_config's pre-change config). Returns the
        new revision, or None when nothing was staged; ``commit`` ends the run as usual."""
        self._check_open()
        return self._commit_staged(note)

    def _commit_staged(self, note: str | None) -> str | None:
        rev = None
        if self._moved or any(r.changed for r in self.results.values()):
            self.git.run("add", "-A", "--", ".")
            staged = self.git.run("diff", "--cached", "--quiet", check=False, ok_codes=(0, 1))
            if staged.returncode == 1:
                self.store.set_phase(self._lock_fd, self.run_id, "committing")  # type: ignore[arg-type]
                self.git.run(
                    "commit", "-q", "--no-verify", "-F", "-", input=self.message(note).encode()
                )
                rev = self.git.head()
                self.store.set_phase(self._lock_fd, self.run_id, "committed")  # type: ignore[arg-type]
                log.info("backup run %s committed %s", self.run_id, rev[:12])
        with self._mutex:  # what is committed is not in the next commit's message
            self._results = {n: r for n, r in self._results.items() if not r.changed}
            self._moved.clear()
        return rev

    def abort(self) -> None:
        """Discard what this run wrote and release the run lock."""
        if self._lock_fd is None:
            return
        try:
            self.git.run("reset", "-q", "--hard", "HEAD", check=False)
            self.git.run("clean", "-q", "-f", "-d", "-x", check=False)
        finally:
            self._release()

    def _check_open(self) -> None:
        if self._lock_fd is None:
            raise RuntimeError("this backup run is already committed or aborted")

    def _release(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            self.store._unlock(fd)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock_fd is not None:
            if exc[0] is None:
                log.warning(
                    "backup run %s ended without commit: its changes are discarded", self.run_id
                )
            self.abort()


def _changes(
    name: str,
    old: Mapping[str, bytes],
    new_files: Mapping[str, bytes],
    new: bool,
    volatile: Collection[str],
    platform: str | None,
) -> StageResult:
    """The StageResult of replacing ``old`` by ``new_files``: line counts and a masked diff."""
    changes: dict[str, tuple[int, int]] = {}
    diff_parts: list[str] = []
    for rel in sorted(set(old) | set(new_files)):
        if rel in volatile or old.get(rel) == new_files.get(rel):
            continue
        a, b = _text(old.get(rel)), _text(new_files.get(rel))
        if rel in old and rel in new_files:
            changes[rel] = line_changes(a, b)
        diff_parts.extend(
            difflib.unified_diff(
                a.splitlines(),
                b.splitlines(),
                fromfile=f"a/{rel}" if rel in old else "/dev/null",
                tofile=f"b/{rel}" if rel in new_files else "/dev/null",
                lineterm="",
            )
        )
    return StageResult(
        host=name,
        new=new,
        changed=True,
        files=changes,
        added=tuple(sorted(set(new_files) - set(old))),
        removed=tuple(sorted(set(old) - set(new_files))),
        diff=mask_diff("\n".join(diff_parts) + "\n", platform) if diff_parts else "",
    )


def _short(name: str) -> str:
    return name.removesuffix(".txt")


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", +{len(names) - limit} more" if len(names) > limit else "")


def _remove_empty_dirs(directory: Path) -> None:
    for path in sorted(directory.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
