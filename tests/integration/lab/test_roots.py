"""Lab servers in their own Debian roots (debootstrap + overlayfs + chroot sshd), 127.N.18.1-3."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.compliance import evaluate, load_pack
from ictops.compliance.evidence import LiveEvidence
from ictops.compliance.verdicts import Verdict
from ictops.connections.server import open_server_session
from ictops.facts import Facts
from ictops.lab import roots
from tests.integration.lab.rooted import rooted_district
from tests.net import LAB

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
PROFILES = {"srv-typ": "typical", "srv-ok": "compliant", "srv-bad": "noncompliant"}
ADDRESSES = {"srv-typ": f"{LAB}.18.1", "srv-ok": f"{LAB}.18.2", "srv-bad": f"{LAB}.18.3"}
# the LNX rules that files and `sshd -T` decide (no clock, no journal, no apt needed)
OFFLINE_LNX = [
    "LNX-TIME-02",
    "LNX-LOG-01",
    "LNX-LOG-03",
    "LNX-LOG-04",
    "LNX-SSH-01",
    "LNX-SSH-02",
    "LNX-SSH-03",
    "LNX-SSH-04",
    "LNX-SSH-05",
    "LNX-SSH-06",
]


@pytest.fixture(scope="module")
def rooted(tmp_path_factory):
    servers = {name: (ADDRESSES[name], profile) for name, profile in PROFILES.items()}
    with rooted_district(tmp_path_factory.mktemp("roots"), servers) as district:
        yield district


def _outputs(district, command: str, *args: str) -> dict[str, str]:
    code, data = district.ictops_json("cmd", command, *args)
    assert code == 0, data
    return {r["host"]: r["output"].strip() for r in data["results"]}


def test_each_server_has_its_own_root(rooted):
    assert _outputs(rooted, "cat /etc/hostname") == {name: name for name in PROFILES}
    assert _outputs(rooted, "hostname") == {name: name for name in PROFILES}  # own UTS namespace
    # the sessions see the Debian root, not the host's filesystem
    assert set(_outputs(rooted, "test -e /etc/ictops-lab/created && echo rooted").values()) == {
        "rooted"
    }


def test_a_change_in_one_root_stays_there(rooted):
    _outputs(rooted, "echo mine > /home/ictops/only-here", "-l", "srv-typ")
    seen = _outputs(rooted, "cat /home/ictops/only-here 2>/dev/null || echo absent")
    assert seen == {"srv-typ": "mine", "srv-ok": "absent", "srv-bad": "absent"}
    assert roots.base_dir().joinpath("home/ictops/only-here").exists() is False


def test_passwordless_sudo_in_the_root(rooted):
    assert set(_outputs(rooted, "sudo -n true && echo sudo-ok").values()) == {"sudo-ok"}


def test_sshd_T_shows_the_roots_own_config(rooted):
    seen = _outputs(
        rooted, "/usr/sbin/sshd -T | grep -E '^(permitrootlogin|passwordauthentication) '", "--sudo"
    )
    assert "permitrootlogin no" in seen["srv-ok"] and "passwordauthentication no" in seen["srv-ok"]
    assert (
        "permitrootlogin yes" in seen["srv-bad"] and "passwordauthentication yes" in seen["srv-bad"]
    )
    assert (
        "permitrootlogin without-password" in seen["srv-typ"]
    )  # Debian's default (prohibit-password)


def _offline_lnx_verdicts(district, name: str) -> dict[str, Verdict]:
    pack = load_pack(REPO / "rules" / "th-baseline.yaml")
    host = district.inventory.host(name)
    with open_server_session(host, district.project.root, district.project.known_hosts) as session:
        result = evaluate(pack, host, LiveEvidence(Facts(host, lambda: session), host),
                          rule_ids=OFFLINE_LNX)
    return {r.rule_id: r.status for r in result.results}


def test_profiles_match_the_rule_pack(rooted):
    compliant = _offline_lnx_verdicts(rooted, "srv-ok")
    assert compliant == {rule: Verdict.PASS for rule in OFFLINE_LNX}, compliant
    noncompliant = _offline_lnx_verdicts(rooted, "srv-bad")
    assert noncompliant == {rule: Verdict.FAIL for rule in OFFLINE_LNX}, noncompliant


def test_status_shows_the_root(rooted):
    code, data = rooted.ictops_json("lab", "status")
    assert code == 0, data
    assert {d["name"]: d["root"] for d in data} == {
        name: f"debian/{profile} (mounted)" for name, profile in PROFILES.items()
    }


def test_down_leaves_no_mount_and_no_process_and_up_keeps_the_server(rooted):
    lab_dir = rooted.project.lab_dir.resolve()
    merged = [roots.RootPaths(lab_dir / "roots" / name).merged for name in PROFILES]
    # a daemon left behind by a session must not keep the root busy
    _outputs(rooted, "nohup sleep 300 >/dev/null 2>&1 </dev/null & echo started", "-l", "srv-bad")
    assert roots.processes_in(merged[2])
    rooted.lab.down()
    assert [m for m in roots.mounts() if m.startswith(str(lab_dir))] == []
    assert [pid for m in merged for pid in roots.processes_in(m)] == []
    # up again: the server comes back as it was (its own layer is kept)
    rooted.lab.up(timeout=30)
    assert _outputs(rooted, "cat /home/ictops/only-here", "-l", "srv-typ") == {"srv-typ": "mine"}
    rooted.lab.down()
    assert [m for m in roots.mounts() if m.startswith(str(lab_dir))] == []
