"""Secrets a device sends are never shown nor logged (issue 8 item 6).

Two simulated switches with the "noncompliant" configuration (plain-text passwords, SNMP
communities) and one server; `ictops cmd` prints, `--json` and `-vv` logs are read for them.
"""

from __future__ import annotations

import json
import stat

import pytest

from tests.integration.district import make_project, start_district, stop_district
from tests.net import LAB

pytestmark = pytest.mark.lab

LEAKY = f"""\
sw-leaky-cisco:
  hostname: {LAB}.41.2
  groups: [cisco, school_a]
  data: {{lab: {{profile: noncompliant}}}}
sw-leaky-huawei:
  hostname: {LAB}.41.3
  groups: [huawei, school_a]
  data: {{lab: {{profile: noncompliant}}}}
"""
# In the noncompliant configurations (ictops/lab/switchsim/templates/*.j2).
DEVICE_SECRETS = ("Sch00l@2019", "community public", "community private", "community read public",
                  "password 0 cisco")


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("secrets"), servers=[f"{LAB}.41.1"], cisco=[],
                           huawei=[], extra_hosts=LEAKY)
    d = start_district(project)
    try:
        yield d
    finally:
        stop_district(d)


def login_password(district) -> str:
    return (district.project.root / "state/lab/switch-password").read_text().strip()


def assert_clean(text: str, district) -> None:
    for secret in (*DEVICE_SECRETS, login_password(district)):
        assert secret not in text, f"{secret!r} shown in:\n{text[:3000]}"


SHOW_CONFIG = {"sw-leaky-cisco": "show running-config", "sw-leaky-huawei": "display current-configuration"}


@pytest.mark.parametrize("host, line", [("sw-leaky-cisco", "snmp-server community <removed>"),
                                        ("sw-leaky-huawei", "snmp-agent community read <removed>")])
def test_running_config_is_masked_in_the_table(district, host, line):
    proc = district.ictops("cmd", SHOW_CONFIG[host], "-l", host)
    assert proc.returncode == 0, proc.stderr
    assert line in proc.stdout  # the line is still there, its value is not
    assert_clean(proc.stdout + proc.stderr, district)


@pytest.mark.parametrize("host", sorted(SHOW_CONFIG))
def test_running_config_is_masked_in_json(district, host):
    code, out = district.ictops_json("cmd", SHOW_CONFIG[host], "-l", host)
    assert code == 0, out
    assert "<removed>" in out["results"][0]["output"]
    assert_clean(json.dumps(out), district)


def test_server_output_and_the_command_itself_are_masked(district):
    code, out = district.ictops_json("cmd", "echo DB_PASSWORD=hunter2; echo api_key: Zx81Qw",
                                     "-l", "srv-1")
    assert code == 0, out
    assert out["command"] == "echo DB_PASSWORD=<removed>; echo api_key: <removed>"
    assert out["results"][0]["output"] == "DB_PASSWORD=<removed>\napi_key: <removed>\n"


def test_debug_log_is_masked_and_private(district):
    root = district.project.root
    state, logs, log = root / "state", root / "state/logs", root / "state/logs/ictops.log"
    # a state/ and a log made by an older ictops, readable by everyone, are tightened
    state.chmod(0o755)
    logs.chmod(0o755)
    log.touch()
    log.chmod(0o644)
    proc = district.ictops("-vv", "cmd", "show running-config", "-l", "sw-leaky-cisco")
    assert proc.returncode == 0, proc.stderr
    text = log.read_text(encoding="utf-8")
    assert "DEBUG netmiko: write_channel" in text  # the device dialogue was logged (masked:
    assert_clean(text + proc.stderr, district)     # test_masking.py, the log formatter)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_output_dir_files_are_masked(district, tmp_path):
    """`cmd --output-dir` keeps each host's whole output on disk: masked like the table."""
    where = tmp_path / "whole"
    proc = district.ictops("cmd", "show running-config", "-l", "sw-leaky-cisco",
                           "--output-dir", str(where))
    assert proc.returncode == 0, proc.stderr
    saved = (where / "sw-leaky-cisco.out").read_text(encoding="utf-8")
    assert "snmp-server community <removed>" in saved
    assert_clean(saved, district)
    key = ("echo '-----BEGIN OPENSSH PRIVATE KEY-----'; echo b3BlbnNzaC1rZXktdjEAAAAA; "
           "echo '-----END OPENSSH PRIVATE KEY-----'")
    proc = district.ictops("cmd", f"echo DB_PASSWORD=hunter2; {key}", "-l", "srv-1",
                           "--output-dir", str(where))
    assert proc.returncode == 0, proc.stderr
    assert (where / "srv-1.out").read_text(encoding="utf-8") == (
        "DB_PASSWORD=<removed>\n-----BEGIN OPENSSH PRIVATE KEY-----\n<removed>\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
    )
