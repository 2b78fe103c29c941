"""The simulated switch's command-line state machine and config store (no sockets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ictops.errors import LabError
from ictops.lab.switchsim.configs import PROFILES, initial_config
from ictops.lab.switchsim.configtree import ConfigTree
from ictops.lab.switchsim.device import Device
from ictops.lab.switchsim.faults import read_fault, set_fault
from ictops.lab.switchsim.grammar import load_grammar
from ictops.lab.switchsim.ios import IosCli
from ictops.lab.switchsim.spec import DeviceSpec, SimSpec
from ictops.lab.switchsim.vrp import VrpCli


def _spec(platform: str = "cisco_ios", state_file: str = "", **extra: object) -> DeviceSpec:
    fields: dict[str, object] = {
        "name": "sw-test",
        "address": "127.0.9.1",
        "port": 2222,
        "platform": platform,
        "hostname": "SW-TEST" if platform == "cisco_ios" else "HW-TEST",
        "username": "admin",
        "password": "pw",
        "enable_secret": "en",
        "host_key": "",
        "state_file": state_file,
    }
    fields.update(extra)
    return DeviceSpec(**fields)  # type: ignore[arg-type]


def _ios(**extra: object) -> IosCli:
    cli = IosCli(Device(_spec(**extra)))
    cli.handle("enable")
    cli.handle("en")
    return cli


def _run(cli: IosCli | VrpCli, *lines: str) -> str:
    return "\n".join(cli.handle(line).output for line in lines)


def _running(cli: IosCli | VrpCli) -> list[str]:
    return cli.device.running.render(cli.grammar.style)


# -- IOS modes -----------------------------------------------------------------------------
def test_ios_login_prompt_then_enable_with_secret() -> None:
    cli = IosCli(Device(_spec()))
    assert cli.prompt() == "SW-TEST>"
    reply = cli.handle("enable")
    assert reply.output == "Password: " and reply.echo is False
    assert cli.handle("wrong").output == "% Access denied"
    assert cli.prompt() == "SW-TEST>"
    cli.handle("enable")
    cli.handle("en")
    assert cli.prompt() == "SW-TEST#"
    assert cli.handle("show privilege").output == "Current privilege level is 15"
    cli.handle("disable")
    assert cli.prompt() == "SW-TEST>"


def test_ios_privileged_commands_refused_in_user_exec() -> None:
    cli = IosCli(Device(_spec()))
    out = cli.handle("show running-config").output
    assert out.endswith("% Invalid input detected at '^' marker.")
    assert out.split("\n")[0] == " " * len("SW-TEST>show ") + "^"


@pytest.mark.parametrize(
    "lines, prompt",
    [
        (["configure terminal"], "SW-TEST(config)#"),
        (["conf t", "int gi1/0/5"], "SW-TEST(config-if)#"),
        (["conf t", "line vty 0 4"], "SW-TEST(config-line)#"),
        (["conf t", "line console 0"], "SW-TEST(config-line)#"),
        (["conf t", "vlan 50"], "SW-TEST(config-vlan)#"),
        (["conf t", "ip access-list standard MGMT"], "SW-TEST(config-std-nacl)#"),
        (["conf t", "ip access-list extended WEB"], "SW-TEST(config-ext-nacl)#"),
        (["conf t", "router ospf 1"], "SW-TEST(config-router)#"),
        (["conf t", "archive", "log config"], "SW-TEST(config-archive-log-cfg)#"),
        (["conf t", "archive", "log config", "exit"], "SW-TEST(config-archive)#"),
        (["conf t", "int gi1/0/5", "exit"], "SW-TEST(config)#"),
        (["conf t", "int gi1/0/5", "end"], "SW-TEST#"),
        (["conf t", "int gi1/0/5", "\x1a"], "SW-TEST#"),
        (["conf t", "exit"], "SW-TEST#"),
        (["conf t", "hostname CORE-2"], "CORE-2(config)#"),
        (["conf t", "no hostname"], "Switch(config)#"),
    ],
)
def test_ios_mode_prompts(lines: list[str], prompt: str) -> None:
    cli = _ios()
    _run(cli, *lines)
    assert cli.prompt() == prompt


def test_ios_interface_abbreviation_creates_full_name() -> None:
    cli = _ios()
    _run(cli, "conf t", "int gi1/0/30", "description NEW-LAB", "int te1/0/1", "int vl 20", "end")
    config = _running(cli)
    assert "interface GigabitEthernet1/0/30" in config
    assert config[config.index("interface GigabitEthernet1/0/30") + 1] == " description NEW-LAB"
    assert "interface TenGigabitEthernet1/0/1" in config
    assert "interface Vlan20" in config


def test_ios_single_valued_lines_replace_and_others_add() -> None:
    cli = _ios()
    _run(
        cli,
        "conf t",
        "logging trap warnings",
        "logging trap informational",
        "ntp server 10.0.0.1",
        "line vty 0 4",
        "exec-timeout 5 0",
        "transport input ssh telnet",
        "transport input ssh",
        "end",
    )
    config = _running(cli)
    assert [line for line in config if line.startswith("logging trap")] == [
        "logging trap informational"
    ]
    assert "ntp server time.navy.mi.th" in config and "ntp server 10.0.0.1" in config
    vty = config[config.index("line vty 0 4") + 1 : config.index("line vty 5 15")]
    assert vty.count(" exec-timeout 5 0") == 1 and " exec-timeout 30 0" not in vty
    assert [line for line in vty if "transport input" in line] == [" transport input ssh"]


def test_ios_no_removes_lines_and_records_default_on_features() -> None:
    cli = _ios()
    _run(
        cli,
        "conf t",
        "no ip http server",
        "no snmp-server community public RO",
        "no ntp server time.navy.mi.th",
    )
    _run(cli, "line vty 0 4", "no exec-timeout", "end")
    config = _running(cli)
    assert "ip http server" not in config and "no ip http server" in config
    assert not any("community public" in line for line in config)
    assert not any(line.startswith("ntp server") for line in config)
    assert not any("exec-timeout 30 0" in line for line in config)
    _run(cli, "conf t", "ip http server", "end")
    config = _running(cli)
    assert "ip http server" in config and "no ip http server" not in config


def test_ios_invalid_input_changes_nothing() -> None:
    cli = _ios()
    before = _running(cli)
    cli.handle("conf t")
    out = cli.handle("hostnme X").output
    assert out == " " * len("SW-TEST(config)#") + "^\n% Invalid input detected at '^' marker."
    assert cli.handle("interface foo1").output.endswith("% Invalid input detected at '^' marker.")
    assert cli.handle("hostname").output == "% Incomplete command."
    assert _running(cli) == before
    assert cli.prompt() == "SW-TEST(config)#"


def test_ios_unknown_exec_command() -> None:
    out = _ios().handle("shw version").output
    assert out.endswith("% Invalid input detected at '^' marker.")


def test_ios_submode_falls_back_to_global_commands() -> None:
    cli = _ios()
    _run(
        cli,
        "conf t",
        "interface gi1/0/1",
        "description A",
        "interface gi1/0/2",
        "description B",
        "hostname X",
    )
    assert cli.prompt() == "X(config)#"
    config = _running(cli)
    assert config[config.index("interface GigabitEthernet1/0/2") + 1] == " description B"


def test_ios_do_and_show_outputs() -> None:
    cli = _ios()
    cli.handle("conf t")
    assert "WS-C2960X-24TS-L" in cli.handle("do show version").output
    cli.handle("end")
    run = cli.handle("show running-config")
    assert run.kind == "config"
    lines = run.output.splitlines()
    assert lines[0] == "Building configuration..."
    assert lines[2].startswith("Current configuration : ")
    assert lines[4].startswith("! Last configuration change at ")
    assert lines[-1] == "end"
    assert "Clock is synchronized" in cli.handle("show ntp status").output
    assert cli.handle("show ip ssh").output.startswith("SSH Enabled - version 2.0")
    assert "GigabitEthernet1/0/1" in cli.handle("show ip interface brief").output
    assert cli.handle("show running-config | include ^hostname").output == "hostname SW-TEST"


def test_ios_ntp_unsynchronized_without_server() -> None:
    cli = _ios(profile="noncompliant")
    assert "Clock is synchronized" not in cli.handle("show ntp status").output
    assert cli.handle("show clock").output.startswith("*")


def test_ios_write_memory_copies_running_to_startup(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cli = _ios(state_file=str(state))
    _run(cli, "conf t", "snmp-server location ROOM-101", "end")
    assert "snmp-server location ROOM-101" not in cli.device.startup.render(cli.grammar.style)
    assert cli.handle("write memory").output == "Building configuration...\n[OK]"
    assert cli.device.startup.render(cli.grammar.style) == _running(cli)
    saved = json.loads(state.read_text())
    assert "snmp-server location ROOM-101" in saved["startup"]
    # a new process starts from the persisted state
    again = Device(_spec(state_file=str(state)))
    assert "snmp-server location ROOM-101" in again.running.render(again.grammar.style)


def test_ios_copy_run_start_asks_for_destination() -> None:
    cli = _ios()
    _run(cli, "conf t", "hostname NEW", "end")
    assert cli.handle("copy running-config startup-config").output.startswith(
        "Destination filename"
    )
    assert cli.handle("").output.endswith("[OK]")
    assert "hostname NEW" in cli.device.startup.render(cli.grammar.style)


def test_ios_banner_single_and_multi_line() -> None:
    cli = _ios()
    _run(cli, "conf t", "banner motd #Authorized access only#")
    assert "banner motd ^CAuthorized access only^C" in _running(cli)
    assert cli.handle("banner login ^C").output.startswith("Enter TEXT message")
    _run(cli, "School network", "Keep out^C")
    text = "\n".join(_running(cli))
    assert "banner login ^C\nSchool network\nKeep out\n^C" in text
    assert cli.prompt() == "SW-TEST(config)#"


# -- VRP -----------------------------------------------------------------------------------
def test_vrp_views_undo_sysname_and_save() -> None:
    cli = VrpCli(Device(_spec("huawei_vrp")))
    assert cli.prompt() == "<HW-TEST>"
    _run(cli, "system-view")
    assert cli.prompt() == "[HW-TEST]"
    _run(cli, "int g0/0/5")
    assert cli.prompt() == "[HW-TEST-GigabitEthernet0/0/5]"
    _run(cli, "description PRINTER", "quit", "user-interface vty 0 4")
    assert cli.prompt() == "[HW-TEST-ui-vty0-4]"
    _run(cli, "idle-timeout 5 0", "quit", "aaa")
    assert cli.prompt() == "[HW-TEST-aaa]"
    _run(cli, "quit", "undo ntp-service unicast-server time.navy.mi.th", "sysname HW-NEW")
    assert cli.prompt() == "[HW-NEW]"
    _run(cli, "return")
    assert cli.prompt() == "<HW-NEW>"
    config = _running(cli)
    assert config[-1] == "return"
    assert " idle-timeout 5 0" in config and " idle-timeout 30 0" not in config
    assert not any(line.startswith("ntp-service") for line in config)
    assert "sysname HW-NEW" not in cli.device.startup.render(cli.grammar.style)
    assert cli.handle("save").output.endswith("Are you sure to continue?[Y/N]:")
    assert "successfully" in cli.handle("y").output
    assert cli.device.startup.render(cli.grammar.style) == config


def test_vrp_invalid_and_display() -> None:
    cli = VrpCli(Device(_spec("huawei_vrp")))
    out = cli.handle("dispaly version").output
    assert out == " " * len("<HW-TEST>") + "^\nError: Unrecognized command found at '^' position."
    current = cli.handle("display current-configuration")
    assert current.kind == "config" and current.output.splitlines()[-1] == "return"
    assert current.output.startswith("!Software Version ")
    assert cli.handle("display ntp-service status").output.startswith(" clock status: synchronized")
    cli.handle("system-view")
    assert cli.handle("sysnme X").output.endswith(
        "Error: Unrecognized command found at '^' position."
    )
    assert "HUAWEI S5720" in cli.handle("display version").output


# -- config store, profiles, spec, faults ----------------------------------------------------
@pytest.mark.parametrize("platform", ["cisco_ios", "huawei_vrp"])
@pytest.mark.parametrize("profile", PROFILES)
def test_initial_configs_round_trip(platform: str, profile: str) -> None:
    style = load_grammar(platform).style
    text = initial_config(platform, "SW-SCHOOL-01", profile)
    tree = ConfigTree.parse(text, style)
    rendered = tree.render(style)
    assert ConfigTree.parse("\n".join(rendered), style).render(style) == rendered
    assert rendered[-1] == style.end


def test_profiles_differ_where_the_baseline_looks() -> None:
    compliant = initial_config("cisco_ios", "SW-1", "compliant")
    typical = initial_config("cisco_ios", "SW-1", "typical")
    bad = initial_config("cisco_ios", "SW-1", "noncompliant")
    assert "ntp server time1.nimt.or.th" in compliant and "no ip http server" in compliant
    assert "community" not in compliant and "transport input telnet" not in compliant
    assert " exec-timeout 30 0" in typical and "snmp-server community public RO" in typical
    assert "enable password" in bad and "ntp server" not in bad and "exec-timeout 0 0" in bad


def test_parse_keeps_nested_sections_and_banners() -> None:
    style = load_grammar("cisco_ios").style
    text = "!\nhostname A\nbanner motd ^C\nhello\n^C\nrouter bgp 1\n neighbor x\n !\n address-family ipv4\n  neighbor x activate\n exit-address-family\n!\nend\n"
    tree = ConfigTree.parse(text, style)
    assert tree.find(("router bgp 1", "address-family ipv4")) is not None
    assert tree.lines("banner motd")[0] == "banner motd ^C\nhello\n^C"


def test_spec_json_round_trip_and_checks() -> None:
    spec = SimSpec(log_file="/tmp/x.log", faults_dir="/tmp/f", devices=[_spec()])
    assert SimSpec.from_json(spec.to_json()) == spec
    with pytest.raises(LabError, match="not a loopback address"):
        _spec(address="10.0.0.1")
    with pytest.raises(LabError, match="unknown platform"):
        _spec(platform="junos")


def test_set_fault_and_clear(tmp_path: Path) -> None:
    assert read_fault(tmp_path, "sw-1") is None
    set_fault(tmp_path, "sw-1", "stall")
    assert read_fault(tmp_path, "sw-1") == "stall"
    set_fault(tmp_path, "sw-1", None)
    assert read_fault(tmp_path, "sw-1") is None
    with pytest.raises(ValueError):
        set_fault(tmp_path, "sw-1", "explode")
