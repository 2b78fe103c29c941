"""run_hosts: a bug that escapes the host function is that host's FAILED result, said plainly."""

from __future__ import annotations

from ictops.engine.runner import run_hosts
from ictops.results import ActionResult, ErrorKind, Status
from tests.unit.engine.test_driver import hosts


def test_an_escaped_exception_is_a_plain_internal_error_not_a_repr() -> None:
    seen: list[ActionResult] = []

    def function(host):
        if host.name == "bad":
            raise KeyError("boom")
        return ActionResult(host=host.name, action="probe", status=Status.OK, message="fine")

    done = run_hosts(hosts("good", "bad"), function, "probe", 2, seen.append)
    assert (done["good"].status, done["good"].message) == (Status.OK, "fine")
    bad = done["bad"]
    assert (bad.status, bad.error_kind, bad.message) == (
        Status.FAILED, ErrorKind.INTERNAL,
        "internal error (KeyError: 'boom'); this is an ictops bug, see state/logs")
    assert sorted(r.host for r in seen) == ["bad", "good"]  # each reported as it finished
