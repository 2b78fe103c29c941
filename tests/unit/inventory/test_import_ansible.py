"""Importing an Ansible inventory, YAML and INI: hosts, groups, vars, passwords, vaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ictops.errors import InputError
from ictops.inventory import load_inventory
from ictops.inventory.importers import plan_import, write_plan
from ictops.platforms import platforms
from ictops.secrets import SecretRef
from tests.fixtures import fixture

SECRETS = ("Sup3r", "En4ble", "public")  # values in the fixtures that must never be written


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "inventory").mkdir(parents=True, exist_ok=True)
    return root


def run(tmp_path: Path, source: Path, **options):
    root = project(tmp_path)
    plan = plan_import(source, source.name, root / "inventory", root, **options)
    write_plan(plan, root / "inventory")
    written = "".join(p.read_text(encoding="utf-8") for p in (root / "inventory").iterdir())
    assert not any(secret in written for secret in SECRETS)
    return plan, load_inventory(root / "inventory", root)


def errors_of(tmp_path: Path, name: str, text: str) -> list[str]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    root = project(tmp_path)
    with pytest.raises(InputError) as info:
        plan_import(source, name, root / "inventory", root)
    assert os.listdir(root / "inventory") == []
    return str(info.value).splitlines()


def test_a_yaml_inventory_becomes_groups_hosts_and_defaults(tmp_path):
    plan, inv = run(tmp_path, fixture("ansible/district.yml"))
    draft = plan.draft
    assert draft.groups["switches"].body == {
        "username": "admin",
        "password": {"file": "state/secrets/group-switches-password"},
        "enable_secret": {"file": "state/secrets/group-switches-enable_secret"},
    }
    assert draft.groups["cisco"].body == {"platform": "cisco_ios", "role": "switch", "groups": ["switches"]}
    assert draft.groups["servers"].body == {"sudo": True}
    assert draft.groups["sch_phukhieo"].body == {"district": "ภูเขียว"}
    assert draft.defaults is not None and draft.defaults.body == {"username": "ictops", "data": {"ntp_server": "10.36.0.1"}}
    assert draft.hosts["ao-srv-web"].body == {
        "hostname": "10.36.0.10", "platform": "linux", "role": "server", "ssh_key": "keys/id_ed25519",
        "groups": ["servers"], "data": {"services": ["web", "e-office"]}}
    core = inv.host("phukhieo-sw-core")
    assert (core.hostname, core.platform_name, core.username, core.district) == ("10.36.4.2", "cisco_ios", "admin", "ภูเขียว")
    assert core.password == SecretRef(file="state/secrets/group-switches-password", source=core.password.source)
    assert core.enable_secret is not None and core.enable_secret.file == "state/secrets/group-switches-enable_secret"
    assert inv.host("kaengkhro-sw-core").port == 2222
    assert inv.host("phukhieo-sw-lab").platform_name == "huawei_vrp"
    server = inv.host("phukhieo-srv")
    assert (server.platform_name, server.username, server.sudo) == ("linux", "ictops", True)
    assert [str(x) for x in draft.left_out] == [
        "district.yml:35: host 'ao-sw-spine': Arista EOS, a platform ictops does not manage"]
    assert [(s.describe(), s.where(), s.spot.line) for s in draft.secrets] == [
        ("file:state/secrets/group-switches-password", "group 'switches' password", 11),
        ("file:state/secrets/group-switches-enable_secret", "group 'switches' enable_secret", 14),
    ]
    assert draft.notes == ["not imported (an Ansible setting ictops does not use): ansible_python_interpreter (1x)"]


def test_an_ini_inventory_with_ranges_ports_and_children(tmp_path):
    plan, inv = run(tmp_path, fixture("ansible/district.ini"))
    assert sorted(inv.hosts) == [
        "ao-srv-web", "kaengkhro-sw-core", "phukhieo-srv", "phukhieo-sw-core", "phukhieo-sw-lab",
        "sch-sw-01.school.local", "sch-sw-02.school.local", "sch-sw-03.school.local"]
    ranged = inv.host("sch-sw-02.school.local")
    assert (ranged.hostname, ranged.platform_name, ranged.all_groups) == (
        "sch-sw-02.school.local", "cisco_ios", ("cisco", "switches"))
    assert inv.host("phukhieo-srv").port == 2201  # host:port
    assert inv.host("kaengkhro-sw-core").port == 2222  # a literal, as Ansible reads host lines
    assert inv.host("phukhieo-sw-lab").enable_secret.file == "state/secrets/group-switches-enable_secret"
    srv = inv.host("ao-srv-web")
    assert srv.sudo is True and isinstance(srv.data["snmp_community"], SecretRef)
    assert [s.describe() for s in plan.draft.secrets] == [
        "file:state/secrets/group-servers-data-snmp_community",
        "file:state/secrets/group-switches-password",
        "file:state/secrets/group-switches-enable_secret",
    ]


def test_env_references_when_asked(tmp_path):
    plan, inv = run(tmp_path, fixture("ansible/district.ini"), secrets="env")
    assert inv.host("phukhieo-sw-core").password.env == "ICTOPS_GROUP_SWITCHES_PASSWORD"


BROKEN_YAML = """\
all:
  children:
    cisco:
      vars:
        ansible_network_os: cisco.ios.ios
      hosts:
        sw-ok:
          ansible_host: 10.36.1.2
        sw-bad-ip:
          ansible_host: 10.36.1.256
        sw-dup:
          ansible_host: 10.36.1.3
        sw-dup:
          ansible_host: 10.36.1.4
