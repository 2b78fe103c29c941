"""Helpers for the audit tests: a trail in a temporary state directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ictops.audit.trail import AuditTrail


@pytest.fixture
def trail_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "audit" / "trail.jsonl"


def write_records(path: Path, count: int, key: bytes | None = None, **extra: Any) -> None:
    with AuditTrail(path, key=key, run_id="run-1", operator="root", fsync=False) as trail:
        for i in range(count):
            trail.append(
                action="cmd", status="ok" if i % 3 else "changed", host=f"srv-{i % 4}",
                process=2, step=5, summary=f"record {i}", diff=f"+line {i}\n", duration=0.1, **extra,
            )


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def save(path: Path, content: list[str]) -> None:
    path.write_text("".join(content), encoding="utf-8")


def record(line: str) -> dict[str, Any]:
    return json.loads(line)
