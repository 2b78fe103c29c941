"""The git repository under state/backups: init, crash recovery, and a safe way to call git.

git is run as a subprocess with an argv list (never a shell), with the user's global and
system configuration ignored so their hooks, signing or aliases cannot get in the way.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ictops.errors import IctopsError

log = logging.getLogger("ictops.backup")

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

# Local settings of the backup repository. Why each one:
LOCAL_CONFIG = {
    "user.name": "ictops",
    "user.email": "ictops@localhost",
    "core.fsync": "added",  # fsync objects, refs and the index: a power cut loses no commit
    "core.fsyncMethod": "fsync",
    "gc.auto": "0",  # no background gc to be killed half-way; run `git gc` by hand if wanted
    "core.autocrlf": "false",  # configs are stored byte for byte
    "core.quotePath": "false",  # Thai file names stay readable in listings
    "core.hooksPath": "/dev/null",  # no hook may change or block a backup commit
    "commit.gpgSign": "false",
}

README = (
    "This directory is the configuration backup store of an ictops project.\n"
    "It is written by `ictops backup`; do not edit it by hand.\n"
    "Layout: <site>/<host>/ (switches: running-config.txt, startup-config.txt, meta.json;\n"
    "servers: files/<path>, commands/<name>.txt, meta.json).\n"
    "The stored files keep secrets (a restore needs them): keep this directory private.\n"
)

# Lock files git leaves behind when it is killed; stale once no git process works here.
_LOCK_GLOBS = (
    "index.lock",
    "HEAD.lock",
    "ORIG_HEAD.lock",
    "packed-refs.lock",
    "config.lock",
    "shallow.lock",
    "refs/**/*.lock",
    "logs/**/*.lock",
)


class GitError(IctopsError):
    """A git command failed in the backup repository."""


class Git:
    """git commands in one repository."""

    def __init__(self, path: Path):
        self.path = path
        self.env = dict(os.environ)
        self.env.update(
            {
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_TERMINAL_PROMPT": "0",
                "LC_ALL": "C",
                "GIT_OPTIONAL_LOCKS": "0",  # read-only commands never take index.lock
            }
        )
        for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            self.env.pop(key, None)

    def run(
        self,
        *args: str,
        check: bool = True,
        input: bytes | None = None,
        ok_codes: Sequence[int] = (0,),
    ) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=self.env,
            input=input,
            capture_output=True,
            check=False,
        )
        if check and proc.returncode not in ok_codes:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(
                f"git {args[0]} failed in {self.path} (exit {proc.returncode}): "
                f"{err[-1] if err else 'no message'}"
            )
        return proc

    def text(self, *args: str) -> str:
        return self.run(*args).stdout.decode("utf-8", "replace")

    @property
    def git_dir(self) -> Path:
        return self.path / ".git"

    def has_head(self) -> bool:
        return (
            self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).returncode
            == 0
        )

    def head(self) -> str:
        return self.text("rev-parse", "HEAD").strip()


def ensure_repository(git: Git) -> list[str]:
    """Create the repository (with a first commit holding a README) if needed.

    Idempotent and safe to re-run after a crash half-way through. Returns what it did.
    """
    done: list[str] = []
    git.path.mkdir(parents=True, exist_ok=True)
    os.chmod(git.path, 0o700)  # the stored configs hold secrets
    if not (git.git_dir / "HEAD").exists():
        git.run("init", "-q", "-b", "main")
        done.append(f"created git repository {git.path}")
    for key, value in LOCAL_CONFIG.items():
        current = git.run("config", "--local", "--get", key, check=False).stdout.decode().strip()
        if current != value:
            git.run("config", "--local", key, value)
    if not git.has_head():
        remove_stale_locks(git)
        from ictops.backup.files import write_atomic

        write_atomic(git.path / "README.md", README.encode(), mode=0o644)
        git.run("add", "README.md")
        git.run("commit", "-q", "-m", "ictops backup store created")
        done.append("made the first commit")
    return done


def _git_process_in(repo: Path) -> bool:
    """Whether some git process has its working directory in ``repo`` (Linux /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    repo = repo.resolve()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().strip().startswith("git"):
                continue
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        if cwd == repo or repo in cwd.parents:
            return True
    return False


def remove_stale_locks(git: Git) -> list[str]:
    """Remove lock files a killed git left behind, unless a git process still works here."""
    locks = sorted({p for pattern in _LOCK_GLOBS for p in git.git_dir.glob(pattern)})
    if not locks:
        return []
    if _git_process_in(git.path):
        raise GitError(
            f"a git process is working in {git.path} ({locks[0].name} is held); "
            "wait for it to finish, then run the backup again"
        )
    done = []
    for lock in locks:
        lock.unlink(missing_ok=True)
        done.append(f"removed stale {lock.relative_to(git.path)}")
    return done


def recover(git: Git) -> list[str]:
    """Bring the repository back to its last commit after a crash: stale locks removed,
    half-written or uncommitted files discarded. Returns what it did (empty: all clean)."""
    for line in ensure_repository(git):
        log.info("backup store: %s", line)
    done = remove_stale_locks(git)
    status = git.run("status", "--porcelain", "--untracked-files=all").stdout
    if status.strip():
        count = len(status.splitlines())
        git.run("reset", "-q", "--hard", "HEAD")
        git.run("clean", "-q", "-f", "-d", "-x")
        done.append(f"discarded {count} uncommitted change(s) left by an interrupted run")
    for line in done:
        log.warning("backup store recovery: %s", line)
    return done
