"""Masking hides values, not words (issue 8 item 6, issue 9 §4), in both directions.

Every platform's patterns (and the generic ``password=...`` layer) run over ordinary
messages ictops and SSH servers print: nothing may change. Then every kind of real secret
those patterns exist for must still be masked.
"""

from __future__ import annotations

import pytest

from ictops.masking import MASK, Masker, mask_text, remember_secret
from ictops.platforms import platforms

ALL_PLATFORMS = [None, *sorted(platforms())]

# Messages a person reads: ictops's own errors and hints, sshd's, sudo's, paramiko's.
ORDINARY = [
    "sw-1 refused the login; check username, ssh_key or password in the inventory",
    "authentication failed: check username, ssh_key or password",
    "password authentication failed for user admin",
    "Permission denied (publickey,password).",
    "sudo: a password is required",
    "sudo: a terminal is required to read the password; either use the -S option",
    "inventory/hosts.yaml:12: host 'sw-1': secret file state/lab/x is readable by others; run: chmod 600 state/lab/x",
    "secret file state/lab/switch-password cannot be read (No such file or directory); create it with the secret on one line, mode 0600",
    "inventory/groups.yaml:21: group 'switches': secret file state/lab/switch-password can be read by others (mode 0644); run: chmod 600 /p/state/lab/switch-password",
    "host 'a': secret file /p/fifo: a FIFO, not a regular file; ictops reads only regular files: put the real file here",
    "environment variable SW_PASS is not set; export SW_PASS=... before running ictops",
    "host 'sw-1': key 'enable_secret' must be a mapping; write {env: NAME} or {file: path/to/secret-file}",
    "plaintext secrets are not allowed in the inventory; write {env: VARIABLE_NAME} or {file: path/to/secret-file}",
    "data key 'snmp_community' looks like a secret: write {env: NAME} or {file: PATH} instead of the value",
    "enable secret is not set for sw-1; add enable_secret: {env: NAME} to the host or its group",
    "the community string is read from the inventory",
    "token expired for user x",
    "no matching cipher found: client aes128-ctr server chacha20",
    "Incompatible ssh peer (no acceptable ciphers)",
    "the switch refused the command: ^",
    "key exchange failed; the host key is not in state/known_hosts",
    "a password prompt did not appear within 10 s",
    "the enable password is wrong or not set",
]

