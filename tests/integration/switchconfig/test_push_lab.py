"""switch_config on the lab, over SSH: simulated Cisco IOS and Huawei VRP switches on
127.<NET>.26.x, the real CLI (plan / approve / run --plan) and the engine's driver.

NTP from the Thai time sources, a log host and a VLAN pushed, then an empty plan; check mode
leaves the running-config byte-identical; a refused line and a connection dropped mid-push end
rolled back to the pre-change backup, or loudly not (rollback_failed); a host changed by hand
between plan and run is refused; serial batches stop at max_fail_percentage; the th-baseline
remediation merged into non-compliant switches makes its rules pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from ictops.actions.backup import BackupAction
from ictops.actions.switch_config import SwitchConfig
from ictops.backup.store import BackupStore
from ictops.connections.factory import open_session
from ictops.switchconfig import normalised_equal
from tests.drive import drive
from tests.integration.compliance.lab import rules_district
from tests.integration.district import TEAM, District
from tests.net import LAB

pytestmark = pytest.mark.lab

DATA = """
    compliance: {{log_server: 10.20.0.11, management_interface: {vlan}99}}
    log_server: 10.20.0.11
    ntp_servers: [time1.nimt.or.th, time.navy.mi.th]
    mgmt_vlan: 99"""
SWITCHES = {  # name: (address suffix, group, profile)
    "sw-ios-1": ("26.1", "cisco", "typical"),
    "sw-ios-2": ("26.2", "cisco", "typical"),
    "sw-vrp-1": ("26.3", "huawei", "typical"),
    "sw-vrp-2": ("26.4", "huawei", "typical"),
    "sw-bad-ios": ("26.5", "cisco", "noncompliant"),
    "sw-bad-vrp": ("26.6", "huawei", "noncompliant"),
}
FLEET = ["sw-ios-1", "sw-ios-2", "sw-vrp-1", "sw-vrp-2"]
# NTP from the Thai time sources, the log host and a guest VLAN
CHANGE_TEMPLATE = """\
{% if platform == 'cisco_ios' %}
{% for s in data.ntp_servers %}
ntp server {{ s }}
{% endfor %}
logging host {{ data.log_server }}
vlan 40
 name GUEST
{% else %}
{% for s in data.ntp_servers %}
ntp-service unicast-server {{ s }}
{% endfor %}
info-center loghost {{ data.log_server }}
vlan batch 40
{% endif %}
"""
EXPECTED = {
    "cisco_ios": ["no logging host 10.20.0.10", "ntp server time1.nimt.or.th",
                  "logging host 10.20.0.11", "vlan 40", " name GUEST", " exit"],
    "huawei_vrp": ["undo info-center loghost 10.20.0.10",
                   "ntp-service unicast-server time1.nimt.or.th", "info-center loghost 10.20.0.11",
                   "vlan batch 40"],
}
# three lines, so that a drop after the 2nd leaves a half-change
DROP_TEMPLATE = """\
{% if platform == 'cisco_ios' %}
logging host 10.20.0.13
logging host 10.20.0.14
ntp server 10.20.0.1
{% else %}
info-center loghost 10.20.0.13
info-center loghost 10.20.0.14
ntp-service unicast-server 10.20.0.1
{% endif %}
"""
PLAYBOOK = """\
name: {name}
process: 2
hosts: {hosts}
{extra}steps:
  - name: {name}
    step: 5
    switch_config: {args}
