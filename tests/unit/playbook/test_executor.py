"""The executor with a fake action registry and fake sessions: batches, failures, when, tags."""

from __future__ import annotations

import pytest

from ictops.actions.base import RunSettings
from ictops.engine.driver import Driver
from ictops.engine.sessions import SessionPool
from ictops.errors import ExitCode
from ictops.playbook import batch_sizes, load_playbook
from ictops.playbook.executor import Executor
from ictops.playbook.outcome import exceeds, selected
from ictops.results import Status
from tests.unit.playbook.helpers import Fake, fake_registry, project


@pytest.mark.parametrize(
    "total, serial, sizes",
    [
        (10, [], [10]),
        (10, [3], [3, 3, 3, 1]),
        (10, ["25%"], [2, 2, 2, 2, 2]),
        (10, [1, "50%"], [1, 5, 4]),
        (3, ["10%"], [1, 1, 1]),  # a percentage never gives an empty batch
        (5, [1, 2, 10], [1, 2, 2]),
        (0, [2], []),
    ],
)
def test_batch_sizes(total, serial, sizes):
    assert batch_sizes(total, serial) == sizes


def test_max_fail_percentage_is_strict():
    assert not exceeds(1, 4, 25) and exceeds(2, 4, 25)
    assert exceeds(1, 10, 0) and not exceeds(0, 10, 0) and not exceeds(5, 5, None)


def run(tmp_path, text, check=False, tags=(), skip_tags=(), limit=None):
    proj, inv = project(tmp_path, {"playbooks/p.yaml": text})
    book = load_playbook("playbooks/p.yaml", proj, inv, registry=fake_registry())
    hosts = inv.select(book.hosts)
    opened: list[str] = []

    def opener(host, project):
        opened.append(host.name)
        return object()

    Fake.calls = []
    records = []
    pool = SessionPool(proj, opener=opener)
    with Driver(RunSettings(project=proj, check=check), hosts, pool=pool,
                listeners=[lambda r: records.append((r.host, r.status))]) as driver:
        result = Executor(book, driver, registry=fake_registry(), tags=tags,
                          skip_tags=skip_tags).run(hosts)
    return result, records


BOOK = """\
name: t
process: 2
hosts: "a or b"
{extra}
steps:
  - name: one
    step: 5
    tags: [first]
    cmd: {{command: "{one}", changes: false}}
  - name: two
    step: 5
    tags: [second]
    cmd: {{command: "changed:srv-1", changes: false}}
    notify: [h]
handlers:
  - name: h
    cmd: {{command: handler, changes: false}}
"""


def test_failed_host_is_not_run_later_and_handlers_run_once(tmp_path):
    result, records = run(tmp_path, BOOK.format(extra="", one="fail:srv-2 down:sw-1"))
    assert ("changed:srv-1", "srv-2") not in Fake.calls and ("changed:srv-1", "sw-1") not in Fake.calls
    assert [c for c in Fake.calls if c[0] == "handler"] == [("handler", "srv-1")]
    recap = result.recap()
    assert recap["srv-1"] == {"ok": 2, "changed": 1, "failed": 0, "unreachable": 0, "skipped": 0}
    assert recap["srv-2"]["failed"] == 1 and recap["sw-1"]["unreachable"] == 1
    assert set(result.dropped) == {"srv-2", "sw-1"}
    assert result.exit_code == ExitCode.FAILED
    assert len(records) == 4 + 2 + 1  # every host result reached the listeners


def test_serial_batches_and_max_fail_stop(tmp_path):
    extra = "serial: 2\nmax_fail_percentage: 40"
    result, _ = run(tmp_path, BOOK.format(extra=extra, one="fail:srv-3 fail:sw-1"))
    assert [o.batch for o in result.outcomes] == [1, 1, 2]  # stopped after batch 2's first step
    assert result.stopped and "batch 2" in result.stopped and "40%" in result.stopped
    assert not [c for c in Fake.calls if c[0] == "handler"]  # no handlers after a stop
    assert result.exit_code == ExitCode.FAILED
    assert result.untouched == []  # the stop came after the last batch