# (platform, text, what must not be shown)
SECRETS = [
    ("cisco_ios", "enable secret 9 $9$nK3q0bXsOe1aEE$Zr8vJqH3xk2m", "$9$nK3q0bXsOe1aEE"),
    ("cisco_ios", "enable password Sch00l@2019", "Sch00l@2019"),
    ("cisco_ios", "username admin privilege 15 password 0 Sch00l@2019", "Sch00l@2019"),
    ("cisco_ios", "username admin privilege 15 secret 9 $9$Qw2eR4tY6uI8oP$aS1d", "$9$Qw2eR4tY6uI8oP"),
    ("cisco_ios", "snmp-server community PuBl1cRO RO", "PuBl1cRO"),
    ("cisco_ios", "snmp-server community public RO", "public"),
    ("cisco_ios", "snmp-server host 10.0.0.5 version 2c S3cr3tComm", "S3cr3tComm"),
    ("cisco_ios", " neighbor 10.0.0.1 password 7 0822455D0A16", "0822455D0A16"),
    ("cisco_ios", " password 0 cisco", "cisco"),
    ("cisco_ios", " password letmein", "letmein"),
    ("cisco_ios", "tacacs-server key 7 0822455D0A16", "0822455D0A16"),
    ("cisco_ios", " key-string 7 0822455D0A16", "0822455D0A16"),
    ("cisco_ios", "snmp-server user ops ICT-RO v3 auth sha AuthPa55 priv aes 128 PrivPa55", "AuthPa55"),
    ("cisco_ios", " dot1x username ap1 password Wif1Pass", "Wif1Pass"),
    ("huawei_vrp", " local-user admin password cipher Sch00l@2019", "Sch00l@2019"),
    ("huawei_vrp", " local-user admin password irreversible-cipher $1a$Vz3kP8q2mN$", "$1a$Vz3kP8q2mN$"),
    ("huawei_vrp", "snmp-agent community read public", "public"),
    ("huawei_vrp", "snmp-agent community write cipher %^%#abc%^%#", "%^%#abc%^%#"),
    ("huawei_vrp", " ospf authentication-mode md5 1 cipher %^%#xyz", "%^%#xyz"),
    ("hp_procurve", 'password manager user-name admin sha1 "0123abcd"', "0123abcd"),
    ("hp_procurve", 'snmp-server community "CommStr" operator', "CommStr"),
    ("linux", "password = hunter2", "hunter2"),
    ("linux", "DB_PASSWORD=hunter2", "hunter2"),
    ("linux", "  api_key: abcd1234efgh", "abcd1234efgh"),
    ("linux", "rocommunity PubComm 10.0.0.0/8", "PubComm"),
    ("linux", "    wpa-psk S3cretPsk", "S3cretPsk"),
    ("linux", "url = https://backup:Pa55w0rd@files.example/x", "Pa55w0rd"),
    (None, "mysql --password=hunter2 -u root", "hunter2"),
    (None, "curl --token 0123456789abcdef https://x", "0123456789abcdef"),
    (None, "login with password hunter2 now", "hunter2"),
    (None, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA"),
]


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_messages_are_left_alone(platform, message):
    assert mask_text(message, platform) == message


@pytest.mark.parametrize("platform, text, secret", SECRETS)
def test_real_secrets_are_masked(platform, text, secret):
    masked = mask_text(text, platform)
    assert secret not in masked and MASK in masked, masked


@pytest.mark.parametrize("platform, text, secret", [s for s in SECRETS if s[0] is not None])
def test_unknown_platform_masks_with_every_rule(platform, text, secret):
    assert secret not in mask_text(text, None)


def test_known_values_are_masked_anywhere():
    masker = Masker("linux", ["S3cret-pw"])
    assert masker("echo S3cret-pw | sudo -S true; x=S3cret-pwS3cret-pw") == (
        f"echo {MASK} | sudo -S true; x={MASK}{MASK}"
    )


def test_a_resolved_secret_is_masked_everywhere_after(monkeypatch, tmp_path):
    from ictops.secrets import SecretRef

    monkeypatch.setenv("ICTOPS_TEST_REMEMBERED", "rem3mber-me-42")
    assert SecretRef(env="ICTOPS_TEST_REMEMBERED").resolve(tmp_path) == "rem3mber-me-42"
    assert mask_text("output: rem3mber-me-42.", "linux") == f"output: {MASK}."
    remember_secret("")  # empty values are ignored, never mask everything
    assert mask_text("plain text", None) == "plain text"


def test_every_log_line_is_masked():
    """-vv logs the device dialogue: the log's formatter masks it like everything shown."""
    import logging

    from ictops.cli.main import _MaskingFormatter

    remember_secret("Lab-Pass-77")
    config = "snmp-server community PubComm RO\nenable password Sch00l@2019\nlogin Lab-Pass-77"
    record = logging.LogRecord("netmiko", logging.DEBUG, __file__, 1, "read_channel: %s", (config,), None)
    assert _MaskingFormatter("%(name)s: %(message)s").format(record) == (
        "netmiko: read_channel: snmp-server community <removed> RO\n"
        "enable password <removed>\nlogin <removed>"
    )


def test_masking_writer_masks_lines_split_across_writes():
    """A stream written in arbitrary pieces comes out as mask_text would mask it whole."""
    import io

    from ictops.masking import Masker, MaskingWriter, mask_text

    parts = (b"DB_PASS", b"WORD=x1\nand hun", b"ter22\n-----BEGIN RSA PRIVATE KEY-----\nMIIE",
             b"abc\n-----END RSA PRIVATE KEY-----\n\xff\xfe raw ", b"y" * 100, b"\nlast")
    out = io.BytesIO()
    w = MaskingWriter(out, Masker(None, ["hunter22"]), max_line=64)
    for part in parts:
        w.write(part)
    w.close()
    assert out.getvalue() == (
        b"DB_PASSWORD=<removed>\nand <removed>\n-----BEGIN RSA PRIVATE KEY-----\n<removed>\n"
        b"-----END RSA PRIVATE KEY-----\n\xff\xfe raw " + b"y" * 100 + b"\nlast"
    )
    whole = b"".join(parts).decode("utf-8", "surrogateescape")
    assert out.getvalue() == mask_text(whole, None, ["hunter22"]).encode("utf-8", "surrogateescape")
