"""The lab's three Debian-root servers audited from their backups and live give the same
verdicts; the compliant one scores 100 either way, with no ERROR.

A root runs no service manager: timedatectl is not installed, chronyd is not running,
systemd-analyze is missing. Those commands are N/A with the reason (never "failed"), the
rules that read them are N/A, and the files the rules read (journald.conf.d...) are in the
backup, so a backup audit reads what a live audit reads.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.compliance.lab import rules_district
from tests.integration.district import District
from tests.integration.lab.rooted import require_roots
from tests.net import LAB

pytestmark = pytest.mark.lab

PROFILES = ("compliant", "typical", "noncompliant")
HOSTS = "".join(
    f"srv-{profile}:\n  hostname: {LAB}.63.{i}\n  groups: [servers, school_a]\n"
    f"  data: {{lab: {{root: debian, profile: {profile}}}}}\n"
    for i, profile in enumerate(PROFILES, 1)
)
NOT_APPLICABLE = {
    "timedatectl": "timedatectl is not installed",
    "chrony_tracking": "chronyd is not running",
    "chrony_sources": "chronyd is not running",
    "journald_config": "systemd-analyze is not installed",
}


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    require_roots()
    with rules_district(tmp_path_factory.mktemp("server-evidence"), HOSTS) as d:
        yield d


def _audit(d: District, *mode: str) -> dict[str, dict]:
    proc = d.ictops("audit", *mode, "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {host["host"]: host for host in json.loads(proc.stdout)["hosts"]}


def _linux(host: dict) -> dict[str, tuple[str, str]]:
    results = host["results"]
    return {r["rule"]: (r["status"], r["message"]) for r in results if r["rule"][:4] == "LNX-"}


def test_backup_and_live_audits_agree_and_the_compliant_server_scores_100(district):
    code, document = district.ictops_json("backup")
    assert code == 0, document
    for result in document["results"]:
        assert result["data"]["commands_failed"] == {}, result
        assert result["data"]["commands_na"] == NOT_APPLICABLE, result
        assert "failed" not in result["message"]

    from_backup = _audit(district, "--live-rules")  # as the nightly playbook audits
    live = _audit(district, "--live")
    for name in (f"srv-{p}" for p in PROFILES):
        backup_verdicts = {k: v[0] for k, v in _linux(from_backup[name]).items()}
        live_verdicts = {k: v[0] for k, v in _linux(live[name]).items()}
        assert backup_verdicts == live_verdicts, name
        assert from_backup[name]["score"] == live[name]["score"], name

    for document in (from_backup, live):
        good = document["srv-compliant"]
        assert good["score"] == 100.0
        assert {k: good["counts"][k] for k in ("fail", "warn", "error")} == {
            "fail": 0, "warn": 0, "error": 0
        }
        rules = _linux(good)
        assert rules["LNX-TIME-01"] == (
            "n/a", "timedatectl is not installed ('timedatectl' cannot run on this host)"
        )
        assert rules["LNX-TIME-03"] == (
            "n/a", "chronyd is not running ('chrony_tracking' cannot run on this host)"
        )
        assert rules["LNX-LOG-01"][0] == "pass"  # journald.conf.d read from the backup too
        assert _linux(document["srv-typical"])["LNX-LOG-01"] == (
            "n/a",
            "no journald on this host (systemd-analyze is not installed, no journald.conf)",
        )
        assert {r for r, v in _linux(document["srv-noncompliant"]).items() if v[0] == "fail"} == {
            "LNX-PATCH-01", "LNX-TIME-02", "LNX-LOG-01", "LNX-LOG-03", "LNX-LOG-04",
            "LNX-SSH-01", "LNX-SSH-02", "LNX-SSH-03", "LNX-SSH-04", "LNX-SSH-05", "LNX-SSH-06",
        }
