"""Backups of the families without an IOS-like end marker or saved config: HP ProCurve, Ruijie
RGOS, MikroTik RouterOS. Data-driven over the real configs in tests/fixtures/corpus: the guards
pass them and refuse junk and cut captures; volatile lines do not make a change; no secret
survives masking."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from backup_fakes import FakeSwitch, commits, corpus, switch_host

from ictops.actions.backup import BackupAction
from ictops.backup.guards import check_config
from ictops.backup.normalize import normalize_config
from ictops.backup.store import BackupStore
from ictops.masking import mask_diff, mask_secrets
from ictops.platforms import get_platform
from ictops.project import Project
from ictops.results import ErrorKind, Status
from tests.drive import drive
from tests.fixtures import corpus_files

FAMILIES = ("hp_procurve", "ruijie_os", "mikrotik_routeros")
FILES = [name for name in corpus_files() if name.split("/")[0] in FAMILIES]


def _normalised(name: str) -> tuple[str, str]:
    platform = name.split("/")[0]
    return platform, normalize_config(corpus(name), get_platform(platform))


def test_every_family_has_corpus_configs() -> None:
    assert {name.split("/")[0] for name in FILES} == set(FAMILIES)


@pytest.mark.parametrize("name", FILES)
def test_real_configs_pass_the_guards(name: str) -> None:
    platform, text = _normalised(name)
    assert check_config(text, get_platform(platform), "running-config") is None


@pytest.mark.parametrize("platform", FAMILIES)
def test_junk_is_refused(platform: str) -> None:
    target = get_platform(platform)
    noise = random.Random(7).randbytes(3000).decode("utf-8", "replace")
    hostname = {
        "hp_procurve": 'hostname "sw"\nvlan 1\n   exit\n',
        "ruijie_os": "hostname sw\n",
        "mikrotik_routeros": "# by RouterOS 7.16\n",
    }[platform]
    end = "end\n" if target.end_marker else ""
    lorem = hostname + "lorem ipsum dolor\n" * 200 + end
    for junk, reason in [
        ("", "empty output"),
        (hostname + noise + "\n" + end, "not text"),  # 3,000 random bytes, then the end
        (lorem, "does not look like"),
    ]:
        refusal = check_config(junk, target, "running-config")
        assert refusal is not None and reason in refusal.reason, (junk[:40], refusal)


def _cuts(text: str) -> list[str]:
    lines = text.splitlines()
    return ["\n".join(lines[:n]) + "\n" for n in range(1, len(lines))]


@pytest.mark.parametrize("name", [n for n in FILES if n.startswith("ruijie_os/")])
def test_ruijie_every_cut_is_refused(name: str) -> None:
    platform, text = _normalised(name)
    for cut in _cuts(text):
        refusal = check_config(cut, get_platform(platform), "running-config")
        assert refusal is not None, cut[-80:]


@pytest.mark.parametrize("name", [n for n in FILES if n.startswith("hp_procurve/")])
def test_procurve_cut_inside_a_section_or_before_vlan_1_is_refused(name: str) -> None:
    """ProVision prints no end marker: a capture cut inside a context (before its `exit`) or
    before the `vlan 1` block every config has is refused. A cut between two top-level lines
    after `vlan 1` cannot be told from a whole config (the shrink guard catches it against
    the last good backup)."""
    platform, text = _normalised(name)
    target = get_platform(platform)
    refused = 0
    for cut in _cuts(text):
        last = [line for line in cut.splitlines() if line.strip()][-1]
        before_vlan_1 = "vlan 1" not in cut.splitlines()
        inside = last.startswith("   ") and last.strip() != "exit"
        refusal = check_config(cut, target, "running-config")
        if before_vlan_1 or inside:
            assert refusal is not None, (name, last)
            refused += 1
        else:  # the known limit, said in docs/backup.md
            assert refusal is None, (name, last, refusal)
    assert refused > len(_cuts(text)) // 2


def test_procurve_refusal_names_the_open_section() -> None:
    text = normalize_config(corpus("hp_procurve/hpeimc-2920-final.cfg"), get_platform("hp_procurve"))
    lines = text.splitlines()
    cut_at = max(i for i, line in enumerate(lines) if line.startswith("   ") and line.strip() != "exit")
    cut = "\n".join(lines[: cut_at + 1]) + "\n"
    refusal = check_config(cut, get_platform("hp_procurve"), "running-config")
    assert refusal is not None
    assert f"the section ending at line {cut_at + 1}" in refusal.reason
    assert "is not closed by" in refusal.reason and "truncated" in refusal.reason


@pytest.mark.parametrize("name", [n for n in FILES if n.startswith("mikrotik_routeros/")])
def test_routeros_cut_in_a_wrapped_line_is_refused(name: str) -> None:
    _, text = _normalised(name)
    wrapped = text.replace("add address=192.168", "add address=\\\n    192.168", 1)
    if wrapped == text:
        wrapped = text.replace("set enabled=yes", "set \\\n    enabled=yes", 1)
    assert "\\\n" in wrapped
    target = get_platform("mikrotik_routeros")
    assert check_config(wrapped, target, "running-config") is None
    cut = wrapped[: wrapped.index("\\\n") + 2]
    refusal = check_config(cut, target, "running-config")
    assert refusal is not None and "continues on a line that never came" in refusal.reason


# (platform, raw capture, the same config captured another time)
VOLATILE = [
    (
        "hp_procurve",
        "Running configuration:\n\n; J9773A Configuration Editor; Created on release #YA.16.10.0009\n"
        '; Ver #14:01.4c\nhostname "sw"\nvlan 1\n   name "DEFAULT_VLAN"\n   exit\n',
        "Startup configuration: 7\n\n; J9773A Configuration Editor; Created on release #YA.16.11.0002\n"
        '; Ver #14:01.4c\nhostname "sw"\nvlan 1\n   name "DEFAULT_VLAN"\n   exit\n',
    ),
    (
        "ruijie_os",
        "Building configuration...\nCurrent configuration : 1234 bytes\n\n!\nhostname sw\n!\nend\n",
        "Building configuration...\nCurrent configuration : 1299 bytes\n\n!\nhostname sw\n!\nend\n",
    ),
    (
        "mikrotik_routeros",
        "# jan/02/1970 00:22:56 by RouterOS 6.48.6\n# software id = XF27-WJ41\n/interface ethernet\n"
        "set [ find default-name=ether5 ] poe-out=off\n# poe-out status: short_circuit\n",
        "# jan/03/1970 09:01:02 by RouterOS 6.48.6\n# software id = XF27-WJ41\n/interface ethernet\n"
        "set [ find default-name=ether5 ] poe-out=off\n",
    ),
    (
        "mikrotik_routeros",
        "# 2024-10-25 06:08:35 by RouterOS 7.10.1\n# software id =\n/ip address\n"
        "add address=192.168.129.7/24 interface=ether1 network=192.168.129.0\n# ether1 not ready\n",
        "# 2024-10-26 07:00:00 by RouterOS 7.10.1\n# software id =\n/ip address\n"
        "add address=192.168.129.7/24 interface=ether1 network=192.168.129.0\n",
    ),
]


@pytest.mark.parametrize("platform,first,second", VOLATILE)
def test_volatile_lines_make_no_change(platform: str, first: str, second: str) -> None:
    target = get_platform(platform)
    one, two = normalize_config(first, target), normalize_config(second, target)
    assert one == two and one.strip()


def test_routeros_header_keeps_its_version() -> None:
    """An upgrade is a change worth seeing: only the time of the header goes."""
    target = get_platform("mikrotik_routeros")
    six = normalize_config("# jan/02/1970 00:22:56 by RouterOS 6.48.6\n/ip dns\nset servers=1.1.1.1\n", target)
    assert six.splitlines()[0] == "# by RouterOS 6.48.6"
    seven = normalize_config("# 2024-10-25 06:08:35 by RouterOS 7.10.1\n/ip dns\nset servers=1.1.1.1\n", target)
    assert seven.splitlines()[0] == "# by RouterOS 7.10.1" and seven != six


def test_routeros_community_masked_in_plain_export_and_in_diffs() -> None:
    export = (
        "/snmp community\nset [ find default=yes ] addresses=10.0.0.0/8 name=school-ro\n"
        "add name=ict-rw write-access=yes\n/interface vlan\nadd interface=ether1 name=vlan20\n"
        "/interface wireless security-profiles\n"
        'add mode=dynamic-keys name=staff wpa2-pre-shared-key="Sch00l Wifi!"\n'
    )
    masked = mask_secrets(export, "mikrotik_routeros")
    for secret in ("school-ro", "ict-rw", "Sch00l Wifi!"):
        assert secret not in masked
    assert "name=vlan20" in masked and "name=staff" in masked  # other sections keep their names
    # a hunk that starts below the section line: masked too (too much beats a leak)
    diff = "@@ -7,2 +7,2 @@\n-add name=school-ro\n+add name=school-v2\n"
    assert "school" not in mask_diff(diff, "mikrotik_routeros")


def _project(store: BackupStore) -> Project:
    return Project.at(store.path.parent.parent)


def test_routeros_backup_has_no_startup_config(store: BackupStore) -> None:
    """RouterOS writes every change at once: only running-config.txt is kept, nothing is
    called 'unsaved', and a new export time makes no commit."""
    raw = corpus("mikrotik_routeros/oxidized-chr-7.10.1.cfg")
    session = FakeSwitch(raw)
    session.startup_config = None  # type: ignore[assignment]  # never asked for
    host = switch_host(platform="mikrotik_routeros")

    def run(run_id: str):
        action = BackupAction(store=store)
        return drive(_project(store), action, [host], {host.name: session}, run_id=run_id).results[0]

    first = run("r1")
    assert first.status is Status.CHANGED, first.message
    assert "unsaved" not in first.message and first.payload.running_equals_startup is None
    host_dir: Path = store.host_dir(host.name)
    assert sorted(p.name for p in host_dir.iterdir()) == ["meta.json", "running-config.txt"]
    assert (host_dir / "running-config.txt").read_text().startswith("# by RouterOS 7.10.1\n")
    session.running = raw.replace("2024-10-25 06:08:35", "2024-10-26 01:00:00")
    assert run("r2").status is Status.OK
    session.running = raw.replace("/ip dhcp-client\nadd interface=ether1\n", "")
    third = run("r3")
    assert third.status is Status.CHANGED and "-2 lines" in third.message
    assert len(commits(store)) == 3  # the store's first commit, r1, r3


def test_procurve_backup_of_a_cut_capture_keeps_the_last_good(store: BackupStore) -> None:
    raw = corpus("hp_procurve/hpeimc-3800-final.cfg")
    session = FakeSwitch(raw)
    host = switch_host(platform="hp_procurve")

    def run(run_id: str):
        action = BackupAction(store=store)
        return drive(_project(store), action, [host], {host.name: session}, run_id=run_id).results[0]

    assert run("r1").status is Status.CHANGED
    good = (store.host_dir(host.name) / "running-config.txt").read_text()
    lines = raw.splitlines()
    inside = max(i for i, line in enumerate(lines) if line.startswith("   ") and line.strip() != "exit")
    session.running = "\n".join(lines[: inside + 1]) + "\n"
    cut = run("r2")
    assert cut.status is Status.FAILED and cut.error_kind is ErrorKind.INVALID_OUTPUT
    assert "is not closed by" in cut.message
    assert (store.host_dir(host.name) / "running-config.txt").read_text() == good
