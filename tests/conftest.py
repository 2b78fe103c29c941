"""Shared test helpers: where the repository is. Test data lives in tests/fixtures (no test reads
outside the repository)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
