"""Masking: no secret survives display; the rest of the line stays readable."""

from __future__ import annotations

import pytest
from backup_fakes import corpus

from ictops.masking import MASK, mask_diff, mask_line, mask_secrets

IOS_SECRETS = [
    ("enable secret 9 $9$xxxSECRET_ENABLExxxx", "enable secret 9 <removed>"),
    ("enable password cisco", "enable password <removed>"),
    (
        "username demo privilege 15 secret 5 $1$bOPC$Ledl3D",
        "username demo privilege 15 secret 5 <removed>",
    ),
    ("username ntc password 7 0701354F1F5B4A", "username ntc password 7 <removed>"),
    ("snmp-server community networktocode RO 4", "snmp-server community <removed> RO 4"),
    (
        "snmp-server host 10.42.0.35 vrf Mgmt-vrf informs version 2c COMMSTR  tty",
        "snmp-server host 10.42.0.35 vrf Mgmt-vrf informs version 2c <removed>  tty",
    ),
    (" client 10.42.0.7 server-key 7 RADKEY", " client 10.42.0.7 server-key 7 <removed>"),
    (
        " security wpa psk set-key ascii 0 WLAN SECR3T",
        " security wpa psk set-key ascii 0 <removed>",
    ),
    (
        " mgmtuser username ap password 0 MGMTPW secret 0 MGMTSECR3T",
        " mgmtuser username ap password 0 <removed>",
    ),
    ("crypto isakmp key PSKVALUE address 10.0.0.1", "crypto isakmp key <removed> address 10.0.0.1"),
    (" pre-shared-key local PSKVALUE", " pre-shared-key <removed>"),
    ("tacacs-server key 7 TACKEY", "tacacs-server key 7 <removed>"),
    (" key 7 SRVKEY", " key 7 <removed>"),
    (" key-string 7 CHAINKEY", " key-string 7 <removed>"),
    (
        " standby 1 authentication md5 key-string HSRPKEY",
        " standby 1 authentication md5 key-string <removed>",
    ),
    (" ip ospf message-digest-key 1 md5 OSPFKEY", " ip ospf message-digest-key 1 md5 <removed>"),
    (
        "snmp-server user mon grp v3 auth sha AUTHPW priv aes 128 PRIVPW",
        "snmp-server user mon grp v3 auth sha <removed>",
    ),
    (" neighbor 10.0.0.2 password 7 BGPKEY", " neighbor 10.0.0.2 password 7 <removed>"),
]
IOS_PLAIN = [
    "service password-encryption",
    "no service password-encryption",
    "hostname sw-01",
    "ip ssh server algorithm authentication publickey password",
    " neighbor bb1 send-community",
]

VRP_SECRETS = [
    (
        "local-user admin password irreversible-cipher $1a$HASH$",
        "local-user admin password irreversible-cipher <removed>",
    ),
    (
        " local-user admin password cipher %^%#CIPHER%^%#",
        " local-user admin password cipher <removed>",
    ),
    (
        "snmp-agent community read cipher %^%#COMM%^%# acl 2000",
        "snmp-agent community read cipher <removed> acl 2000",
    ),
    ("super password level 15 cipher %^%#SUPER%^%#", "super password level 15 cipher <removed>"),
    (" pre-shared-key cipher %^%#IKEPSK%^%#", " pre-shared-key cipher <removed>"),
    (
        " radius-server shared-key cipher %^%#RADKEY%^%#",
        " radius-server shared-key cipher <removed>",
    ),
    (
        " ospf authentication-mode md5 1 cipher %^%#OSPFKEY%^%#",
        " ospf authentication-mode md5 1 cipher <removed>",
    ),
    (
        "snmp-agent usm-user v3 mon authentication-mode sha cipher %^%#AUTH%^%#",
        "snmp-agent usm-user v3 mon authentication-mode sha cipher <removed>",
    ),
    (" authentication-mode simple plain OSPFPLAIN", " authentication-mode simple plain <removed>"),
]

LINUX_SECRETS = [
    ("password=Secr3t", "password=<removed>"),
    ("  db_password: 'Secr3t value'", "  db_password: <removed>"),
    ("wpa-psk MyWifiPsk", "wpa-psk <removed>"),
    ("rocommunity s3cret default", "rocommunity <removed> default"),
    (
        "deb https://user:Secr3t@repo.example/debian bookworm main",
        "deb https://user:<removed>@repo.example/debian bookworm main",
    ),
    ('      auth: {key-management: psk, password: "Secr3t"}', None),
    ("PSK=abc123", "PSK=<removed>"),
]


@pytest.mark.parametrize("line,expected", IOS_SECRETS)
def test_ios_secret_lines(line: str, expected: str) -> None:
    assert mask_line(line, "cisco_ios") == expected


