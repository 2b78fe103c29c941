"""Helpers for connection tests: a call that must return (or fail) within a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from ictops.connections.base import SessionError

T = TypeVar("T")


def within(seconds: float, call: Callable[[], T]) -> tuple[T, float]:
    """``call()`` in a thread, and how long it took; the test fails if it has not returned
    after ``seconds`` (a hang is reported, not waited out: the stuck thread is left behind
    as a daemon)."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the test thread below
            box["error"] = exc

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    took = time.monotonic() - started
    if worker.is_alive():
        pytest.fail(f"still blocked after {seconds:g}s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"], took  # type: ignore[return-value]


def fails_within(seconds: float, call: Callable[[], object]) -> tuple[SessionError, float]:
    """The SessionError ``call()`` raises within ``seconds``, and how long it took."""

    def attempt() -> SessionError:
        with pytest.raises(SessionError) as caught:
            call()
        return caught.value

    return within(seconds, attempt)
