"""The configuration backup store: a git repository, one directory per host, grouped by site.

Layout (the shared contract): ``<site or _nosite>/<host>/`` holding, for switches,
``running-config.txt``, ``startup-config.txt`` and ``meta.json``; for servers,
``files/<absolute path without the leading slash>``, ``commands/<name>.txt`` and ``meta.json``.
Stored files keep secrets (a restore needs them); everything this module returns for display
is masked unless the caller asks for raw text.

Beside the repository: ``<store>.lock`` (one run at a time, flock) and ``<store>.status.json``
(when each host was last backed up successfully, changed or not).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ictops.backup.files import safe_name, write_atomic
from ictops.backup.gitrepo import EMPTY_TREE, Git, recover
from ictops.backup.transaction import META, Transaction
from ictops.errors import IctopsError, InputError
from ictops.inventory.host import Host
from ictops.masking import mask_diff, mask_secrets

HostRef = Host | str
NO_SITE = "_nosite"


class BackupLockedError(IctopsError):
    """Another backup run holds the store."""


@dataclass(frozen=True)
class Commit:
    """One revision of the store that touched a host."""

    rev: str
    date: str  # ISO 8601 with offset
    message: str  # the subject line


class BackupStore:
    """The git-backed backup store at ``path`` (normally ``Project.backups_dir``)."""

    def __init__(self, path: Path, quarantine_dir: Path | None = None):
        self.path = Path(path)
        self.quarantine_dir = quarantine_dir or self.path.parent / "quarantine"
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.status_path = self.path.with_name(self.path.name + ".status.json")
        self.git = Git(self.path)

    # -- runs -------------------------------------------------------------------------
    def begin_run(self, run_id: str, operator: str) -> Transaction:
        """Start a backup run: take the run lock, recover from any crash, return the
        transaction. Raises BackupLockedError when another run holds the store.

        ``Transaction.recovered`` says what recovery did, naming the run that was stopped
        and its hosts whose staged backups were discarded (they were never stored)."""
        fd, left = self._lock(run_id)
        try:
            staged = self._uncommitted_hosts()
            recovered = _explain(left, staged, recover(self.git), self._head_subject())
        except BaseException:
            self._unlock(fd)
            raise
        return Transaction(self, self.git, run_id, operator, fd, recovered)

    def _lock(self, run_id: str) -> tuple[int, str]:
        """The run lock's descriptor, and what a run that did not release it left there."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 400, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise BackupLockedError(
                f"another backup run holds {self.lock_path} ({holder}); "
                "wait for it to finish and try again"
            ) from None
        left = os.pread(fd, 400, 0).decode("utf-8", "replace").strip()
        self.set_phase(fd, run_id, "staging")
        from ictops.backup.keep import HELD

        HELD.add(str(self.lock_path))  # a file kept before replacing it shares this run's lock
        return fd, left

    @staticmethod
    def set_phase(fd: int, run_id: str, phase: str) -> None:
        """Say in the lock file how far the run holding it got (read after a crash)."""
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, run {run_id}, {phase}".encode(), 0)

    def _uncommitted_hosts(self) -> list[str]:
        if not (self.path / ".git").exists():
            return []
        out = self.git.run("status", "--porcelain", "--untracked-files=all", check=False).stdout
        hosts = set()
        for line in out.decode("utf-8", "replace").splitlines():
            parts = line[3:].strip('"').split("/")
            if len(parts) >= 3:
                hosts.add(parts[1])
        return sorted(hosts)

    def _head_subject(self) -> str:
        if not (self.path / ".git").exists():
            return ""
        proc = self.git.run("log", "-1", "--format=%H %s", check=False)
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""

    def _unlock(self, fd: int) -> None:
        from ictops.backup.keep import HELD

        HELD.discard(str(self.lock_path))
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _write_status(self, seen: dict[str, dict[str, Any]], now: datetime) -> None:
        status = self.status()
        for name, entry in seen.items():
            previous = status.get(name, {})
            if "failed" in entry:
                status[name] = {
                    **previous,
                    "host": name,
                    "last_failure": entry["failed"],
                    "last_failure_at": _iso(now),
                }
            else:
                status[name] = {**entry, "last_seen": _iso(now)}
        data = json.dumps(status, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(self.status_path, data.encode(), mode=0o600)

    # -- reading ----------------------------------------------------------------------
    def status(self) -> dict[str, dict[str, Any]]:
        """Per host: last successful backup (taken_at as last seen), last failure."""
        try:
            return dict(json.loads(self.status_path.read_text("utf-8")))
        except (OSError, ValueError):
            return {}

    def freshness(self) -> list[dict[str, Any]]:
        """For the director's report: [{host, taken_at, running_equals_startup}]."""
        return [
            {
                "host": name,
                "taken_at": entry.get("last_seen"),
                "running_equals_startup": entry.get("running_equals_startup"),
            }
            for name, entry in sorted(self.status().items())
        ]

    def host_dir(self, host: HostRef) -> Path:
        """The host's directory in the working tree (it may not exist yet)."""
        if isinstance(host, Host):
            return host_backup_dir(self.path, host)
        found = sorted(self.path.glob(f"*/{safe_name(host)}/{META}"))
        if found:
            return found[0].parent
        raise InputError(
            f"no backup of host '{host}' in {self.path}; run `ictops backup -l {host}` first"
        )

    def adopt_legacy_dir(self, host: Host) -> bool:
        """Move a directory named by the old rule (Thai marks replaced by '_') to its name now;
        True when it moved. Called while staging, under the run lock: the move is committed
        with the run."""
        target = host_backup_dir(self.path, host)
        old = self.path / _legacy_name(host.site or NO_SITE) / _legacy_name(host.name)
        if old == target or target.exists() or not (old / META).is_file():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old, target)
        if not any(old.parent.iterdir()):
            old.parent.rmdir()
        return True

    def _rel(self, host: HostRef) -> str:
        return self.host_dir(host).relative_to(self.path).as_posix()

    def meta(self, host: HostRef, rev: str | None = None) -> dict[str, Any]:
        """The host's meta.json at ``rev`` (default: the last commit); {} when absent."""
        try:
            raw = self._blob(f"{self.resolve(rev)}:{self._rel(host)}/{META}")
        except InputError:
            return {}
        return dict(json.loads(raw))

    def _platform(self, host: HostRef, rev: str | None = None) -> str | None:
        if isinstance(host, Host):
            return host.platform_name
        return self.meta(host, rev).get("platform")

    def history(self, host: HostRef) -> list[Commit]:
        """Commits that changed the host's backup, newest first."""
        out = self.git.text("log", "--format=%H%x1f%aI%x1f%s", "--", self._rel(host))
        commits = []
        for line in out.splitlines():
            rev, date, subject = line.split("\x1f", 2)
            commits.append(Commit(rev, date, subject))
        return commits

    def latest(self, host: HostRef) -> Commit | None:
        history = self.history(host)
        return history[0] if history else None

    def diff(
        self,
        host: HostRef,
        rev_a: str | None = None,
        rev_b: str | None = None,
        *,
        masked: bool = True,
        include_meta: bool = False,
    ) -> str:
        """Unified diff of the host's backup between two revisions.

        Default: the host's last change (its last commit against the one before). With only
        ``rev_a``: from ``rev_a`` to the last commit. Secrets are masked unless masked=False;
        meta.json (run id, capture time) is left out unless include_meta=True.
        """
        if rev_a is None:
            history = self.history(host)
            if not history:
                raise InputError(f"host '{_name(host)}' has no backup history yet")
            rev_b = rev_b or history[0].rev
            rev_a = history[1].rev if len(history) > 1 else EMPTY_TREE
        old = rev_a if rev_a == EMPTY_TREE else self.resolve(rev_a)
        new = self.resolve(rev_b)
        rel = self._rel(host)
        specs = [rel] if include_meta else [rel, f":(exclude){rel}/{META}"]
        text = self.git.text("diff", "--no-color", "--no-ext-diff", old, new, "--", *specs)
        return mask_diff(text, self._platform(host, new)) if masked else text

    def show(
        self, host: HostRef, rev: str | None = None, file: str | None = None, *, masked: bool = True
    ) -> str:
        """One stored file of the host at ``rev`` (default: the last commit).

        ``file``: "running-config.txt" (switch default), "startup-config.txt", "meta.json",
        "commands/packages.txt", or a server path such as "/etc/ssh/sshd_config". For a server
        without ``file``: the list of stored files.
        """
        commit = self.resolve(rev)
        rel = self._rel(host)
        if file is None:
            platform = self._platform(host, commit)
            if platform and _is_switch(platform):
                file = "running-config.txt"
            else:
                return "\n".join(self.list_files(host, commit)) + "\n"
        path = "files/" + file.lstrip("/") if file.startswith("/") else file
        text = self._blob(f"{commit}:{rel}/{path}").decode("utf-8", "replace")
        return mask_secrets(text, self._platform(host, commit)) if masked else text

    def list_files(self, host: HostRef, rev: str | None = None) -> list[str]:
        """Relative paths of the host's stored files at ``rev``."""
        rel = self._rel(host)
        out = self.git.run(
            "ls-tree", "-r", "-z", "--name-only", self.resolve(rev), "--", rel
        ).stdout
        return [p.decode()[len(rel) + 1 :] for p in out.split(b"\0") if p]

    def files_at(self, host: HostRef, rev: str | None = None, prefix: str = "") -> dict[str, bytes]:
        """Raw content of the host's stored files at ``rev`` whose path starts with ``prefix``."""
        commit = self.resolve(rev)
        rel = self._rel(host)
        return {
            path: self._blob(f"{commit}:{rel}/{path}")
            for path in self.list_files(host, commit)
            if path.startswith(prefix)
        }

    def _blob(self, spec: str) -> bytes:
        proc = self.git.run("show", spec, check=False)
        if proc.returncode != 0:
            raise InputError(
                f"{spec.split(':', 1)[1]} is not in revision {spec[:12]} of the backups"
            )
        return proc.stdout

    def resolve(self, rev: str | None) -> str:
        """A full commit id for ``rev`` (default HEAD); InputError when unknown."""
        rev = rev or "HEAD"
        if rev.startswith("-"):
            raise InputError(f"'{rev}' is not a revision")
        proc = self.git.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        if proc.returncode != 0:
            raise InputError(
                f"unknown backup revision '{rev}'; see `ictops backup history HOST` for revisions"
            )
        return proc.stdout.decode().strip()


