"""Verdicts, findings, and the conditions rules test values with (the verdict algebra)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from ictops.compliance.expr import MissingValue, to_number
from ictops.compliance.rules import Condition


class Resolver(Protocol):
    """Resolves ``$var`` references (the check context)."""

    def value(self, value: Any) -> Any: ...


class Verdict(str, Enum):
    """The outcome of one rule on one host."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    NA = "n/a"
    ERROR = "error"

    @classmethod
    def of(cls, outcome: str) -> Verdict:
        return cls("n/a" if outcome == "na" else outcome)


# "all": the worst decides (a certain FAIL outweighs an ERROR elsewhere); "any": the best.
WORST_FIRST = [Verdict.FAIL, Verdict.ERROR, Verdict.WARN, Verdict.PASS, Verdict.NA]
BEST_FIRST = [Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.ERROR, Verdict.NA]


@dataclass(frozen=True)
class Finding:
    """What a check found: a verdict, why, and the line that decided it."""

    verdict: Verdict
    message: str
    evidence: str = ""
    where: str = ""  # "running-config:42", "/etc/ssh/sshd_config:12", "sshd_effective"
    sections: tuple[str, ...] = ()  # section lines that failed (remediation templates loop on them)


def combine(findings: list[Finding], mode: str) -> Finding:
    """The finding that decides an all/any group (N/A only when every one is N/A).

    In an ``any`` group whose checks all fail alike, the one that points at a line says more
    than one that found nothing (RouterOS 6 or 7 NTP client: the form the device uses)."""
    if mode == "all":
        return min(findings, key=lambda f: WORST_FIRST.index(f.verdict))
    return min(findings, key=lambda f: (BEST_FIRST.index(f.verdict), not f.evidence))


# --- conditions ---------------------------------------------------------------------------


def test_condition(cond: Condition, names: dict[str, Any], ctx: Resolver) -> tuple[Verdict, str]:
    """PASS, or the verdict of the failed test with a one-line reason."""
    failed = Verdict.of(cond.on_fail)
    try:
        value = cond.value.evaluate(names)
    except MissingValue as exc:
        return Verdict.of(cond.missing), cond.message or f"{exc.name} not found"
    except ValueError as exc:
        return Verdict.ERROR, str(exc)
    label = cond.value.source
    items = [i for i in re.split(r"[\s,]+", str(value)) if i] if cond.split else [value]

    def norm(item: Any) -> str:
        text = str(item).strip().strip('"')
        return text.lower() if cond.ignore_case else text

    def reason(text: str) -> tuple[Verdict, str]:
        return failed, cond.message or f"{label} = {value!r}: {text}"

    if cond.equals is not None and norm(value) != norm(ctx.value(cond.equals)):
        return reason(f"expected {ctx.value(cond.equals)!r}")
    if cond.not_equals is not None and norm(value) == norm(ctx.value(cond.not_equals)):
        return reason(f"must not be {ctx.value(cond.not_equals)!r}")
    if cond.in_ is not None:
        allowed = {norm(a) for a in ctx.value(cond.in_) or []}
        if not any(norm(item) in allowed for item in items):
            return reason(f"not one of {sorted(allowed)}")
    if cond.not_in is not None:
        banned = {norm(a) for a in ctx.value(cond.not_in) or []}
        bad = [item for item in items if norm(item) in banned]
        if bad:
            return reason(f"{bad[0]!r} is not allowed")
    if cond.matches is not None and not any(cond.matches.search(str(item)) for item in items):
        return reason(f"does not match {cond.matches.pattern!r}")
    if cond.not_matches is not None:
        bad = [item for item in items if cond.not_matches.search(str(item))]
        if bad:
            return reason(f"{bad[0]!r} matches {cond.not_matches.pattern!r}")
    if cond.min is not None or cond.max is not None:
        number = to_number(value, label)
        if cond.zero_is_unlimited and number == 0:
            number = math.inf
        if cond.min is not None and number < to_number(ctx.value(cond.min), str(cond.min)):
            return reason(f"below the minimum {ctx.value(cond.min)}")
        if cond.max is not None and number > to_number(ctx.value(cond.max), str(cond.max)):
            shown = "unlimited" if number == math.inf else f"{number:g}"
            return reason(f"{shown} is above the maximum {ctx.value(cond.max)}")
    return Verdict.PASS, ""


def first_failure(
    conds: list[Condition], names: dict[str, Any], ctx: Resolver
) -> tuple[Verdict, str]:
    worst: tuple[Verdict, str] = (Verdict.PASS, "")
    for cond in conds:
        verdict, text = test_condition(cond, names, ctx)
        if WORST_FIRST.index(verdict) < WORST_FIRST.index(worst[0]):
            worst = (verdict, text)
    return worst
