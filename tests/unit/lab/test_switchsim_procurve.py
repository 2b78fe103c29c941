"""The simulated HP ProCurve's command line and config store, in process (no sockets); over SSH
with netmiko: tests/integration/backup/test_procurve_lab.py."""

from __future__ import annotations

import pytest

from ictops.backup.guards import check_config
from ictops.backup.normalize import normalize_config
from ictops.lab.switchsim.configs import PROFILES, initial_config
from ictops.lab.switchsim.configtree import ConfigTree
from ictops.lab.switchsim.device import Device
from ictops.lab.switchsim.grammar import load_grammar
from ictops.lab.switchsim.procurve import MORE, PAGE_LINES, ProCurveCli
from ictops.lab.switchsim.spec import DeviceSpec
from ictops.platforms import get_platform


def _cli(profile: str = "typical") -> ProCurveCli:
    spec = DeviceSpec(
        name="sw-hp", address="127.0.9.3", port=2222, platform="hp_procurve", hostname="SW-HP",
        username="admin", password="pw", enable_secret="en", host_key="", state_file="",
        profile=profile,
    )
    return ProCurveCli(Device(spec, persist=False))


def _running(cli: ProCurveCli) -> list[str]:
    return cli.device.running.render(cli.grammar.style)


@pytest.mark.parametrize("profile", PROFILES)
def test_config_is_printed_as_provision_prints_it(profile: str) -> None:
    style = load_grammar("hp_procurve").style
    text = initial_config("hp_procurve", "SW-HP", profile)
    rendered = ConfigTree.parse(text, style).render(style)
    assert rendered == text.rstrip("\n").split("\n")  # the template is already show-run form
    assert "!" not in rendered and "end" not in rendered  # no separators, no end marker
    for i, line in enumerate(rendered):  # every context closed by its exit
        if line.startswith(("vlan ", "interface ")):
            j = i + 1
            while rendered[j].startswith("   ") and rendered[j] != "   exit":
                j += 1
            assert rendered[j] == "   exit", (line, rendered[j])
    output = _cli(profile).handle("show running-config").output
    normalised = normalize_config(output, get_platform("hp_procurve"), "show running-config")
    assert check_config(normalised, get_platform("hp_procurve"), "running-config") is None
    assert normalised.splitlines()[0].startswith("; Ver #")


def test_prompts_and_contexts() -> None:
    cli = _cli()
    assert cli.press_any_key and "Press any key to continue" in cli.greeting()
    assert cli.prompt() == "SW-HP# "
    cli.handle("configure")
    assert cli.prompt() == "SW-HP(config)# "
    cli.handle("vlan 10")
    assert cli.prompt() == "SW-HP(vlan-10)# "
    cli.handle("exit")
    cli.handle("interface 5")
    assert cli.prompt() == "SW-HP(eth-5)# "
    cli.handle("end")
    assert cli.prompt() == "SW-HP# "
    cli.handle("configure terminal")
    assert cli.prompt() == "SW-HP(config)# "


def test_names_are_quoted_and_the_prompt_follows_the_hostname() -> None:
    cli = _cli()
    cli.handle("config")
    cli.handle("hostname SCH-1")
    cli.handle("vlan 20")
    cli.handle("name PUPILS")
    assert cli.prompt() == "SCH-1(vlan-20)# "
    lines = _running(cli)
    assert 'hostname "SCH-1"' in lines and '   name "PUPILS"' in lines
    assert '   name "STUDENT"' not in lines  # a VLAN's name is one line


def test_features_on_by_default_are_shown_off_only() -> None:
    cli = _cli("typical")
    cli.handle("configure")
    assert "no web-management" not in _running(cli)
    cli.handle("no web-management")
    assert "no web-management" in _running(cli)
    cli.handle("web-management")
    cli.handle("telnet-server")
    assert not [line for line in _running(cli) if "web-management" in line or "telnet" in line]


def test_refused_line_changes_nothing() -> None:
    cli = _cli()
    before = _running(cli)
    cli.handle("configure")
    assert cli.handle("frobnicate all").output == "Invalid input: frobnicate all"
    assert _running(cli) == before


def test_write_memory_and_the_logout_questions() -> None:
    cli = _cli()
    cli.handle("configure")
    cli.handle("time timezone 480")
    cli.handle("end")
    assert cli.handle("show config").output.count("time timezone 420") == 1
    reply = cli.handle("logout")
    assert reply.output == "Do you want to save the current configuration [y/n/^C]? "
    assert cli.handle("n").output == "Do you want to log out [y/n]? "
    assert cli.handle("n").close is False  # stays
    cli.handle("write memory")
    assert "time timezone 480" in cli.handle("show config").output
    assert cli.handle("logout").output == "Do you want to log out [y/n]? "
    assert cli.handle("y").close is True


def test_paging_until_no_page() -> None:
    cli = _cli()
    assert cli.page_lines == PAGE_LINES and MORE.startswith("-- MORE --")
    cli.handle("no page")
    assert cli.page_lines is None
    cli.handle("page")
    assert cli.page_lines == PAGE_LINES