"""


def test_broken_yaml_inventories_name_file_and_line(tmp_path):
    assert errors_of(tmp_path, "inv.yml", BROKEN_YAML) == [
        "inv.yml:13: duplicate key 'sw-dup' (first defined at line 11); remove or rename one of them"]
    fixed = BROKEN_YAML.replace("        sw-dup:\n          ansible_host: 10.36.1.4\n", "")
    fixed += "    other:\n      vars:\n        ansible_network_os: acme_os\n      hosts:\n        sw-x:\n"
    fixed += "    servers:\n      hosts:\n        srv-1:\n          ansible_port: twenty-two\n"
    assert errors_of(tmp_path, "inv.yml", fixed) == [
        "inv.yml:10: host 'sw-bad-ip': key 'hostname': '10.36.1.256' is not an IP address: four numbers "
        "0-255 joined by dots (10.36.1.2)",
        unknown_os("inv.yml:15"),
        "inv.yml:21: host 'srv-1': key 'port' must be a whole number, not text 'twenty-two'",
    ]


def unknown_os(where: str) -> str:
    return (f"{where}: ansible_network_os 'acme_os' is no platform ictops knows (it knows "
            f"{', '.join(sorted(platforms()))} by their usual names: docs/inventory-import.md); "
            "map it in a mapping file (network_os: {NAME: PLATFORM or unmanaged})")


def test_broken_ini_inventories_name_file_and_line(tmp_path):
    text = (
        "[cisco]\n"
        "sw-ok ansible_host=10.36.1.2\n"
        "sw-bad-ip ansible_host=10.36.1.999\n"
        "[cisco:vars]\n"
        "ansible_network_os=ios\n"
        "[acme]\n"
        "sw-acme ansible_host=10.36.1.5 ansible_network_os=acme_os\n"
        "[servers]\n"
        "srv-1 ansible_host=\n"
    )
    assert errors_of(tmp_path, "hosts", text) == [
        "hosts:3: host 'sw-bad-ip': key 'hostname': '10.36.1.999' is not an IP address: four numbers "
        "0-255 joined by dots (10.36.1.2)",
        unknown_os("hosts:7"),
        "hosts:9: host 'srv-1': key 'hostname': String should have at least 1 character (got text '')",
    ]
    assert errors_of(tmp_path, "hosts", "[cisco:childs]\nx\n") == [
        "hosts:1: cannot read section '[cisco:childs]'; write [group], [group:vars] or [group:children]"]
    assert errors_of(tmp_path, "hosts", "[cisco]\nsw-1 ansible_host\n") == [
        "hosts:2: 'ansible_host' after the host name is not key=value"]


def test_vault_encrypted_values_are_refused_where_they_are(tmp_path):
    text = (
        "all:\n"
        "  children:\n"
        "    switches:\n"
        "      vars:\n"
        "        ansible_become_password: !vault |\n"
        "          $ANSIBLE_VAULT;1.1;AES256\n"
        "          62313365396662343061393464336163383764373764613633653634306231386433626436623361\n"
        "      hosts:\n"
        "        sw-1:\n"
        "          ansible_host: 10.36.1.2\n"
        "          ansible_password: !vault |\n"
        "            $ANSIBLE_VAULT;1.1;AES256\n"
        "            3133\n"
    )
    hint = ("is encrypted with Ansible Vault (!vault); ictops does not decrypt vaults: import a "
            "decrypted copy (ansible-vault decrypt --output COPY FILE), whose passwords become "
            "references, or remove the value")
    assert errors_of(tmp_path, "inv.yml", text) == [
        f"inv.yml:5: group 'switches': ansible_become_password {hint}",
        f"inv.yml:11: host 'sw-1': ansible_password {hint}",
    ]
    assert errors_of(tmp_path, "hosts.ini", "$ANSIBLE_VAULT;1.1;AES256\n3133\n") == [
        "hosts.ini:1: the file is encrypted with Ansible Vault; ictops does not decrypt vaults: "
        "import a decrypted copy (ansible-vault decrypt --output COPY FILE)"]


def test_group_vars_and_host_vars_beside_the_inventory_win_and_are_read_like_it(tmp_path):
    source = tmp_path / "hosts.ini"
    source.write_text("[cisco]\nsw-1 ansible_host=10.36.1.2\nsw-2 ansible_host=10.36.1.3\n"
                      "[cisco:vars]\nansible_user=old\n")
    (tmp_path / "group_vars" / "cisco").mkdir(parents=True)
    (tmp_path / "group_vars" / "all.yml").write_text("ntp_server: 10.36.0.1\n")
    (tmp_path / "group_vars" / "cisco" / "main.yml").write_text(
        "ansible_network_os: cisco.ios.ios\nansible_user: admin\n")
    (tmp_path / "group_vars" / "cisco" / "secrets.yml").write_text("ansible_password: Sup3rSecret\n")
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars" / "sw-2.yaml").write_text("ansible_port: 2222\nrack: B2\n")
    plan, inv = run(tmp_path / "p", source)
    assert plan.draft.notes[0] == ("variables also read from group_vars/all.yml, group_vars/cisco/main.yml, "
                                   "group_vars/cisco/secrets.yml, host_vars/sw-2.yaml")
    sw2 = inv.host("sw-2")
    assert (sw2.platform_name, sw2.username, sw2.port, sw2.data["rack"], sw2.data["ntp_server"]) == (
        "cisco_ios", "admin", 2222, "B2", "10.36.0.1")
    assert [(s.describe(), s.spot.where()) for s in plan.draft.secrets] == [
        ("file:state/secrets/group-cisco-password", "group_vars/cisco/secrets.yml:1")]
    (tmp_path / "group_vars" / "cisco" / "secrets.yml").write_text("$ANSIBLE_VAULT;1.1;AES256\n3133\n")
    with pytest.raises(InputError) as info:
        plan_import(source, "hosts.ini", tmp_path / "q" / "inventory", tmp_path / "q")
    assert str(info.value) == ("group_vars/cisco/secrets.yml:1: the file is encrypted with Ansible Vault; "
                               "ictops does not decrypt vaults: import a decrypted copy "
                               "(ansible-vault decrypt --output COPY FILE)")


def test_a_child_groups_vars_win_over_its_parents_and_hosts_without_ssh_are_left_out(tmp_path):
    source = tmp_path / "inv.yml"
    source.write_text(
        "all:\n"
        "  children:\n"
        "    switches:\n"
        "      vars: {ansible_network_os: eos, ansible_user: parent}\n"
        "      children:\n"
        "        core:\n"
        "          vars: {ansible_network_os: ios, ansible_user: child}\n"
        "          hosts:\n"
        "            sw-1: {ansible_host: 10.36.1.2}\n"
        "    servers:\n"
        "      hosts:\n"
        "        localhost: {ansible_connection: local}\n"
        "        win-1: {ansible_host: 10.36.1.9, ansible_connection: winrm}\n"
        "        srv-1: {ansible_host: 10.36.1.10}\n", encoding="utf-8")
    plan, inv = run(tmp_path, source)
    assert (inv.host("sw-1").username, inv.host("sw-1").platform_name) == ("child", "cisco_ios")
    assert sorted(inv.hosts) == ["srv-1", "sw-1"]
    assert [str(x) for x in plan.draft.left_out] == [
        "inv.yml:12: host 'localhost': ansible_connection local: ictops reaches hosts over SSH",
        "inv.yml:13: host 'win-1': ansible_connection winrm: ictops reaches hosts over SSH",
    ]


def test_an_ini_host_range_is_bounded(tmp_path):
    assert errors_of(tmp_path, "hosts", "[cisco]\nsw[1:20000] ansible_network_os=ios\n") == [
        "hosts:2: host range '[1:20000]' gives 20000 hosts; give 1 to 10,000"]


def test_nornir_extras_and_secret_looking_data_become_references_or_are_left_out(tmp_path):
    source = tmp_path / "nornir"
    source.mkdir()
    (source / "hosts.yaml").write_text(
        "sw-1:\n"
        "  hostname: 10.36.1.2\n"
        "  platform: ios\n"
        "  data:\n"
        "    snmp_community: public\n"
        "    rack: A1\n"
        "  connection_options:\n"
        "    netmiko:\n"
        "      extras:\n"
        "        secret: En4ble\n"
        "        conn_timeout: 20\n"
        "        fast_cli: true\n", encoding="utf-8")
    plan, inv = run(tmp_path / "p", source)
    sw = inv.host("sw-1")
    assert sw.enable_secret is not None and sw.enable_secret.file == (
        "state/secrets/host-sw-1-netmiko-extras-secret")
    assert isinstance(sw.data["snmp_community"], SecretRef) and sw.data["rack"] == "A1"
    assert sw.timeouts.connect == 20
    assert [str(x) for x in plan.draft.left_out] == [
        "nornir/hosts.yaml:12: host 'sw-1' connection_options.netmiko.extras.fast_cli: ictops passes only "
        "secret, key_file, conn_timeout, banner_timeout, auth_timeout, read_timeout_override to netmiko"]
    assert [s.describe() for s in plan.draft.secrets] == [
        "file:state/secrets/host-sw-1-data-snmp_community", "file:state/secrets/host-sw-1-netmiko-extras-secret"]


def test_names_that_differ_only_in_unsafe_characters_get_their_own_references(tmp_path):
    source = tmp_path / "hosts"
    source.write_text("[cisco]\nsw/1 ansible_host=10.36.1.2 ansible_password=Sup3r1\n"
                      "sw_1 ansible_host=10.36.1.3 ansible_password=Sup3r2\n[cisco:vars]\nansible_network_os=ios\n")
    plan, inv = run(tmp_path, source)
    files = [s.reference["file"] for s in plan.draft.secrets]
    assert len(set(files)) == 2 and files[1] == "state/secrets/host-sw_1-password"
    assert files[0].startswith("state/secrets/host-sw_1-") and files[0] != files[1]
