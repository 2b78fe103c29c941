"""The config parser on the traps real configs hold."""

from __future__ import annotations

import re

from ictops.compliance.configtree import candidates, literal_head, parse_config


def test_inline_and_multiline_banners_are_not_config():
    text = (
        "hostname a\nbanner login ^CThis is monitored!\nline vty 0 4\n^C\n"
        "banner motd #one line#\nbanner exec ^C\nntp server 1.1.1.1\n! not a comment\n^C\nntp server 2.2.2.2\nend\n"
    )
    tree = parse_config(text, "cisco_ios")
    texts = [n.text for n in tree.roots]
    assert texts == [
        "hostname a",
        "banner login ^C",
        "banner motd #",
        "banner exec ^C",
        "ntp server 2.2.2.2",
    ]
    assert tree.roots[1].body == ("This is monitored!", "line vty 0 4")
    assert tree.roots[2].body == ("one line",)
    assert not tree.sections(re.compile("^line vty"))


def test_certificate_block_negation_split_vty_and_text_after_end():
    text = (
        "!\n! Last configuration change\nno aaa new-model\naaa new-model\n"
        "crypto pki certificate chain TP-self-signed-1\n certificate self-signed 01\n  3082032E 30820216\n  \tquit\n"
        "line vty 0\n transport input ssh\nline vty 1 4\n transport input telnet\nend\n"
        "R1#show clock\nline vty 5 15\n"
    )
    tree = parse_config(text, "cisco_ios")
    assert [n.text for n in tree.roots] == [
        "no aaa new-model",
        "aaa new-model",
        "crypto pki certificate chain TP-self-signed-1",
        "line vty 0",
        "line vty 1 4",
    ]
    assert tree.roots[2].children[0].children[-1].text == "quit"
    assert [s.text for s in tree.sections(re.compile("^line vty"))] == [
        "line vty 0",
        "line vty 1 4",
    ]
    assert tree.has_end and tree.after_end == 2
    assert tree.comments == 2


def test_procurve_blank_lines_exit_and_wrapped_hashes():
    text = (
        '; J9773A Configuration Editor\n\nhostname "sw"\n\nvlan 10\n\n   name "mgmt"\n\n   exit\n\n'
        'password manager user-name "admin" sha1\n "5baa61e4"\n\nsnmp-server community "public"\n'
    )
    tree = parse_config(text, "hp_procurve")
    assert [n.text for n in tree.roots] == [
        'hostname "sw"',
        "vlan 10",
        'password manager user-name "admin" sha1 "5baa61e4"',
        'snmp-server community "public"',
    ]
    assert [c.text for c in tree.roots[1].children] == ['name "mgmt"']
    assert tree.roots[3].line == 14


def test_vrp_separators_and_return():
    text = "#\nsysname a\n#\ninterface Vlanif99\n ip address 10.0.0.1 24\n#\nreturn\nafter\n"
    tree = parse_config(text, "huawei_vrp")
    assert [n.text for n in tree.roots] == ["sysname a", "interface Vlanif99"]
    assert tree.has_end and tree.after_end == 1


def test_literal_head_index():
    assert literal_head(re.compile(r"^ntp server (\S+)")) == ("ntp", True)
    assert literal_head(re.compile(r"^ntp(?:-service)? unicast")) == ("ntp", False)
    assert literal_head(re.compile(r"^(?:ntp|sntp) server")) is None
    assert literal_head(re.compile(r"^a|^b")) is None
    assert literal_head(re.compile(r"^ntps?")) is None
    tree = parse_config(
        "ntp server 1.1.1.1\nntp-service unicast-server x\nhostname a\n", "cisco_ios"
    )
    assert [n.text for n in candidates(re.compile(r"^ntp(?:-service)? "), tree)] == [
        "ntp server 1.1.1.1",
        "ntp-service unicast-server x",
    ]
