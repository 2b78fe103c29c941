"""The ``reboot:`` action on its own, on lab servers in their own Debian roots: check mode
does not reboot; a reboot is proven by a new boot id; a server that does not come back within
the step's timeout is FAILED with that reason, and the others are still rebooted."""

from __future__ import annotations

import pytest

from tests.integration.lab.rooted import ok, rooted_district
from tests.integration.packages.helpers import ictops_json, plan_id, prepare, results
from tests.net import LAB

pytestmark = pytest.mark.lab

SERVERS = {f"rp-{i}": (f"{LAB}.67.{i}", "typical") for i in range(1, 3)}
REBOOT = """\
name: Reboot the servers
process: 2
hosts: role=server
steps:
  - name: reboot
    step: 5
    reboot: {timeout: 20}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with rooted_district(tmp_path_factory.mktemp("reboot"), SERVERS, reboot_seconds=1) as district:
        prepare(district)
        (district.project.root / "playbooks" / "reboot.yaml").write_text(REBOOT)
        yield district


def boot_id(lab, name: str) -> str:
    return ok(lab, name, "cat /proc/sys/kernel/random/boot_id").strip()


def test_check_does_not_reboot(lab) -> None:
    before = {n: boot_id(lab, n) for n in SERVERS}
    code, run = ictops_json(lab, "run", "playbooks/reboot.yaml", "--check")
    assert code == 0, run
    assert {h: r["message"] for h, r in results(run, "reboot").items()} == {
        n: "check: would reboot (back with a new boot id within 20s)" for n in SERVERS}
    assert {n: boot_id(lab, n) for n in SERVERS} == before


def test_a_server_that_stays_down_fails_with_the_reason_the_other_is_rebooted(lab) -> None:
    found = plan_id(lab, "playbooks/reboot.yaml")
    before = {n: boot_id(lab, n) for n in SERVERS}
    hangs = lab.inventory.host("rp-1")
    lab.lab.set_fault(hangs, "reboot-hang")
    try:
        code, run = ictops_json(lab, "run", "playbooks/reboot.yaml", "--plan", found, timeout=300)
    finally:
        lab.lab.set_fault(hangs, None)
        lab.lab.up(timeout=30)  # powered on by hand
    assert code == 1, run
    hung, fine = results(run, "reboot")["rp-1"], results(run, "reboot")["rp-2"]
    assert hung["status"] == "failed", hung
    assert hung["message"].startswith("rebooted, but not back with a new boot id within 20s"), hung
    after = boot_id(lab, "rp-2")
    assert fine["status"] == "changed", fine
    assert fine["message"].startswith(f"rebooted: boot id {before['rp-2'][:8]} -> {after[:8]}")
    assert after != before["rp-2"]
    assert (fine["data"]["old_boot_id"], fine["data"]["new_boot_id"]) == (before["rp-2"], after)
