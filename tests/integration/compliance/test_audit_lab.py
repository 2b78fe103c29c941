"""``ictops audit`` on the lab: a non-compliant and a compliant simulated Cisco switch.

Backups are taken with the library (BackupAction, as ``ictops backup`` does), audits run
through the real CLI. The expected verdicts come from reading the simulator's profiles in
ictops/lab/switchsim/templates/cisco_ios.j2 against rules/th-baseline.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ictops.actions.backup import BackupAction
from ictops.connections.factory import open_session
from tests.drive import drive
from tests.integration.compliance.lab import rules_district
from tests.integration.district import District
from tests.net import LAB
from tests.unit.switchconfig.sim import config_sets

pytestmark = pytest.mark.lab

SERVER, COMPLIANT, NONCOMPLIANT = f"{LAB}.16.1", f"{LAB}.17.1", f"{LAB}.17.2"

SWITCH_DATA = """
    compliance: {log_server: 10.20.0.10, management_interface: Vlan99}
    domain_name: school.obec.go.th
    mgmt_vlan: 99
    mgmt_network: 10.20.99.0
    mgmt_wildcard: 0.0.0.255
    mgmt_acl: MGMT-ACCESS
    log_server: 10.20.0.10
    ntp_servers: [time1.nimt.or.th, time.navy.mi.th]
    vlans: [{id: 10, name: STAFF}, {id: 99, name: MANAGEMENT}]"""

HOSTS = f"""
sw-good:
  hostname: {COMPLIANT}
  groups: [cisco, school_a]
  data:
    lab: {{profile: compliant}}{SWITCH_DATA}
sw-bad:
  hostname: {NONCOMPLIANT}
  groups: [cisco, school_a]
  data:
    lab: {{profile: noncompliant}}{SWITCH_DATA}
"""

SWITCH_RULES = {
    "NET-TIME-01", "NET-TIME-02", "NET-TIME-03", "NET-LOG-01", "NET-LOG-02", "NET-LOG-04",
    "NET-AAA-01", "NET-AUTH-01", "NET-AUTH-02", "NET-MGMT-01", "NET-MGMT-02", "NET-MGMT-03",
    "NET-MGMT-04", "NET-MGMT-05", "NET-BAK-01",
}
# The noncompliant profile: no ntp server (TIME-01),
# no clock timezone (TIME-03), timestamps without msec (LOG-01), no logging host (LOG-02), no
# login on-failure log (LOG-04), no aaa new-model (AAA-01), 'enable password' and a user
# 'password 0' (AUTH-01), no service password-encryption (AUTH-02), no 'ip ssh version 2'
# (MGMT-01), vty telnet/all with exec-timeout 0 (MGMT-02), ip http server (MGMT-03), no banner
# (MGMT-04), communities public/private (MGMT-05). Only NET-BAK-01 passes: fresh backup, saved.
# NET-TIME-02 read live gets "%NTP is not enabled.": not synchronised, FAIL.
EXPECTED_BAD = SWITCH_RULES - {"NET-BAK-01"}
# The compliant profile keeps 'no aaa new-model', which NET-AAA-01 (added to the pack beyond
# the list) fails; everything else passes.
EXPECTED_GOOD = {"NET-AAA-01"}
# NET-AUTH-01 has no generated commands (they would hold secrets): the officer's hand fix.
HAND_FIX_AUTH = [
    "no enable password",
    "enable secret 9 $9$nK3q0bXsOe1aEE$Zr8vJqH3xk2mYp5TnWc7uQd0sLfAeGh1iRbV6oN4tKM",
    "no username admin",
    "username admin privilege 15 secret 9 $9$Qw2eR4tY6uI8oP$aS1dF3gH5jK7lZ9xC2vB4nM6qW8eR0tY2uI4oP6aS8d",
]


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("compliance")
    with rules_district(root, HOSTS, servers=[SERVER], copy=("rules", "templates")) as d:
        yield d


def backup(d: District) -> None:
    results = drive(d.project, BackupAction(), d.inventory.select(None), operator="test").results
    bad = [r for r in results if r.status.is_failure]
    assert not bad, [(r.host, r.message) for r in bad]


def audit(d: District, *args: str) -> tuple[int, dict]:
    proc = d.ictops("audit", "--format", "json", *args)
    try:
        return proc.returncode, json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"exit {proc.returncode}: {proc.stdout}\n{proc.stderr}") from None


def verdicts(document: dict, host: str) -> dict[str, dict]:
    (entry,) = [h for h in document["hosts"] if h["host"] == host]
    return {r["rule"]: r for r in entry["results"] if r["status"] != "n/a"}


def failing(document: dict, host: str) -> set[str]:
    return {rule for rule, r in verdicts(document, host).items() if r["status"] == "fail"}


def configure(d: District, name: str, fixes: list[list[str]]) -> None:
    """Each rule's fix in its own configure() call: the simulator does not leave a sub-mode
    (line vty) on a global command the way IOS does, so one rule's lines must not follow
    another's sub-mode."""
    host = d.inventory.hosts[name]
    session = open_session(host, d.project)
    try:
        for lines in fixes:
            session.configure(lines)
        session.save()
    finally:
        session.close()


