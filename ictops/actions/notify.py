"""Send the run's summary to those concerned (run-level: once per run, on no host).

Work manual step 4; the channels are inventory/notify.yaml's (none: nothing is sent).
"""

from __future__ import annotations

from typing import Any, Literal

from ictops.actions.base import RunInfo, run_result
from ictops.results import ActionResult, ErrorKind, Status
from ictops.validation import StrictModel


class Args(StrictModel):
    only_on: Literal["always", "failure", "change"] = "always"


def run_summary(info: RunInfo) -> dict[str, Any]:
    """The run as the notification and report modules take it."""
    counts = {s.value: 0 for s in Status}
    for r in info.results:
        counts[r.status.value] += 1
    failures = [
        {"host": r.host, "action": r.action, "status": r.status.value, "reason": r.message,
         "kind": r.error_kind.value if r.error_kind else None}
        for r in info.results if r.status.is_failure
    ]
    if info.stopped:
        failures.append({"host": "-", "action": "run", "status": "failed", "reason": info.stopped})
    return {"run_id": info.run_id, "playbook": info.playbook.path, "totals": counts,
            "failures": failures}


def run(args: Args, info: RunInfo) -> ActionResult:
    failed = any(r.status.is_failure for r in info.results) or info.stopped
    changed = any(r.status is Status.CHANGED for r in info.results)
    if args.only_on == "failure" and not failed:
        return run_result("notify", Status.SKIPPED, "nothing failed: no message sent (only_on: failure)")
    if args.only_on == "change" and not (failed or changed):
        return run_result("notify", Status.SKIPPED, "nothing changed: no message sent (only_on: change)")
    if info.check:
        return run_result("notify", Status.SKIPPED, "check mode: no message sent")
    from ictops.notify.events import notify_run

    sent = notify_run(info.project, run_summary(info), info.artifacts.get("report"),
                      operator=info.operator)
    if not sent:
        return run_result("notify", Status.SKIPPED, "no inventory/notify.yaml: nothing sent")
    bad = [d for d in sent if not d.ok]
    if bad:
        return run_result("notify", Status.FAILED, "; ".join(f"{d.channel}: {d.error}" for d in bad),
                          error_kind=ErrorKind.COMMAND_FAILED)
    return run_result("notify", Status.OK, "sent via " + ", ".join(d.channel for d in sent))