@pytest.mark.parametrize("line", IOS_PLAIN)
def test_ios_plain_lines_untouched(line: str) -> None:
    assert mask_line(line, "cisco_ios") == line


@pytest.mark.parametrize("line,expected", VRP_SECRETS)
def test_vrp_secret_lines(line: str, expected: str) -> None:
    assert mask_line(line, "huawei_vrp") == expected


@pytest.mark.parametrize("line,expected", LINUX_SECRETS)
def test_linux_secret_lines(line: str, expected: str | None) -> None:
    masked = mask_line(line, "linux")
    if expected is None:
        assert "Secr3t" not in masked and MASK in masked
    else:
        assert masked == expected
    assert mask_line("PasswordAuthentication no", "linux") == "PasswordAuthentication no"


def test_procurve_lines() -> None:
    assert (
        mask_line('password manager user-name "admin" sha1 "5baa61e4"', "hp_procurve")
        == 'password manager user-name "admin" sha1 <removed>'
    )
    assert (
        mask_line('snmp-server host 10.1.0.3 community "public"', "hp_procurve")
        == "snmp-server host 10.1.0.3 community <removed>"
    )


@pytest.mark.parametrize(
    "name,secrets",
    [
        (
            "cisco_ios/oxidized-c9200l-24p.cfg",
            ["SECRET_ENABLE", "SECRET_OXIDIZED", "AAAAAAAAAABBBBBBBBBB", "public RW"],
        ),
        (
            "cisco_ios/oxidized-c9800-wlc.cfg",
            ["WLANSECR3T", "WLAN SECR3T", "7df35f90", "PASSW0RD", "SECR3T", "REMOVED_SECRET"],
        ),
        (
            "cisco_ios/ntc-netimporter-hou-bb-01.cfg",
            ["09626B023B2F1F", "0701354F1F5B4A", "networktocode"],
        ),
        ("cisco_ios/napalm-csr1-startup.cfg", ["password cisco", "password 0 cisco"]),
        ("hp_procurve/hpeimc-2920-final.cfg", ["5baa61e4", "iMCread", "iMCwrite", '"private"']),
        (  # include-credentials: the hashes wrapped onto lines of their own
            "hp_procurve/oxidized-2930m-48g.cfg",
            ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222",
             '"public"'],
        ),
        (
            "ruijie_os/synthetic-rgos11-school-access.cfg",
            ["teacher2019", "0826521a070d1c12", "15250e0a0b2c6e62",
             "$1$Ab2c$wO4vsKk7yMJdKBm2xqzR3/", "0d1c0b1a1f", "public ro", "2c public"],
        ),
        (
            "mikrotik_routeros/netutils-ccr1036-terse.cfg",
            ["somestringa", "trap-community=somestring", "secret=*****"],
        ),
    ],
)
def test_corpus_configs_leak_nothing(name: str, secrets: list[str]) -> None:
    raw = corpus(name)
    platform = name.split("/")[0]
    masked = mask_secrets(raw, platform)
    for secret in secrets:
        assert secret in raw
        assert secret not in masked
    assert len(masked.splitlines()) == len(raw.splitlines())


def test_private_key_block_masked_on_any_platform() -> None:
    text = (
        "x=1\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\nAAAAB\n"
        "-----END OPENSSH PRIVATE KEY-----\ny=2\n"
    )
    for platform in ("linux", "cisco_ios", None):
        masked = mask_secrets(text, platform)
        assert "b3BlbnNz" not in masked and "AAAAB" not in masked
        assert masked.startswith("x=1\n-----BEGIN OPENSSH PRIVATE KEY-----\n")
        assert masked.endswith("-----END OPENSSH PRIVATE KEY-----\ny=2\n")


def test_unknown_platform_applies_every_rule() -> None:
    assert "Secr3t" not in mask_secrets("enable secret Secr3t\npassword=Secr3t\n", None)


def test_mask_diff_masks_both_sides_keeps_structure() -> None:
    diff = (
        "--- a/running-config.txt\n+++ b/running-config.txt\n@@ -1,3 +1,3 @@\n hostname sw\n"
        "-enable secret 9 OLDSECRET\n+enable secret 9 NEWSECRET\n snmp-server community PUB RO\n"
    )
    masked = mask_diff(diff, "cisco_ios")
    assert "OLDSECRET" not in masked and "NEWSECRET" not in masked and "PUB" not in masked
    assert "-enable secret 9 <removed>\n+enable secret 9 <removed>\n" in masked
    assert masked.startswith(
        "--- a/running-config.txt\n+++ b/running-config.txt\n@@ -1,3 +1,3 @@\n"
    )
