"""The prompt that ends a command's output, on every switch family ictops talks to."""

from __future__ import annotations

import pytest

from ictops.connections.switch import any_prompt


@pytest.mark.parametrize(
    "base,tail",
    [
        ("SW1", "SW1#"),
        ("SW1", "SW1(config-if)#"),
        ("SW1", "SW1>"),
        ("HUAWEI", "<HUAWEI>"),
        ("HUAWEI", "[~HUAWEI-GigabitEthernet0/0/1]"),
        ("HP-2530", "HP-2530# "),  # ProCurve: a space after the prompt
        ("HP-2530", "HP-2530(vlan-10)# "),
        ("[admin@MikroTik]", "[admin@MikroTik] > "),  # RouterOS: "] >", and inside a menu
        ("[admin@MikroTik]", "[admin@MikroTik] /ip service> "),
    ],
)
def test_prompt_found_at_the_end(base: str, tail: str) -> None:
    assert any_prompt(base).search(f"some output\n{tail}")


@pytest.mark.parametrize(
    "base,text",
    [
        ("SW1", "SW1 uptime is 3 weeks > 2 days\nmore"),
        ("[admin@MikroTik]", "[admin@MikroTik] > /export\n# by RouterOS 7.10.1\n"),  # the echo
    ],
)
def test_output_is_not_a_prompt(base: str, text: str) -> None:
    assert not any_prompt(base).search(text)


class _Stop(Exception):
    pass


@pytest.mark.parametrize(
    "platform,expected",
    [("mikrotik_routeros", "admin+ct511w4098h"), ("hp_procurve", "admin"), ("ruijie_os", "admin")],
)
def test_login_name_is_the_drivers(monkeypatch, tmp_path, platform: str, expected: str) -> None:
    """netmiko's RouterOS driver asks for a plain 511-column terminal in the login name; the
    login ictops makes for netmiko must send that name."""
    from ictops.connections import switch
    from ictops.inventory.host import Host

    sent: list[str | None] = []

    def login(host, creds, known_hosts, *, allow_agent, username=None):
        sent.append(username)
        raise _Stop

    monkeypatch.setattr(switch, "login", login)
    host = Host(name="sw", hostname="127.0.0.1", platform_name=platform, username="admin")
    with pytest.raises(_Stop):
        switch.open_switch_session(host, tmp_path, tmp_path / "known_hosts")
    assert sent == [expected]
