"""Run one command of the lab's machinery, with a deadline and a one-line error."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from ictops.errors import LabError


def run(
    argv: Sequence[str],
    what: str,
    timeout: float | None = 120,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (stdin closed); LabError naming ``what`` and the last line of its output
    when it fails or outlives ``timeout`` seconds."""
    try:
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LabError(f"{what} did not finish within {timeout:.0f}s") from None
    except FileNotFoundError:
        raise LabError(f"{what} failed: {argv[0]} is not installed") from None
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise LabError(f"{what} failed: {detail[-1] if detail else f'exit {proc.returncode}'}")
    return proc
