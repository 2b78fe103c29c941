"""What one playbook run did: per step and batch, the recap, the exit code; and the batching
rules (``serial``, ``max_fail_percentage``) as Ansible has them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ictops.engine.signals import exit_code_for
from ictops.errors import ExitCode
from ictops.inventory.host import Host
from ictops.playbook.model import Playbook, PlayStep, SerialItem
from ictops.results import ActionResult, Status


def batch_sizes(total: int, serial: Sequence[SerialItem]) -> list[int]:
    """Sizes of the batches for ``total`` hosts (Ansible's rules: the last size repeats)."""
    if total <= 0:
        return []
    if not serial:
        return [total]
    sizes: list[int] = []
    left = total
    i = 0
    while left > 0:
        item = serial[min(i, len(serial) - 1)]
        if isinstance(item, str) and item.strip().endswith("%"):
            size = max(1, int(total * int(item.strip()[:-1]) / 100))
        else:
            size = int(item)
        size = min(size, left)
        sizes.append(size)
        left -= size
        i += 1
    return sizes


def batches(hosts: Sequence[Host], serial: Sequence[SerialItem]) -> list[list[Host]]:
    out, start = [], 0
    for size in batch_sizes(len(hosts), serial):
        out.append(list(hosts[start:start + size]))
        start += size
    return out


def exceeds(failed: int, size: int, max_fail_percentage: float | None) -> bool:
    """Did a batch of ``size`` with ``failed`` failures go over the limit? (strictly, like Ansible)"""
    if max_fail_percentage is None or size == 0:
        return False
    return failed * 100.0 / size > max_fail_percentage


def selected(step: PlayStep, tags: Iterable[str], skip_tags: Iterable[str]) -> bool:
    """--tags / --skip-tags: a step tagged 'always' runs unless skipped by name."""
    tags, skip_tags = set(tags), set(skip_tags)
    if skip_tags & set(step.tags):
        return False
    return not tags or bool(tags & set(step.tags)) or "always" in step.tags


def totals_text(totals: dict[str, int]) -> str:
    """'3 ok, 1 changed, 0 failed, 0 unreachable, 2 skipped' (for records and messages)."""
    return ", ".join(f"{totals.get(s.value, 0)} {s.value}" for s in Status)


@dataclass
class StepOutcome:
    step: PlayStep
    results: list[ActionResult]
    batch: int = 0  # 0: not batched (run-level steps, handlers)
    note: str | None = None
    handler: bool = False


@dataclass
class PlaybookRun:
    """Everything one run did, for the recap, JSON and the plan."""

    run_id: str
    playbook: Playbook
    hosts: list[str]
    check: bool
    outcomes: list[StepOutcome] = field(default_factory=list)
    stopped: str | None = None
    dropped: dict[str, str] = field(default_factory=dict)  # host -> why it stopped being run
    interrupted: str | None = None  # "SIGINT"/"SIGTERM": the run was stopped by a signal
    not_started: dict[str, list[str]] = field(default_factory=dict)  # step name -> hosts
    untouched: list[str] = field(default_factory=list)  # hosts of the batches a stop left out
    seconds: float = 0.0
    # the school calendar or the window said no: why nothing was run (unattended runs)
    not_run: str | None = None
    notes: list[str] = field(default_factory=list)  # for the terminal: window, calendar, lock

    @property
    def host_results(self) -> list[ActionResult]:
        return [r for o in self.outcomes if not o.step.run_level for r in o.results]

    def recap(self) -> dict[str, dict[str, int]]:
        """Per host: ok / changed / failed / unreachable / skipped (Ansible's recap)."""
        counts: dict[str, Counter[str]] = {h: Counter() for h in self.hosts}
        for r in self.host_results:
            counts.setdefault(r.host or "", Counter())[r.status.value] += 1
        return {h: {s.value: c.get(s.value, 0) for s in Status} for h, c in counts.items()}

    def totals(self) -> dict[str, int]:
        return {s.value: sum(c[s.value] for c in self.recap().values()) for s in Status}

    @property
    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return exit_code_for(self.interrupted)
        every = [r for o in self.outcomes for r in o.results]
        if self.stopped or any(r.status.is_failure for r in every):
            return ExitCode.FAILED
        return ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "playbook": self.playbook.path,
            "name": self.playbook.name,
            "process": self.playbook.process,
            "check": self.check,
            "stopped": self.stopped,
            "interrupted": self.interrupted,
            "not_started": self.not_started,
            "not_run": self.not_run,
            "notes": self.notes,
            "untouched": self.untouched,
            "seconds": round(self.seconds, 3),
            "steps": [
                {
                    "name": o.step.name, "step": o.step.step, "action": o.step.action,
                    "batch": o.batch, "handler": o.handler, "note": o.note,
                    "results": [r.to_dict() for r in o.results],
                }
                for o in self.outcomes
            ],
            "recap": self.recap(),
            "dropped": self.dropped,
            "exit_code": int(self.exit_code),
        }
