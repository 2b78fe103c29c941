"""Nornir's connection_options in the inventory: what ictops honours, and the errors for the rest.
Nornir's own test inventory is checked as it is: only what ictops cannot honour is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ictops.errors import InputError
from ictops.inventory import load_inventory
from tests.fixtures import fixture

PLUGINS = ("; ictops connects with paramiko (servers) and netmiko (switches) only, so other "
           "plugins' options would never be used: remove them")
PLAINTEXT = ("plaintext secrets are not allowed in the inventory; write {env: VARIABLE_NAME} or "
             "{file: path/to/secret-file}")


def test_check_refuses_only_what_ictops_cannot_honour(tmp_path):
    """The layout itself (connection_options, empty keys) is accepted: what is refused is
    plaintext passwords and plugins ictops does not connect with, each at its line."""
    for name in ("hosts.yaml", "groups.yaml", "defaults.yaml"):
        shutil.copy(fixture(f"nornir_inventory/{name}"), tmp_path / name)
    with pytest.raises(InputError) as info:
        load_inventory(tmp_path, tmp_path)
    assert str(info.value).splitlines() == [
        f"defaults.yaml:5: defaults: key 'password': {PLAINTEXT}",
        f"defaults.yaml:11: defaults: unknown key 'connection_options.dummy'{PLUGINS}",
        f"groups.yaml:6: group 'parent_group': key 'password': {PLAINTEXT}",
        f"groups.yaml:13: group 'parent_group': unknown key 'connection_options.dummy'{PLUGINS}",
        f"groups.yaml:21: group 'parent_group': unknown key 'connection_options.dummy2'{PLUGINS}",
        f"groups.yaml:33: group 'group_1': key 'password': {PLAINTEXT}",
        f"hosts.yaml:6: host 'dev1.group_1': key 'password': {PLAINTEXT}",
        f"hosts.yaml:25: host 'dev1.group_1': key 'connection_options.paramiko.password': {PLAINTEXT}",
        f"hosts.yaml:28: host 'dev1.group_1': unknown key 'connection_options.dummy'{PLUGINS}",
        f"hosts.yaml:57: host 'dev2.group_1': key 'connection_options.paramiko.password': {PLAINTEXT}",
        f"hosts.yaml:60: host 'dev2.group_1': unknown key 'connection_options.dummy2'{PLUGINS}",
        f"hosts.yaml:84: host 'dev3.group_2': unknown key 'connection_options.napalm'{PLUGINS}",
        f"hosts.yaml:113: host 'dev4.group_2': key 'connection_options.paramiko.password': {PLAINTEXT}",
        f"hosts.yaml:120: host 'dev4.group_2': key 'connection_options.netmiko.password': {PLAINTEXT}",
    ]


def write(directory: Path, hosts: str, groups: str = "", defaults: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hosts.yaml").write_text(hosts, encoding="utf-8")
    (directory / "groups.yaml").write_text(groups or "{}\n", encoding="utf-8")
    (directory / "defaults.yaml").write_text(defaults or "{}\n", encoding="utf-8")
    return directory


def test_connection_options_ictops_can_honour_take_effect(tmp_path):
    inv_dir = write(
        tmp_path / "inventory",
        hosts=(
            "sw-1:\n"
            "  hostname: 10.0.0.1\n"
            "  platform: cisco_ios\n"
            "  groups: [cisco]\n"
            "  connection_options:\n"
            "    netmiko:\n"
            "      port: 2200\n"
            "      extras: {secret: {env: SW_ENABLE}, conn_timeout: 7, read_timeout_override: 90}\n"
            "srv-1:\n"
            "  hostname: 10.0.0.2\n"
            "  platform: linux\n"
            "  groups: [cisco]\n"
        ),
        groups=(
            "cisco:\n"
            "  connection_options:\n"
            "    netmiko: {username: admin, password: {env: SW_PASS}, platform: cisco_ios}\n"
            "    paramiko: {username: ops, extras: {key_filename: keys/ops, banner_timeout: 4}}\n"
        ),
    )
    inv = load_inventory(inv_dir, tmp_path)
    sw = inv.host("sw-1")
    assert (sw.port, sw.username, sw.password.env, sw.enable_secret.env) == (2200, "admin", "SW_PASS", "SW_ENABLE")
    assert (sw.timeouts.connect, sw.timeouts.command, sw.ssh_key) == (7, 90, None)
    srv = inv.host("srv-1")  # the group's paramiko options, not its netmiko ones
    assert (srv.port, srv.username, srv.ssh_key, srv.timeouts.banner, srv.password) == (22, "ops", "keys/ops", 4, None)


def test_connection_options_ictops_cannot_honour_are_errors_naming_them(tmp_path):
    inv_dir = write(
        tmp_path / "inventory",
        hosts=(
            "sw-1:\n"
            "  hostname: 10.0.0.1\n"
            "  platform: cisco_ios\n"
            "  connection_options:\n"
            "    netmiko:\n"
            "      platform: huawei\n"
            "srv-1:\n"
            "  hostname: 10.0.0.2\n"
            "  platform: linux\n"
            "  connection_options:\n"
            "    netmiko: {port: 22}\n"
            "srv-2:\n"
            "  hostname: 10.0.0.3\n"
            "  platform: linux\n"
            "  connection_options:\n"
            "    paramiko:\n"
            "      extras: {look_for_keys: false}\n"
            "    scrapli: {port: 22}\n"
        ),
    )
    with pytest.raises(InputError) as info:
        load_inventory(inv_dir, tmp_path)
    assert str(info.value).splitlines() == [
        "inventory/hosts.yaml:1: host 'sw-1': its connection_options platform 'huawei' is not its platform "
        "'cisco_ios' (cisco_ios); ictops picks the connection from platform:, so remove the option "
        "or make the two agree",
        "inventory/hosts.yaml:11: host 'srv-1' is a linux server, reached with paramiko: its "
        "connection_options.netmiko would never be used; move the settings to "
        "connection_options.paramiko or remove them",
        "inventory/hosts.yaml:17: host 'srv-2': unknown key 'connection_options.paramiko.extras.look_for_keys'; "
        "ictops passes only key_filename, timeout, banner_timeout, auth_timeout, channel_timeout to "
        "paramiko: remove it",
        f"inventory/hosts.yaml:18: host 'srv-2': unknown key 'connection_options.scrapli'{PLUGINS}",
    ]