def test_noncompliant_fails_exactly_the_expected_rules_then_remediation_fixes_them(district):
    backup(district)
    code, document = audit(district, "-l", "sw-good,sw-bad", "--live-rules")
    assert code == 1  # critical and high FAILs on sw-bad
    assert set(verdicts(document, "sw-bad")) == SWITCH_RULES
    assert failing(document, "sw-bad") == EXPECTED_BAD
    assert verdicts(document, "sw-bad")["NET-TIME-02"]["status"] == "fail"
    assert verdicts(document, "sw-bad")["NET-BAK-01"]["status"] == "pass"
    assert failing(document, "sw-good") == EXPECTED_GOOD
    good = verdicts(document, "sw-good")
    assert {r for r, v in good.items() if v["status"] != "pass"} == EXPECTED_GOOD
    assert good["NET-TIME-02"]["status"] == "pass"  # read live: the simulator's NTP status
    assert "Sch00l@2019" not in json.dumps(document)  # the enable password stays masked

    # without --live-rules the live rule is ERROR, nothing else changes; the threshold holds
    code, offline = audit(district, "-l", "sw-good", "--fail-on", "high")
    assert code == 0  # NET-AAA-01 is medium
    assert verdicts(offline, "sw-good")["NET-TIME-02"]["status"] == "error"
    assert failing(offline, "sw-good") == EXPECTED_GOOD

    # the generated remediation (and the hand fix where none is generated) on the simulator
    for name in ("sw-bad", "sw-good"):
        fixes = [list(r["remediation"]) for r in verdicts(document, name).values()
                 if r["status"] == "fail" and r["remediation"]]
        if "NET-AUTH-01" in failing(document, name):
            fixes.append(HAND_FIX_AUTH)
        configure(district, name, fixes)
    backup(district)
    code, after = audit(district, "-l", "sw-good,sw-bad", "--live-rules", "--fail-on", "info")
    for name in ("sw-bad", "sw-good"):
        not_passing = {r: (v["status"], v["message"]) for r, v in verdicts(after, name).items()
                       if v["status"] != "pass"}
        assert not_passing == {}, name
    assert code == 0

    saved = sorted((district.project.state_dir / "compliance").glob("*.json"))
    assert len(saved) == 3
    last = json.loads(saved[-1].read_text("utf-8"))
    assert last["hosts"]["sw-bad"]["counts"]["fail"] == 0
    assert last["hosts"]["sw-bad"]["score"] == 100


def test_golden_remediation_stays_in_its_features_and_makes_the_switches_match(district):
    backup(district)
    proc = district.ictops("audit", "golden", "-l", "role=switch", "--json")
    assert proc.returncode == 1, proc.stderr
    reports = {r["host"]: r for r in json.loads(proc.stdout)["hosts"]}
    assert set(reports) == {"sw-good", "sw-bad"}
    for report in reports.values():
        assert not report["compliant"] and report["remediation"]
        by_feature = [line for f in report["features"] for line in f["remediation"]]
        assert sorted(by_feature) == sorted(report["remediation"])  # each command in a feature
        assert not [c for c in report["remediation"] if c.startswith(("no vlan", "hostname"))]
        assert not {f["feature"] for f in report["features"]} & {"interfaces", "hostname", "snmp"}

    # pushed through ictops's own switch session, the switches match their template
    for name, report in reports.items():
        configure(district, name, config_sets(report["remediation"]))
    backup(district)
    proc = district.ictops("audit", "golden", "-l", "role=switch", "--json")
    assert proc.returncode == 0, proc.stdout
    assert all(r["compliant"] and not r["remediation"] for r in json.loads(proc.stdout)["hosts"])


def test_live_audit_of_an_unreachable_switch_is_unreachable(district):
    host = district.inventory.hosts["sw-good"]
    district.lab.set_fault(host, "auth-refuse")
    try:
        code, document = audit(district, "--live", "-l", "sw-good,srv-1", "--fail-on", "never")
    finally:
        district.lab.set_fault(host, None)
    assert code == 1
    assert [t["host"] for t in document["transport"]] == ["sw-good"]
    assert document["transport"][0]["status"] == "unreachable"
    good = verdicts(document, "sw-good")
    assert {v["status"] for v in good.values()} == {"error"}
    server = verdicts(document, "srv-1")
    assert "LNX-SSH-01" in server and server["LNX-SSH-01"]["status"] == "pass", server["LNX-SSH-01"]