"""


def _hosts() -> str:
    text = ""
    for name, (suffix, group, profile) in SWITCHES.items():
        timeouts = "  timeouts: {command: 4}\n" if name == "sw-ios-1" else ""
        text += (f"{name}:\n  hostname: {LAB}.{suffix}\n  groups: [{group}, school_a]\n{timeouts}"
                 f"  data:\n    lab: {{profile: {profile}}}"
                 f"{DATA.format(vlan='Vlan' if group == 'cisco' else 'Vlanif')}\n")
    return text


def _playbook(d: District, file: str, args: str, hosts: str = "sw-ios-*,sw-vrp-*",
              extra: str = "") -> str:
    path = d.project.root / "playbooks" / file
    path.write_text(PLAYBOOK.format(name=file, hosts=hosts, args=args, extra=extra))
    return f"playbooks/{file}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    root = tmp_path_factory.mktemp("switch-push")
    old = os.environ.get("ICTOPS_OPERATOR")
    os.environ["ICTOPS_OPERATOR"] = "tester"
    try:
        with rules_district(root, _hosts(), copy=("rules",)) as d:
            (root / "inventory" / "team.yaml").write_text(TEAM)
            (root / "playbooks").mkdir()
            (root / "templates" / "switch").mkdir(parents=True)
            (root / "templates" / "switch" / "change.j2").write_text(CHANGE_TEMPLATE)
            yield d
    finally:
        if old is None:
            os.environ.pop("ICTOPS_OPERATOR", None)
        else:
            os.environ["ICTOPS_OPERATOR"] = old


def _plan(d: District, playbook: str) -> dict:
    code, plan = d.ictops_json("plan", playbook)
    assert code == 0, plan
    approved = d.ictops("approve", plan["id"], "--by", "wichian")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    return plan


def _records(d: District, action: str = "switch_config") -> list[dict]:
    path = d.project.state_dir / "audit" / "trail.jsonl"
    return [r for r in map(json.loads, path.read_text().splitlines()) if r["action"] == action]


def _store(d: District) -> BackupStore:
    return BackupStore(d.project.backups_dir)


def test_plan_approve_run_then_the_plan_is_empty(lab: District) -> None:
    d = lab
    book = _playbook(d, "change.yaml", "{template: templates/switch/change.j2, "
                     "features: [ntp, logging, vlan], save: true}")
    before = {name: d.running_config(name) for name in FLEET}

    code, check = d.ictops_json("run", book, "--check")
    assert code == 0, check
    assert {name: d.running_config(name) for name in FLEET} == before  # byte-identical
    assert not d.project.backups_dir.exists()  # check mode takes no backup either

    plan = _plan(d, book)
    assert plan["would_change"] == 4
    code, run = d.ictops_json("run", book, "--plan", plan["id"])
    assert code == 0, run
    results = {r["host"]: r for o in run["steps"] for r in o["results"]}
    for name in FLEET:
        platform = d.inventory.hosts[name].platform_name
        assert results[name]["status"] == "changed", results[name]
        assert results[name]["data"]["sent"] == EXPECTED[platform]
        assert results[name]["data"]["verified"] is True and results[name]["data"]["saved"] is True
        now = d.running_config(name)
        assert "time1.nimt.or.th" in now and "10.20.0.11" in now and "10.20.0.10" not in now
        # the pre-change backup is the config as it was before the push
        rev = results[name]["data"]["backup"]
        stored = _store(d).show(name, rev, masked=False)
        assert normalised_equal(platform, stored, before[name])
    # every command sent is in the host's trail record
    records = {r["host"]: r for r in _records(d) if r["status"] == "changed" and r["step"] == 5}
    for name in FLEET:
        expected = EXPECTED[d.inventory.hosts[name].platform_name]
        assert records[name]["data"]["sent"] == expected

    again = _plan(d, book)
    assert again["would_change"] == 0
    code, run = d.ictops_json("run", book, "--plan", again["id"])
    assert code == 0
    messages = {r["host"]: (r["status"], r["message"]) for o in run["steps"] for r in o["results"]}
    assert messages == {n: ("ok", "ntp, logging, vlan already as templates/switch/change.j2")
                        for n in FLEET}


def test_a_host_changed_by_hand_after_the_plan_is_refused(lab: District) -> None:
    d = lab
    book = _playbook(d, "loghost.yaml", "{lines: ['logging host 10.20.0.12'], features: [logging]}",
                     hosts="sw-ios-*")
    plan = _plan(d, book)
    session = open_session(d.inventory.hosts["sw-ios-2"], d.project)
    try:
        session.configure(["logging host 10.20.0.99"])  # its plan now removes this one too
    finally:
        session.close()
    code, run = d.ictops_json("run", book, "--plan", plan["id"])
    assert code == 1
    results = {r["host"]: r for o in run["steps"] for r in o["results"]}
    assert results["sw-ios-2"]["status"] == "failed"
    assert results["sw-ios-2"]["error_kind"] == "plan_moved"
    assert "logging host 10.20.0.99" in d.running_config("sw-ios-2")  # not changed
    assert results["sw-ios-1"]["status"] == "changed"


BAD = {"cisco_ios": "ntp sever 1.2.3.4", "huawei_vrp": "ntp-service unicst-server 1.2.3.4"}


@pytest.mark.parametrize("name", ["sw-ios-2", "sw-vrp-2"])
def test_a_refused_line_ends_rolled_back_to_the_backup(lab: District, name: str) -> None:
    d = lab
    host = d.inventory.hosts[name]
    platform = host.platform_name
    lines = (EXPECTED[platform][2], BAD[platform])
    result = drive(d.project, SwitchConfig(lines=lines, features=("logging", "ntp"), merge=True),
                   [host], operator="tester").results[0]
    assert result.error_kind is not None and result.error_kind.value == "command_failed"
    assert f"device refused '{BAD[platform]}'" in result.message
    assert result.payload.rollback.verified
    stored = _store(d).show(name, result.payload.backup, masked=False)
    assert normalised_equal(platform, stored, d.running_config(name))


def test_a_drop_mid_push_is_rolled_back_or_reported_and_batches_stop(lab: District) -> None:
    """Batches of 2 and max_fail_percentage 0: the first batch (sw-ios-1, sw-ios-2) has both
    drops, the run stops there; sw-ios-2's connection comes back and it is rolled back;
    sw-ios-1 stays unreachable: rollback_failed, loud in the recap."""
    d = lab
    (d.project.templates_dir / "switch" / "drop.j2").write_text(DROP_TEMPLATE)
    args = "{template: templates/switch/drop.j2, merge: true}"
    book = _playbook(d, "drop.yaml", args, extra="serial: 2\nmax_fail_percentage: 0\n")
    plan = _plan(d, book)
    before = {name: d.running_config(name) for name in FLEET}
    d.lab.set_fault(d.inventory.hosts["sw-ios-1"], "drop-push-down")
    d.lab.set_fault(d.inventory.hosts["sw-ios-2"], "drop-push")
    try:
        proc = d.ictops("run", book, "--plan", plan["id"])
    finally:
        for name in ("sw-ios-1", "sw-ios-2"):
            d.lab.set_fault(d.inventory.hosts[name], None)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "failed (connection_lost): sw-ios-2" in out and "rolled back to the pre-change backup" in out
    assert "failed (rollback_failed): sw-ios-1 - NOT ROLLED BACK" in out
    assert "stopped after batch 1: 2 of 2 hosts failed" in out
    assert "ROLLBACK FAILED" in out  # the loud line after the recap
    assert normalised_equal("cisco_ios", before["sw-ios-2"], d.running_config("sw-ios-2"))
    # sw-ios-1 got the first line before the drop: half-changed, and said so
    assert "logging host 10.20.0.13" in d.running_config("sw-ios-1")
    for name in ("sw-vrp-1", "sw-vrp-2"):  # never started: the run stopped after batch 1
        assert d.running_config(name) == before[name]


def _audit(d: District) -> dict:
    proc = d.ictops("audit", "-l", "sw-bad-*", "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_baseline_remediation_merged_makes_its_rules_pass(lab: District) -> None:
    d = lab
    bad = [d.inventory.hosts["sw-bad-ios"], d.inventory.hosts["sw-bad-vrp"]]
    assert not [r for r in drive(d.project, BackupAction(), bad).results if r.status.is_failure]
    audit = _audit(d)
    fixes = {}
    for entry in audit["hosts"]:
        failing = {r["rule"]: r["remediation"] for r in entry["results"] if r["status"] == "fail"}
        fixes[entry["host"]] = failing
    for host in bad:
        lines = tuple(line for commands in fixes[host.name].values() for line in commands)
        result = drive(d.project, SwitchConfig(lines=lines, merge=True, save=True), [host]).results[0]
        assert result.status.value == "changed", result.message
    assert not [r for r in drive(d.project, BackupAction(), bad).results if r.status.is_failure]
    after = _audit(d)
    for entry in after["hosts"]:
        still = {r["rule"] for r in entry["results"] if r["status"] == "fail"}
        pushed = {rule for rule, commands in fixes[entry["host"]].items() if commands}
        # NET-MGMT-05's commands name the SNMP communities: secrets, never sent (by hand)
        assert still & pushed == pushed & {"NET-MGMT-05"}, (entry["host"], still)
        assert len(pushed - {"NET-MGMT-05"}) >= 4


# --- ictops config push: the same change from the command line ------------------------------

NTP_VRP = "ntp-service unicast-server 10.20.0.7"


def _push(d: District, *args: str) -> tuple[int, dict]:
    return d.ictops_json("config", "push", *args)


def test_config_push_check_plan_approve_push_then_nothing(lab: District) -> None:
    d = lab
    before = d.running_config("sw-vrp-1")
    args = ("-l", "sw-vrp-1", "--line", NTP_VRP, "--features", "ntp", "--merge", "--save")
    code, check = _push(d, *args, "--check")
    assert code == 0, check
    [result] = [r for s in check["steps"] for r in s["results"]]
    assert (result["host"], result["status"]) == ("sw-vrp-1", "changed")
    assert d.running_config("sw-vrp-1") == before  # check mode: byte-identical

    proc = d.ictops("config", "push", *args)  # not approved yet: only the plan is made
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan_id = proc.stdout.strip().splitlines()[-1]
    assert f"+{NTP_VRP}" not in proc.stdout  # the commands only with --diff
    assert "ictops config push --plan PLAN_ID" in proc.stderr
    assert d.running_config("sw-vrp-1") == before
    refused = d.ictops("config", "push", "--plan", plan_id)
    assert refused.returncode == 2 and "is not approved" in refused.stderr, refused.stderr
    approved = d.ictops("approve", plan_id, "--by", "wichian")
    assert approved.returncode == 0, approved.stdout + approved.stderr

    code, run = _push(d, "--plan", plan_id)
    assert code == 0, run
    [result] = [r for s in run["steps"] for r in s["results"]]
    assert result["status"] == "changed", result
    assert result["data"]["sent"] == [NTP_VRP]
    assert result["data"]["verified"] is True and result["data"]["saved"] is True
    assert NTP_VRP in d.running_config("sw-vrp-1")
    again = d.ictops("config", "push", "--plan", plan_id)
    assert again.returncode == 2 and "already" in again.stderr, again.stderr

    code, check = _push(d, *args, "--check")
    assert code == 0
    [result] = [r for s in check["steps"] for r in s["results"]]
    assert result["status"] == "ok", result


def test_config_push_refuses_bad_input(lab: District) -> None:
    d = lab
    proc = d.ictops("config", "push", "--line", NTP_VRP, "--check")
    assert proc.returncode == 2 and "-l" in proc.stderr, proc.stderr
    proc = d.ictops("config", "push", "-l", "sw-vrp-1", "--check")
    assert proc.returncode == 2 and "--line" in proc.stderr, proc.stderr
    proc = d.ictops("config", "push", "-l", "no-such-host", "--line", NTP_VRP, "--check")
    assert proc.returncode == 2 and "no-such-host" in proc.stderr, proc.stderr
    proc = d.ictops("config", "push", "-l", "sw-vrp-1", "--line", NTP_VRP, "--features", "nope",
                    "--check")
    assert proc.returncode == 2 and "unknown feature 'nope'" in proc.stderr, proc.stderr


def test_config_push_dropped_mid_push_on_huawei_is_rolled_back(lab: District) -> None:
    d = lab
    host = d.inventory.hosts["sw-vrp-2"]
    lines = ["info-center loghost 10.20.0.13", "info-center loghost 10.20.0.14", NTP_VRP]
    args = ["-l", "sw-vrp-2", "--merge"] + [x for line in lines for x in ("--line", line)]
    proc = d.ictops("config", "push", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan_id = proc.stdout.strip().splitlines()[-1]
    assert d.ictops("approve", plan_id, "--by", "wichian").returncode == 0
    before = d.running_config("sw-vrp-2")
    d.lab.set_fault(host, "drop-push")
    try:
        code, run = _push(d, "--plan", plan_id)
    finally:
        d.lab.set_fault(host, None)
    assert code == 1, run
    [result] = [r for s in run["steps"] for r in s["results"]]
    assert (result["status"], result["error_kind"]) == ("failed", "connection_lost"), result
    assert "rolled back to the pre-change backup" in result["message"]
    assert result["data"]["rollback"]["verified"] is True
    assert normalised_equal("huawei_vrp", before, d.running_config("sw-vrp-2"))
