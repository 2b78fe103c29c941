"""The simulated switches check what is typed as the real ones do: the same messages, the same
canonical running-config (the commands ictops computes must mean something here)."""

from __future__ import annotations

import pytest

from tests.unit.switchconfig.sim import SimSwitch, expected_message

IOS_PROMPT = "SW-TEST(config)#"
VRP_PROMPT = "[SW-TEST]"


def _typed(switch: SimSwitch, *lines: str) -> list[str]:
    """What each line printed, in config mode."""
    ios = switch.platform == "cisco_ios"
    switch.cli.handle("configure terminal" if ios else "system-view")
    return [switch.cli.handle(line).output for line in lines]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("ntp sever 1.2.3.4", "{caret:sever}\n% Invalid input detected at '^' marker."),
        ("ntp server", "% Incomplete command."),
        ("ntp serv", "% Incomplete command."),
        ("logging trap loud", "{caret:loud}\n% Invalid input detected at '^' marker."),
        ("ntp s 1.2.3.4", '% Ambiguous command:  "ntp s 1.2.3.4"'),
        ("lo", '% Ambiguous command:  "lo"'),
        ("no logging host", "% Incomplete command."),
        ("clock timezone ICT seven", "{caret:seven}\n% Invalid input detected at '^' marker."),
        (
            "aaa authentication login default local",
            "{caret:authentication}\n% Invalid input detected at '^' marker.",
        ),
        (
            "interface Gigabit1/0/5x",
            "{caret:Gigabit1/0/5x}\n% Invalid input detected at '^' marker.",
        ),
        ("interface Gigabit1/0/5", ""),
        ("interface Bogus1/0/5", "{caret:Bogus1/0/5}\n% Invalid input detected at '^' marker."),
        ("ntp server time1.nimt.or.th prefer", ""),
        ("no clock timezone", ""),
        ("enable secret 9 $9$nK3q0bXsOe1aEE$Zr8vJqH3xk2m", ""),
        ("username admin privilege 15 secret 9 $9$Qw2eR4tY6uI8oP$aS1dF3gH", ""),
        ("username admin privilege", "% Incomplete command."),
    ],
)
def test_ios_messages(line, expected):
    (output,) = _typed(SimSwitch("cisco_ios"), line)
    assert output == expected_message(expected, IOS_PROMPT, line)


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            "ntp-service unicst-server 1.2.3.4",
            "{caret:unicst-server}\nError: Unrecognized command found at '^' position.",
        ),
        ("ntp-service unicast-server", "{end}\nError: Incomplete command found at '^' position."),
        ("info-center loghost", "{end}\nError: Incomplete command found at '^' position."),
        (
            "info-center loghost 10.20.0.300",
            "{caret:10.20.0.300}\nError: Unrecognized command found at '^' position.",
        ),
        ("sysname", "{end}\nError: Incomplete command found at '^' position."),
        (
            "clock timezone ICT plus 07:00:00",
            "{caret:plus}\nError: Unrecognized command found at '^' position.",
        ),
        ("vlan batch 10 to", "{end}\nError: Incomplete command found at '^' position."),
        ("vlan batch to 10", "{caret:to}\nError: Unrecognized command found at '^' position."),
        ("undo info-center loghost 10.20.0.10", ""),
        ("vlan batch 40 41", ""),
    ],
)
def test_vrp_messages(line, expected):
    (output,) = _typed(SimSwitch("huawei_vrp"), line)
    assert output == expected_message(expected, VRP_PROMPT, line)


def test_ios_abbreviations_come_back_in_show_run_form():
    switch = SimSwitch("cisco_ios")
    outputs = _typed(
        switch,
        "ntp serv time1.nimt.or.th",
        "logg 10.20.0.11",
        "logging tr inf",
        "ip domain-name x.go.th",
        "line vty 0 4",
        "exec-timeout 10 0",
        "transport input ssh",
        "exit",
        "ip access-list standard MGMT",
        "10 permit 10.20.99.0 0.0.0.255",
        "20 deny any log",
        "end",
    )
    assert outputs == [""] * len(outputs)
    running = switch.running()
    for line in [
        "ntp server time1.nimt.or.th",
        "logging host 10.20.0.11",
        "logging trap informational",
        "ip domain name x.go.th",
        " permit 10.20.99.0 0.0.0.255",
        " deny   any log",
    ]:
        assert f"\n{line}\n" in running
    vty = running.split("line vty 0 4\n")[1].split("line vty 5 15")[0]
    assert "exec-timeout" not in vty  # 10 0 is the default: never shown


def test_ios_aaa_new_model_takes_login_local_off_the_lines():
    switch = SimSwitch("cisco_ios")
    assert "login local" in switch.running()
    outputs = _typed(switch, "aaa new-model", "line vty 0 4", "login local", "end")
    assert outputs[2].endswith("% Invalid input detected at '^' marker.")
    running = switch.running()
    assert "login local" not in running and "\naaa new-model\n" in running
    assert _typed(switch, "no aaa new-model", "line vty 0 4", "login local", "end") == [""] * 4
    assert "\nno aaa new-model\n" in switch.running()


def test_vrp_vlan_batch_is_a_set():
    switch = SimSwitch("huawei_vrp")
    assert "\nvlan batch 10 20 30 99\n" in switch.running()
    assert (
        _typed(
            switch,
            "vlan batch 40 41 42",
            "undo vlan batch 30 41",
            "vlan 50",
            "description GUEST",
            "quit",
            "undo vlan 10",
            "return",
        )
        == [""] * 7
    )
    running = switch.running()
    assert "\nvlan batch 20 40 42 50 99\n" in running
    assert "\nvlan 50\n description GUEST\n" in running
    _typed(switch, "vlan 50", "undo description", "return")
    assert "\nvlan 50\n" not in switch.running()  # a VLAN without settings has no section


def test_vrp_defaults_are_not_shown_and_undo_by_name():
    switch = SimSwitch("huawei_vrp")
    _typed(
        switch,
        "user-interface vty 0 4",
        "idle-timeout 10 0",
        "quit",
        "undo http server enable",
        "undo snmp-agent community public",
        "return",
    )
    running = switch.running()
    assert "idle-timeout" not in running and "\nundo http server enable\n" in running
    assert "community read public" not in running
    _typed(switch, "http server enable", "return")
    assert "http server enable" not in switch.running()
