"""Guards: empty, truncated and shrunken captures never replace the last good backup."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from backup_fakes import corpus, switch_host

from ictops.backup.guards import (
    check_config,
    check_end_marker,
    check_not_empty,
    check_shape,
    check_shrink,
    max_shrink_for,
    quarantine,
)
from ictops.backup.normalize import normalize_config
from ictops.errors import InputError
from ictops.lab.switchsim.configs import PROFILES, initial_config
from ictops.platforms import get_platform
from tests.fixtures import corpus_files

IOS = get_platform("cisco_ios")
CONFIG = normalize_config(corpus("cisco_ios/batfish-lv-as2dept1.cfg"), IOS)


def test_complete_config_passes() -> None:
    assert check_config(CONFIG, IOS, "running-config") is None


def test_empty_refused() -> None:
    refusal = check_not_empty("  \n", "running-config")
    assert refusal is not None and "empty output" in refusal.reason and not refusal.quarantine
    assert check_config("", IOS, "running-config") is not None


def test_truncated_refused() -> None:
    truncated = "\n".join(CONFIG.splitlines()[:60]) + "\n"
    refusal = check_end_marker(truncated, IOS, "running-config")
    assert (
        refusal is not None and "no end marker" in refusal.reason and "truncated" in refusal.reason
    )


def test_text_after_end_refused() -> None:
    refusal = check_end_marker(CONFIG + "interface Vlan1\n", IOS, "running-config")
    assert refusal is not None and "follows the end marker" in refusal.reason


def test_vrp_needs_return() -> None:
    vrp = get_platform("huawei_vrp")
    assert check_end_marker("sysname a\nreturn\n", vrp, "running-config") is None
    assert check_end_marker("sysname a\n", vrp, "running-config") is not None


def test_procurve_fallback_marker() -> None:
    hp = get_platform("hp_procurve")
    config = normalize_config(corpus("hp_procurve/hpeimc-2530-final.cfg"), hp)
    assert check_config(config, hp, "running-config") is None
    assert check_config("vlan 1\n   exit\n", hp, "running-config") is not None


def test_shrink_quarantined_over_the_limit_only() -> None:
    half = "\n".join(CONFIG.splitlines()[: len(CONFIG.splitlines()) // 3]) + "\nend\n"
    refusal = check_shrink(half, CONFIG, 0.5, "running-config")
    assert refusal is not None and refusal.quarantine
    assert "shrank from" in refusal.reason and "limit -50%" in refusal.reason
    assert check_shrink(half, CONFIG, 0.9, "running-config") is None
    assert check_shrink(CONFIG, CONFIG, 0.5, "running-config") is None
    assert check_shrink(half, None, 0.5, "running-config") is None  # first backup


def test_max_shrink_setting() -> None:
    assert max_shrink_for(switch_host()) == 0.5
    assert max_shrink_for(switch_host(), 0.3) == 0.3
    assert max_shrink_for(switch_host(max_shrink=0.8)) == 0.8
    with pytest.raises(InputError, match="max_shrink"):
        max_shrink_for(switch_host(max_shrink="lots"))


def test_quarantine_keeps_capture_and_reason(tmp_path: Path) -> None:
    first = quarantine(tmp_path, "sw-01", "running-config", "hostname x\n", "too small")
    second = quarantine(tmp_path, "sw-01", "running-config", "hostname y\n", "too small again")
    assert first != second and first.parent == tmp_path / "sw-01"
    assert first.read_text() == "hostname x\n"
    assert first.with_suffix(".reason").read_text() == "too small\n"
    assert oct(first.stat().st_mode & 0o777) == "0o600"


# -- shape: a config must look like one of its platform (issue 8 item 7) -------------------
@pytest.mark.parametrize("name", corpus_files())
def test_every_corpus_config_looks_like_its_platform(name: str) -> None:
    platform = get_platform(name.split("/")[0])
    config = normalize_config(corpus(name), platform)
    assert check_config(config, platform, "running-config") is None


@pytest.mark.parametrize("platform_name", ["cisco_ios", "huawei_vrp"])
@pytest.mark.parametrize("profile", PROFILES)
def test_every_lab_switch_config_looks_like_its_platform(platform_name: str, profile: str) -> None:
    platform = get_platform(platform_name)
    config = normalize_config(initial_config(platform_name, "SW-LAB", profile), platform)
    assert check_config(config, platform, "running-config") is None


def _lines(config: str, start: int, stop: int) -> str:
    return "\n".join(config.splitlines()[start:stop]) + "\n"


JUNK = random.Random(3).randbytes(3000).decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (JUNK + "\nend\n", "not text ("),
        (CONFIG.replace("interface", "interface\x00", 5), None),  # 5 NULs in 3 KB: still text
        (CONFIG.replace("\n", "\x00\n", 80), "not text ("),
        (CONFIG.replace("!\n", "!" + "x" * 1100 + "\n", 1), "characters long (a cisco_ios"),
        (CONFIG.replace("hostname", "no-hostname"), "no hostname line /^hostname\\s+\\S+/"),
        ("hostname sw1\n" + "lorem ipsum dolor sit amet\n" * 50 + "end\n", "only 2 of 52 top"),
        # the share of known top-level commands: 19 of 28 passes (0.68), 10 of 19 does not
        ("hostname sw1\n" + "".join(f"{w} x\n" for w in ["interface", "ip", "junk"] * 9), None),
        ("hostname sw1\n" + "".join(f"{w} x\n" for w in ["interface", "junk"] * 9), "only 10 of"),
    ],
)
def test_junk_does_not_look_like_a_config(text: str, reason: str | None) -> None:
    refusal = check_shape(text, IOS, "running-config")
    if reason is None:
        assert refusal is None
    else:
        assert refusal is not None and reason in refusal.reason, refusal
        assert refusal.reason.endswith("the last good backup is kept")


def test_thai_descriptions_are_text() -> None:
    config = CONFIG.replace("hostname", "banner motd ^C ห้องผู้อำนวยการ ^C\nhostname", 1)
    assert check_shape(config, IOS, "running-config") is None


def test_vrp_needs_a_sysname_and_procurve_a_hostname() -> None:
    vrp = get_platform("huawei_vrp")
    good = normalize_config(initial_config("huawei_vrp", "HW-1", "typical"), vrp)
    assert check_shape(good, vrp, "running-config") is None
    refusal = check_shape(good.replace("sysname", "sys-name"), vrp, "running-config")
    assert refusal is not None and "no hostname line /^\\s*sysname" in refusal.reason
    hp = get_platform("hp_procurve")
    assert check_shape('vlan 1\n   name "DEFAULT_VLAN"\n', hp, "running-config") is not None
