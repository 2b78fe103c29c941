"""The report's patch section: from each server's latest real listing (state/patches/),
security first, held packages, reboots; unknown with why where the listing could not tell,
a newer LNX-PATCH-01 result winning over an older listing; a stopped rollout's untouched hosts."""

from __future__ import annotations

import datetime as dt
import json

from ictops.facts import AptChange, AptSimulation, RebootNeed
from ictops.facts.patches import combine
from ictops.patchlog import latest_listings, save_listing
from ictops.project import Project
from ictops.report.model import PendingPatches, ReportData
from ictops.report.render import render_html
from ictops.report.scores import compliance_scores
from ictops.report.sources import patch_states

SEC = ("lab-security:ictops-security",)
WHEN = dt.datetime(2026, 11, 20, 19, 0, tzinfo=dt.timezone.utc)


def _listings(project: Project) -> None:
    full = AptSimulation((AptChange("hello", "1.0-1", "1.1-1", ("lab:ictops",)),
                          AptChange("kernel", "1.0-1", "1.1-1", SEC)))
    save_listing(project, "srv-a", combine(full, AptSimulation((full.changes[1],)), ("tools",),
                                           RebootNeed(True, ("kernel",)), 60.0), "patch list", "r1", WHEN)
    save_listing(project, "srv-b", combine(AptSimulation(), None, (), RebootNeed(False), 60.0),
                 "audit", "r2", WHEN)
    save_listing(project, "srv-c", combine(AptSimulation(), AptSimulation(), (), RebootNeed(False), 60.0),
                 "patch", "r3", WHEN)


def test_states_from_the_latest_listings(tmp_path) -> None:
    project = Project.at(tmp_path)
    _listings(project)
    a, b, c = patch_states(None, [], "en", latest_listings(project))
    assert (a.host, a.state, a.count, a.security, a.updates, a.held, a.reboot, a.checked_at) == (
        "srv-a", "pending", 2, 1, ("kernel 1.0-1 -> 1.1-1 [security]", "hello 1.0-1 -> 1.1-1"),
        ("tools",), ("kernel",), WHEN)
    assert (b.state, b.reason) == ("unknown", "no security source in apt's sources: security fixes cannot be told")
    assert (c.state, c.count) == ("none", 0)
    assert patch_states(None, ["srv-a"], "en", latest_listings(project), WHEN - dt.timedelta(days=1))[0].state == (
        "unknown")  # the listing is newer than the period: never checked within it
    (thai,) = [p for p in patch_states(None, [], "th", latest_listings(project)) if p.host == "srv-b"]
    assert thai.reason == "ไม่มีแหล่งแพตช์ความปลอดภัยในแหล่งของ apt จึงแยกแพตช์ความปลอดภัยไม่ได้"

    html = render_html(ReportData.from_records([], patches=[a, b, c], now=WHEN), "en")
    assert "kernel 1.0-1 -&gt; 1.1-1 [security], hello 1.0-1 -&gt; 1.1-1" in html
    assert "2 pending (Security 1)" in html
    assert "unknown</span>: no security source" in html
    assert "needed (kernel)" in html


def test_a_newer_rule_result_wins_over_an_older_listing(tmp_path) -> None:
    project = Project.at(tmp_path)
    _listings(project)
    (tmp_path / "state" / "compliance").mkdir(parents=True)
    (tmp_path / "state" / "compliance" / "a.json").write_text(json.dumps({"time": "2026-11-21T10:00:00Z", "hosts": {
        "srv-a": {"results": [{"rule": "LNX-PATCH-01", "severity": "high", "status": "pass"}]}}}))
    states = {p.host: p for p in patch_states(compliance_scores(project.state_dir), [], "en",
                                              latest_listings(project))}
    assert (states["srv-a"].state, states["srv-a"].updates) == ("none", ())
    assert states["srv-c"].checked_at == WHEN  # no rule result: its listing


def test_never_no_pending_patches_without_a_listing() -> None:
    html = render_html(ReportData.from_records([]), "th")
    assert "ไม่มีแพตช์ที่รอติดตั้ง" not in html
    assert "ยังไม่มีผลการตรวจแพตช์" in html


def test_stopped_rollout_lists_untouched_hosts() -> None:
    records = [
        {"time": "2026-11-20T19:00:00Z", "run_id": "R", "process": 2, "step": 5, "host": "srv-1",
         "action": "patch", "status": "failed"},
        {"time": "2026-11-20T19:01:00Z", "run_id": "R", "process": 2, "step": 5, "host": None,
         "action": "playbook.end", "status": "failed",
         "data": {"untouched": ["srv-2", "srv-3"]}},
    ]
    data = ReportData.from_records(records, now=WHEN)
    assert data.runs[0].untouched == ("srv-2", "srv-3")
    html = render_html(data, "en")
    assert "never touched (the run stopped before their batch): srv-2, srv-3" in html


def test_the_conclusion_counts_servers_with_security_updates_only() -> None:
    """Updates that are not security fixes are listed, but the conclusion's 'security
    patches pending' counts only servers with security fixes (or a failed LNX-PATCH-01)."""
    patches = [PendingPatches("srv-a", "pending", 2, security=0, checked_at=WHEN),
               PendingPatches("srv-b", "pending", 3, security=1, checked_at=WHEN),
               PendingPatches("srv-c", "pending", 9, checked_at=WHEN)]  # from LNX-PATCH-01 FAIL
    html = render_html(ReportData.from_records([], patches=patches, now=WHEN), "en")
    assert "Security patches: 2 servers with pending updates, 0 unknown, of 3." in html
