"""Secrets in the inventory are references, checked at the door (issue 8 items 6 and 12).

A secret-looking key under ``data:`` (``snmp_password``, ``snmp.community``...) must be a
reference like ``password:``; `inventory check` refuses secret files others can read;
``backup_files`` globs the shell would interpret are refused when the inventory is loaded.
"""

from __future__ import annotations

import os

import pytest

from ictops.inventory import load_inventory
from ictops.secrets import SecretRef
from tests.unit.inventory.test_inventory_errors import error_of, write

HOST = "a:\n  hostname: 1.2.3.4\n  groups: [servers]\n"


@pytest.mark.parametrize(
    "data, line, key",
    [
        ("  data: {snmp_password: X}\n", 4, "snmp_password"),
        ("  data:\n    snmp:\n      community: public\n", 6, "snmp.community"),
        ("  data:\n    notify:\n      bot_token: 123456:ABC\n", 6, "notify.bot_token"),
        ("  data:\n    wifi: {psk: 12345678}\n", 5, "wifi.psk"),
        ("  data:\n    enableSecret: x\n", 5, "enableSecret"),
    ],
)
def test_plaintext_secret_under_data_is_refused(tmp_path, data, line, key):
    text = error_of(write(tmp_path, HOST + data))
    assert text == (
        f"inventory/hosts.yaml:{line}: host 'a': data key '{key}' looks like a secret: write "
        "{env: NAME} or {file: PATH} (a file only you can read) instead of the value"
    )


def test_plaintext_secret_under_group_and_defaults_data(tmp_path):
    text = error_of(write(tmp_path, HOST, groups="servers:\n  platform: linux\n  data:\n    snmp_community: public\n",
                          defaults="data:\n  api_key: abc\n"))
    assert text.splitlines() == [
        "inventory/defaults.yaml:2: defaults: data key 'api_key' looks like a secret: write {env: NAME} "
        "or {file: PATH} (a file only you can read) instead of the value",
        "inventory/groups.yaml:4: group 'servers': data key 'snmp_community' looks like a secret: write "
        "{env: NAME} or {file: PATH} (a file only you can read) instead of the value",
    ]


def test_secret_references_under_data_become_secret_refs(tmp_path, monkeypatch):
    monkeypatch.setenv("SNMP_RO", "c0mmunity-ro")
    inv = write(tmp_path, HOST + "  data:\n    snmp: {community: {env: SNMP_RO}, location: x}\n"
                "    password_min_length: 12\n    secret_file_dir: /etc/ictops\n")
    host = load_inventory(inv, tmp_path).host("a")
    ref = host.data["snmp"]["community"]
    assert isinstance(ref, SecretRef) and ref.resolve(tmp_path) == "c0mmunity-ro"
    assert host.data["password_min_length"] == 12 and host.data["secret_file_dir"] == "/etc/ictops"
    assert [key for key, _ in host.secret_refs()] == ["data.snmp.community"]
    assert "c0mmunity" not in repr(host)


@pytest.mark.parametrize(
    "pattern, words",
    [
        ("/etc/$(reboot)/*.conf", ["mixes glob characters", "list such files one by one"]),
        ("/etc/*`id`", ["mixes glob characters"]),
        ("etc/hosts", ["not an absolute path"]),
        ("/etc/../root/.ssh/*", ["not a normal path"]),
    ],
)
def test_backup_files_the_shell_would_interpret_are_refused_at_load(tmp_path, pattern, words):
    text = error_of(write(tmp_path, HOST + f"  backup_files:\n    - /etc/hosts\n    - '{pattern}'\n"))
    assert text.startswith("inventory/hosts.yaml:6: host 'a': "), text
    for word in words:
        assert word in text, text


def test_plain_file_names_with_shell_characters_are_fine(tmp_path):
    """Without glob characters a name is quoted whole, so '$(' in it is just a character."""
    inv = write(tmp_path, HOST + "  backup_files: ['/etc/odd $(name).conf', /etc/ssh/sshd_config.d/*.conf]\n")
    assert load_inventory(inv, tmp_path).host("a").backup_files[0] == "/etc/odd $(name).conf"


def secret_file(tmp_path, mode: int, name: str = "pw"):
    path = tmp_path / "secrets" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("hunter2\n")
    path.chmod(mode)
    return path


def test_check_refuses_a_secret_file_others_can_read(tmp_path):
    path = secret_file(tmp_path, 0o644)
    inv = write(tmp_path, HOST, groups=f"servers:\n  platform: linux\n  sudo_password: {{file: secrets/pw}}\n")
    load_inventory(inv, tmp_path)  # loading alone does not look at files
    with pytest.raises(Exception) as info:
        load_inventory(inv, tmp_path, check_files=True)
    assert str(info.value) == (
        f"inventory/groups.yaml:3: group 'servers': secret file secrets/pw can be read by others "
        f"(mode 0644); run: chmod 600 {path}"
    )
    path.chmod(0o600)
    load_inventory(inv, tmp_path, check_files=True)


def test_check_refuses_a_secret_file_that_is_not_a_file(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    inv = write(tmp_path, HOST + "  data: {snmp_community: {file: fifo}}\n")
    with pytest.raises(Exception) as info:
        load_inventory(inv, tmp_path, check_files=True)
    assert str(info.value).startswith("inventory/hosts.yaml:4: host 'a': secret file fifo is a FIFO, not a regular file")


def test_resolving_a_fifo_secret_does_not_block(tmp_path):
    from ictops.errors import SecretError

    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(SecretError, match="not a regular file"):
        SecretRef(file="fifo", source="inventory/hosts.yaml, host 'a'").resolve(tmp_path)

