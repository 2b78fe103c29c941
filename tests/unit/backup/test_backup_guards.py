"""Guards: empty, truncated and shrunken captures never replace the last good backup."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup_fakes import corpus, switch_host

from ictops.backup.guards import (
    check_config,
    check_end_marker,
    check_not_empty,
    check_shrink,
    max_shrink_for,
    quarantine,
)
from ictops.backup.normalize import normalize_config
from ictops.errors import InputError
from ictops.platforms import get_platform

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