_LEFT = re.compile(r"^pid \d+, run (\S+?)(?:, (staging|committing|committed))?$")


def _explain(left: str, staged: list[str], done: list[str], head: str) -> list[str]:
    """What recovery did, in words that name the stopped run and its hosts."""
    found = _LEFT.match(left)
    if not found:
        return done
    run = found.group(1)
    rev, _, subject = head.partition(" ")
    if subject.startswith(f"backup run {run} "):
        return [f"run {run} committed {rev[:12]} but was stopped before it recorded its "
                "hosts as stored; the backups are in that commit", *done]
    rest = [line for line in done if "uncommitted change" not in line]
    if not staged:
        return [f"run {run} was stopped before its commit; it had staged nothing", *rest]
    return [f"run {run} was stopped before its commit: the staged backups of "
            f"{', '.join(staged)} were discarded (never stored)", *rest]


def host_backup_dir(backups_dir: Path, host: Host) -> Path:
    """``<backups>/<site or _nosite>/<host>/``: the one function that names a host's backup
    directory (the store writes there, the audit and the report read there)."""
    return Path(backups_dir) / safe_name(host.site or NO_SITE) / safe_name(host.name)


def _legacy_name(name: str) -> str:
    """safe_name() before it kept combining marks (ภูเขียว -> ภ_เข_ยว)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).lstrip(".") or "_"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _name(host: HostRef) -> str:
    return host if isinstance(host, str) else host.name


def _is_switch(platform: str) -> bool:
    from ictops.platforms import platforms

    known = platforms().get(platform)
    return bool(known and known.is_switch)
