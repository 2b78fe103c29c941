"""Catch-up order and nights unreachable, read from a real audit trail."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ictops.audit.show import read_records
from ictops.audit.trail import AuditTrail
from ictops.clock import BANGKOK
from ictops.inventory import load_inventory
from ictops.schedule.catchup import (
    WINDOW_SKIP,
    catch_up_order,
    night_of,
    repair_requests,
    unreachable_streaks,
)
from tests.conftest import REPO

NIGHTLY = "playbooks/nightly.yaml"
HOSTS = ["a", "b", "c", "d"]


class Trail:
    """Writes runs into a real hash-chained trail with a clock the test sets."""

    def __init__(self, path: Path):
        self.now = datetime(2026, 11, 27, 2, 0, tzinfo=BANGKOK)
        self.trail = AuditTrail(path, clock=lambda: self.now)
        self.path = path

    def run(self, when: str, statuses: dict[str, str], playbook: str = NIGHTLY, check: bool = False,
            skipped_by: str | None = None, error: str = "connect timed out") -> None:
        self.now = datetime.fromisoformat(when).replace(tzinfo=BANGKOK)
        run_id = f"run-{when}"
        for host, status in statuses.items():
            data = {"playbook": playbook, **({"check": True} if check else {})}
            if status == "skipped" and skipped_by:
                data["skipped_by"] = skipped_by
            self.trail.append(action="backup", status=status, host=host, run_id=run_id, data=data,
                              summary=error if status == "unreachable" else "ok",
                              error_kind="unreachable" if status == "unreachable" else None)

    def records(self) -> list[dict]:
        self.trail.sync()
        return list(read_records(self.path))


@pytest.fixture
def trail(tmp_path):
    t = Trail(tmp_path / "trail.jsonl")
    yield t
    t.trail.close()


def test_unreachable_and_window_skipped_hosts_go_first(trail):
    trail.run("2026-11-30T02:00", {"a": "ok", "b": "unreachable", "c": "ok", "d": "ok"})
    trail.run("2026-12-01T02:00", {"a": "ok", "b": "ok", "c": "skipped", "d": "unreachable"},
              skipped_by=WINDOW_SKIP)
    assert catch_up_order(trail.records(), NIGHTLY, HOSTS) == ["c", "d", "a", "b"]


def test_what_does_not_count(trail):
    trail.run("2026-12-01T02:00", {"a": "ok", "b": "skipped", "c": "failed", "d": "ok"})  # a when: skip
    trail.run("2026-12-01T09:00", {"c": "unreachable"}, check=True)  # check mode changes nothing
    trail.run("2026-12-01T10:00", {"d": "unreachable"}, playbook="playbooks/backup.yaml")
    assert catch_up_order(trail.records(), NIGHTLY, HOSTS) == HOSTS


def test_a_limited_run_does_not_hide_the_others(trail):
    trail.run("2026-11-30T02:00", {"a": "ok", "b": "unreachable", "c": "unreachable", "d": "ok"})
    trail.run("2026-11-30T10:00", {"b": "ok"})  # ictops run ... -l b, by hand the next morning
    assert catch_up_order(trail.records(), NIGHTLY, HOSTS) == ["c", "a", "b", "d"]


def test_nights_in_a_row(trail):
    trail.run("2026-11-27T02:00", {"a": "ok", "b": "unreachable", "c": "ok"})
    trail.run("2026-11-28T02:00", {"a": "unreachable", "b": "unreachable", "c": "ok"})
    trail.run("2026-11-28T02:30", {"a": "unreachable"})  # a second try the same night
    trail.run("2026-11-29T02:00", {"a": "unreachable", "b": "unreachable", "c": "unreachable"})
    trail.run("2026-11-29T23:00", {"a": "unreachable", "b": "unreachable"}, error="No route to host")
    streaks = unreachable_streaks(trail.records())
    assert {h: s.nights for h, s in streaks.items()} == {"a": 3, "b": 4, "c": 1}
    b = streaks["b"]
    assert b.since == datetime(2026, 11, 27, 2, 0, tzinfo=BANGKOK)
    assert b.last_attempt == datetime(2026, 11, 29, 23, 0, tzinfo=BANGKOK)
    assert (b.last_error, b.error_kind) == ("No route to host", "unreachable")


def test_a_reached_night_ends_the_streak_and_a_night_without_a_run_does_not(trail):
    trail.run("2026-11-26T02:00", {"a": "unreachable"})
    trail.run("2026-11-27T02:00", {"a": "ok"})
    trail.run("2026-11-28T02:00", {"a": "unreachable"})
    # no run on the night of 28 Nov (an excluded date)
    trail.run("2026-11-30T02:00", {"a": "unreachable"})
    assert unreachable_streaks(trail.records())["a"].nights == 2
    trail.run("2026-11-30T14:00", {"a": "ok"})  # reached by hand in the afternoon
    assert "a" not in unreachable_streaks(trail.records())


def test_night_is_noon_to_noon():
    assert str(night_of(datetime(2026, 12, 2, 2, 0, tzinfo=BANGKOK))) == "2026-12-01"
    assert str(night_of(datetime(2026, 12, 1, 22, 0, tzinfo=BANGKOK))) == "2026-12-01"
    assert str(night_of(datetime(2026, 12, 2, 12, 0, tzinfo=BANGKOK))) == "2026-12-02"


def test_repair_requests_for_hosts_unreachable_three_nights(trail):
    inventory = load_inventory(REPO / "inventory", REPO)
    switch = next(h for h in inventory.hosts.values() if h.is_switch and h.school)
    server = next(h for h in inventory.hosts.values() if h.is_server)
    for night in ("2026-11-28", "2026-11-29", "2026-11-30"):
        trail.run(f"{night}T02:00", {switch.name: "unreachable", server.name: "unreachable"})
    trail.run("2026-11-30T03:00", {server.name: "ok"})  # the server came back on the last night
    good = datetime(2026, 11, 27, 2, 5, tzinfo=BANGKOK)
    made = repair_requests(unreachable_streaks(trail.records()), inventory.hosts.values(),
                           {switch.name: good}, nights=3)
    assert [(r.host, r.school, r.school_code, r.site, r.device, r.nights, r.last_good_backup)
            for r in made] == [(switch.name, switch.school.name, switch.school.code, switch.site,
                                f"switch ({switch.platform_name})", 3, good)]
    assert made[0].since == datetime(2026, 11, 28, 2, 0, tzinfo=BANGKOK)
    assert made[0].last_error == "connect timed out"
    assert repair_requests(unreachable_streaks(trail.records()), inventory.hosts.values(), {},
                           nights=4) == []


def test_nights_setting(tmp_path):
    from ictops.project import Project
    from ictops.settings import SettingsError, load_settings

    (tmp_path / "inventory").mkdir()
    defaults = tmp_path / "inventory" / "defaults.yaml"
    assert load_settings(Project.at(tmp_path)).unreachable_nights == 3
    defaults.write_text("data:\n  unreachable_nights: 5\n", encoding="utf-8")
    assert load_settings(Project.at(tmp_path)).unreachable_nights == 5
    defaults.write_text("data:\n  office: x\n  unreachable_nights: 0\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="inventory/defaults.yaml:3: settings: key 'unreachable_nights'"):
        load_settings(Project.at(tmp_path))
