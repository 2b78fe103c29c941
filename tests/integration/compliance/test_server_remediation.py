"""A deliberately non-compliant lab server (its own Debian root) fails exactly the expected
Linux rules; after the generated remediation commands run on it, those rules pass."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.integration.compliance.lab import rules_district
from tests.integration.district import District
from tests.integration.lab.rooted import require_roots
from tests.net import LAB

pytestmark = pytest.mark.lab

ADDRESS = f"{LAB}.23.1"
HOSTS = f"""
srv-bad:
  hostname: {ADDRESS}
  groups: [servers, school_a]
  data: {{lab: {{root: debian, profile: noncompliant}}}}
"""
# The noncompliant profile (ictops/lab/roots data): root and password login, LogLevel QUIET,
# no banner, CBC ciphers and MD5/SHA1 MACs, no client-alive limits, no Thai chrony source,
# volatile journald, logrotate daily x 7, no remote logging, time zone not Asia/Bangkok, and
# security updates pending from the lab's apt repository (docs/lab.md: profiles).
# LNX-TIME-03 is N/A: chronyd does not run in a root (no /run/chrony/chronyd.pid).
EXPECTED_FAIL = {
    "LNX-PATCH-01",
    "LNX-TIME-02", "LNX-LOG-01", "LNX-LOG-03", "LNX-LOG-04",
    "LNX-SSH-01", "LNX-SSH-02", "LNX-SSH-03", "LNX-SSH-04", "LNX-SSH-05", "LNX-SSH-06",
}
# Rules whose remediation the pack generates as commands (the others need the office's data:
# its log server, its time zone decision, its rotation policy).
FIXED_BY_COMMANDS = {
    "LNX-TIME-02", "LNX-LOG-01",
    "LNX-SSH-01", "LNX-SSH-02", "LNX-SSH-03", "LNX-SSH-04", "LNX-SSH-05", "LNX-SSH-06",
}


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    require_roots()
    with rules_district(tmp_path_factory.mktemp("server-compliance"), HOSTS) as d:
        yield d


def live_audit(d: District) -> dict[str, dict]:
    proc = d.ictops("audit", "--live", "--format", "json", "--fail-on", "never", "-l", "srv-bad")
    assert proc.returncode == 0, proc.stderr
    (host,) = json.loads(proc.stdout)["hosts"]
    return {r["rule"]: r for r in host["results"]}


def test_noncompliant_server_fails_expected_rules_then_remediation_fixes_them(district):
    before = live_audit(district)
    failing = {rule for rule, r in before.items() if r["status"] == "fail"}
    assert failing == EXPECTED_FAIL, {r: before[r]["message"] for r in failing ^ EXPECTED_FAIL}

    for rule in sorted(FIXED_BY_COMMANDS):
        lines = [
            line for line in before[rule]["remediation"]
            # no systemd and no daemons in a lab root: reloads are moot, the rules read files
            if line.strip() and not line.startswith(("#", "systemctl", "chronyc"))
        ]
        assert lines, f"{rule} has no generated commands"
        script = " && ".join(lines)
        proc = district.ictops("cmd", f"sh -c {shlex.quote(script)}", "--sudo", "-l", "srv-bad")
        assert proc.returncode == 0, (rule, proc.stdout, proc.stderr)

    after = live_audit(district)
    for rule in FIXED_BY_COMMANDS:
        assert after[rule]["status"] == "pass", (rule, after[rule]["message"])
    still = {rule for rule, r in after.items() if r["status"] == "fail"}
    assert still == EXPECTED_FAIL - FIXED_BY_COMMANDS
