"""Normalisation: volatile lines go, everything else stays (real IOS and ProCurve configs)."""

from __future__ import annotations

import re

import pytest
from backup_fakes import corpus

from tests.fixtures import corpus_files

from ictops.backup.normalize import line_changes, normalize_config, normalize_output
from ictops.platforms import get_platform

IOS = get_platform("cisco_ios")
IOS_FILES = [n.split("/", 1)[1] for n in corpus_files() if n.startswith("cisco_ios/")]
VOLATILE_SAMPLES = (
    "Building configuration",
    "Current configuration :",
    "! Last configuration change",
    "! NVRAM config last updated",
)


@pytest.mark.parametrize("name", IOS_FILES)
def test_ios_corpus_keeps_config_and_drops_volatile_lines(name: str) -> None:
    raw = corpus(f"cisco_ios/{name}")
    text = normalize_config(raw, IOS, "show running-config")
    assert not any(s in text for s in VOLATILE_SAMPLES)
    assert text.rstrip().splitlines()[-1] == "end"
    assert re.search(r"^hostname \S+", text, re.MULTILINE)
    assert normalize_config(text, IOS) == text  # idempotent
    kept = [
        line.rstrip()
        for line in raw.splitlines()
        if line.strip() and not any(s in line for s in VOLATILE_SAMPLES)
    ]
    assert [line for line in text.splitlines() if line.strip()] == kept


def test_unchanged_device_with_new_timestamps_compares_equal() -> None:
    raw = corpus("cisco_ios/batfish-lv-iosxe-acl.cfg")
    later = (
        raw.replace("22:31:24 UTC Wed Mar 31 2021", "01:00:00 UTC Sat Nov 21 2026")
        .replace("Current configuration : 2859 bytes", "Current configuration : 2861 bytes")
        .replace("\n!\nversion", "\n!\nntp clock-period 17179865\nversion", 1)
    )
    assert later != raw
    assert normalize_config(later, IOS) == normalize_config(raw, IOS)


def test_transport_remnants_go() -> None:
    raw = "show running-config\r\nhostname sw1   \r\n!\r\nend\r\nsw1#"
    text = normalize_config(raw, IOS, "show running-config")
    assert text == "hostname sw1\n!\nend\n"
    echoed = normalize_config(
        "sw1#show running-config\nhostname sw1\nend\nsw1#\n", IOS, "show running-config"
    )
    assert echoed == "hostname sw1\nend\n"
    assert normalize_config("\x1b[2Khostname sw1\nend\n", IOS) == "hostname sw1\nend\n"


def test_empty_and_prompt_only_output_is_empty() -> None:
    assert normalize_config("", IOS) == ""
    assert normalize_config("\r\n  \r\nsw1#", IOS, "show running-config") == ""


def test_procurve_header_dropped_config_kept() -> None:
    platform = get_platform("hp_procurve")
    raw = "Running configuration:\n\n" + corpus("hp_procurve/hpeimc-2530-final.cfg")
    text = normalize_config(raw, platform)
    assert "Running configuration" not in text and "Configuration Editor" not in text
    assert 'hostname "HP-2530-24G-PoEP"' in text


def test_vrp_volatile() -> None:
    platform = get_platform("huawei_vrp")
    raw = (
        "!Software Version V200R011C10SPC500\n!Last configuration was updated at 2026-11-20\n"
        "#\nsysname core\n#\nreturn\n<core>"
    )
    assert (
        normalize_config(raw, platform, "display current-configuration") == "sysname core\nreturn\n"
    )


def test_command_output_volatile_lines() -> None:
    out = "Timezone=Asia/Bangkok\r\nTimeUSec=Sat 2026-11-21 01:00:00 +07\nNTP=yes  \n"
    assert normalize_output(out, [re.compile(r"^TimeUSec=")]) == "Timezone=Asia/Bangkok\nNTP=yes\n"


def test_line_changes() -> None:
    assert line_changes("a\nb\nc\n", "a\nB\nc\nd\n") == (2, 1)