def test_a_stopped_rollout_lists_the_hosts_never_touched(tmp_path):
    extra = "serial: [1, 2]\nmax_fail_percentage: 0"
    result, _ = run(tmp_path, BOOK.format(extra=extra, one="fail:srv-1"))
    assert result.stopped and "batch 1" in result.stopped
    later = result.hosts[1:]
    assert later and result.untouched == later
    assert not [r for r in result.host_results if r.host in later]
    assert result.to_dict()["untouched"] == later


def test_serial_batch_under_the_limit_carries_on(tmp_path):
    extra = "serial: 2\nmax_fail_percentage: 50"
    result, _ = run(tmp_path, BOOK.format(extra=extra, one="fail:srv-3"))
    assert result.stopped is None
    assert [o.batch for o in result.outcomes if not o.handler] == [1, 1, 2, 2]


def test_begin_and_end_once_per_step_across_batches(tmp_path):
    result, _ = run(tmp_path, BOOK.format(extra="serial: 1", one="ok"))
    notes = [o.note for o in result.outcomes if o.note]
    assert notes == ["ended with 4", "ended with 4", "ended with 1"]


def test_tags_and_skip_tags(tmp_path):
    run(tmp_path / "1", BOOK.format(extra="", one="ok"), tags=["second"])
    assert {c[0] for c in Fake.calls} == {"changed:srv-1", "handler"}
    run(tmp_path / "2", BOOK.format(extra="", one="ok"), skip_tags=["second"])
    assert {c[0] for c in Fake.calls} == {"ok"}


def test_selected_always_tag():
    from ictops.playbook.model import PlayStep

    step = PlayStep("s", 2, 5, "cmd", {}, "x:1", tags=("always",))
    assert selected(step, ["other"], []) and not selected(step, [], ["always"])


def test_when_skips_hosts(tmp_path):
    text = BOOK.format(extra="", one="ok").replace("tags: [first]", "tags: [first]\n    when: \"role == 'switch'\"")
    result, _ = run(tmp_path, text)
    first = result.outcomes[0].results
    assert {r.host: r.status for r in first} == {
        "srv-1": Status.SKIPPED, "srv-2": Status.SKIPPED, "srv-3": Status.SKIPPED, "sw-1": Status.OK}
    assert "when: role == 'switch' is false" in first[0].message


def test_check_mode_skips_commands_that_may_change(tmp_path):
    text = BOOK.format(extra="", one="ok").replace('"ok", changes: false', '"ok"')
    result, _ = run(tmp_path, text, check=True)
    assert {(r.status, r.message) for r in result.outcomes[0].results} == {(
        Status.SKIPPED, "check mode: this command may change the host (mark it changes: false "
        "if it only reads), so it is not run")}
    assert ("ok", "srv-1") not in Fake.calls
    assert result.outcomes[1].results[0].status is Status.CHANGED  # changes: false still runs


def test_run_level_steps_run_once_even_after_a_stop(tmp_path):
    text = BOOK.format(extra="max_fail_percentage: 0", one="fail:srv-2").replace(
        "handlers:", "  - name: report\n    step: 6\n    report: {}\nhandlers:")
    result, records = run(tmp_path, text, check=True)
    assert result.stopped
    last = result.outcomes[-1]
    assert last.step.action == "report" and last.results[0].status is Status.SKIPPED
    assert last.results[0].host is None  # run-level: no host, not a host named "-"
    assert last.results[0].message == "check mode: no report written"


def test_sessions_closed_and_reused(tmp_path):
    class Session:
        closed = 0

        def close(self):
            Session.closed += 1

    proj, inv = project(tmp_path, {"playbooks/p.yaml": BOOK.format(extra="", one="ok")})
    book = load_playbook("playbooks/p.yaml", proj, inv, registry=fake_registry())
    opened = []

    def opener(host, project):
        opened.append(host.name)
        return Session()

    pool = SessionPool(proj, opener=opener)
    hosts = inv.select(None)
    for h in hosts:
        pool.get(h)
    pool.get(hosts[0])
    with Driver(RunSettings(project=proj), hosts, pool=pool) as driver:
        Executor(book, driver, registry=fake_registry()).run(hosts)
    assert len(opened) == 4 and Session.closed == 4
