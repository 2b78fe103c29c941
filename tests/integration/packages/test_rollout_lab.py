"""Rolling out on 20 lab servers in their own Debian roots (127.N.65.x): serial batches and
max_fail_percentage on real upgrades, a stop that lists the servers never touched, an edited
conffile kept through an upgrade, reboots proven by new boot ids (playbooks/patch.yaml)."""

from __future__ import annotations

import pytest

from tests.integration.lab.rooted import ok, rooted_district
from tests.integration.packages.helpers import (
    ictops_json,
    installed,
    plan_id,
    prepare,
    results,
    run_planned,
)
from tests.net import LAB

pytestmark = pytest.mark.lab

NAMES = [f"ro-{i:02d}" for i in range(1, 21)]
SERVERS = {name: (f"{LAB}.65.{i}", "typical") for i, name in enumerate(NAMES, 1)}
CONF = "/etc/ictops-lab-hello.conf"
EDITED = ("ro-03", "ro-12")  # an officer edited the hello conffile here by hand
UPGRADE = """\
name: Upgrade hello in batches
process: 2
hosts: role=server
serial: [1, "25%", "100%"]
max_fail_percentage: 0
steps:
  - name: newest hello
    step: 5
    package: {name: ictops-lab-hello, state: latest}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with rooted_district(tmp_path_factory.mktemp("rollout"), SERVERS, reboot_seconds=1) as district:
        prepare(district)
        (district.project.root / "playbooks" / "upgrade-hello.yaml").write_text(UPGRADE)
        yield district


def batches(run: dict, action: str) -> list[list[str]]:
    return [[r["host"] for r in s["results"]] for s in run["steps"] if s["action"] == action]


def test_a_failing_canary_stops_the_rollout_and_the_untouched_are_listed(lab) -> None:
    found = plan_id(lab, "playbooks/patch.yaml")
    # after the approval the canary's apt breaks (a malformed source someone left there)
    ok(lab, "ro-01", "echo 'deb broken' > /etc/apt/sources.list.d/broken.list", sudo=True)
    try:
        code, run = ictops_json(lab, "run", "playbooks/patch.yaml", "--plan", found, timeout=600)
    finally:
        ok(lab, "ro-01", "rm -f /etc/apt/sources.list.d/broken.list", sudo=True)
    assert code == 1, run
    assert batches(run, "patch") == [["ro-01"]]
    canary = results(run)["ro-01"]
    assert canary["status"] == "failed" and "apt" in canary["message"], canary
    assert run["stopped"].startswith("stopped after batch 1: 1 of 1 hosts failed")
    assert run["untouched"] == NAMES[1:]
    assert all(installed(lab, n)["ictops-lab-kernel"] == "1.0-1" for n in NAMES)


def test_upgrade_across_20_servers_in_batches_keeps_edited_conffiles(lab) -> None:
    for name in EDITED:
        ok(lab, name, f"sed -i 's/^greeting = .*/greeting = edited by hand on {name}/' {CONF}",
           sudo=True)
    code, run = run_planned(lab, "playbooks/upgrade-hello.yaml", timeout=900)
    assert code == 0, run
    assert [len(b) for b in batches(run, "package")] == [1, 5, 14]  # canary, 25%, the rest
    assert sum(batches(run, "package"), []) == NAMES
    assert {r["message"] for r in results(run, "package").values()} == {
        "upgraded ictops-lab-hello 1.0-1 -> 1.1-1"}
    for name in NAMES:
        assert installed(lab, name)["ictops-lab-hello"] == "1.1-1", name
    for name in EDITED:  # the upgrade did not stop at dpkg's question; the local file is kept
        assert f"greeting = edited by hand on {name}" in ok(lab, name, f"cat {CONF}")
        assert "heartbeat" in ok(lab, name, f"cat {CONF}.dpkg-dist")
        log = ok(lab, name, "tail -n 1 /var/log/ictops-lab-hello.log")
        assert "start version=1.1-1" in log and f"edited by hand on {name}" in log
    assert "heartbeat = 0" in ok(lab, "ro-04", f"cat {CONF}")  # unedited: the new packaged file

    code, again = run_planned(lab, "playbooks/upgrade-hello.yaml", timeout=900)
    assert code == 0, again
    assert {r["status"] for r in results(again, "package").values()} == {"ok"}


def boot_ids(lab) -> dict[str, str]:
    return {n: ok(lab, n, "cat /proc/sys/kernel/random/boot_id").strip() for n in NAMES}


def test_patch_playbook_security_updates_reboot_with_new_boot_ids(lab) -> None:
    code, listed = ictops_json(lab, "patch", "list")
    assert code == 0, listed
    for host in listed["hosts"]:
        pending = {u["name"]: u for u in host["listing"]["updates"]}
        assert pending["ictops-lab-kernel"]["security"] == "1.1-1", host
        assert host["listing"]["reboot"]["required"] is False
    before = boot_ids(lab)
    code, run = run_planned(lab, "playbooks/patch.yaml", timeout=1200)
    assert code == 0, run
    assert [len(b) for b in batches(run, "patch")] == [1, 5, 14]
    after = boot_ids(lab)
    for name in NAMES:
        result = results(run, "patch")[name]
        assert result["status"] == "changed", result
        assert "ictops-lab-kernel 1.0-1 -> 1.1-1" in result["message"]
        assert f"rebooted: boot id {before[name][:8]} -> {after[name][:8]}" in result["message"]
        assert after[name] != before[name]
        assert result["data"]["reboot"]["new_boot_id"] == after[name]
        assert installed(lab, name)["ictops-lab-kernel"] == "1.1-1"
    code, listed = ictops_json(lab, "patch", "list")
    assert code == 0
    assert {h["message"] for h in listed["hosts"]} == {"no update pending"}
