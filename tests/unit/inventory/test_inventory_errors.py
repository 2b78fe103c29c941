"""Every inventory error is one line naming the file, the line, the key and the fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ictops.errors import InputError
from ictops.inventory import load_inventory

GOOD_GROUPS = """
servers:
  platform: linux
  role: server
school_a:
  site: a
  school: {name: โรงเรียนบ้านหนองบัว, code: "1036300101"}
"""


def write(tmp_path: Path, hosts: str, groups: str | None = GOOD_GROUPS, defaults: str | None = "port: 22\n") -> Path:
    inv = tmp_path / "inventory"
    inv.mkdir(exist_ok=True)
    (inv / "hosts.yaml").write_text(textwrap.dedent(hosts), encoding="utf-8")
    if groups is not None:
        (inv / "groups.yaml").write_text(textwrap.dedent(groups), encoding="utf-8")
    if defaults is not None:
        (inv / "defaults.yaml").write_text(textwrap.dedent(defaults), encoding="utf-8")
    return inv


def error_of(inv: Path) -> str:
    with pytest.raises(InputError) as info:
        load_inventory(inv, inv.parent)
    text = str(info.value)
    assert "Traceback" not in text
    return text


def test_good_inventory_resolves_inheritance(tmp_path):
    inv = write(tmp_path, """
        srv-1:
          hostname: 127.0.0.5
          groups: [servers, school_a]
          data: {rack: r1}
        """, defaults="port: 2222\ndata: {office: x, rack: default}\n")
    host = load_inventory(inv, tmp_path).host("srv-1")
    assert host.platform_name == "linux" and host.role == "server" and host.port == 2222
    assert host.school.code == "1036300101" and host.site == "a"
    assert host.data == {"office": "x", "rack": "r1"}
    assert host.all_groups == ("servers", "school_a")


def test_host_value_beats_group_beats_defaults(tmp_path):
    inv = write(tmp_path, """
        sw:
          hostname: 127.0.0.6
          port: 2200
          groups: [child]
        """, groups="""
        parent: {platform: cisco_ios, username: p, site: parent-site}
        child: {groups: [parent], username: c}
        """, defaults="username: d\nport: 22\nsite: default-site\n")
    host = load_inventory(inv, tmp_path).host("sw")
    assert (host.port, host.username, host.site) == (2200, "c", "parent-site")
    assert host.all_groups == ("child", "parent")


@pytest.mark.parametrize(
    "hosts, expected",
    [
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers]\n  port: [1\n", ["inventory/hosts.yaml:4:", "malformed YAML"]),
        ("", ["inventory/hosts.yaml:1:", "file is empty", "add at least one host"]),
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers]\n  plaform: linux\n", ["inventory/hosts.yaml:4:", "unknown key 'plaform'", "did you mean 'platform'"]),
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers]\n  port: twenty\n", ["inventory/hosts.yaml:4:", "'port' must be a whole number", "twenty"]),
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers]\nb:\n  hostname: x\na:\n  hostname: y\n", ["inventory/hosts.yaml:6:", "duplicate host 'a'", "first defined at line 1"]),
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers, shcool_a]\n", ["inventory/hosts.yaml:3:", "unknown group 'shcool_a'", "did you mean 'school_a'"]),
        ("a:\n  hostname: 1.2.3.4\n  platform: cisco_iso\n", ["inventory/hosts.yaml:3:", "unknown platform 'cisco_iso'", "did you mean 'cisco_ios'"]),
        ("a:\n  groups: [servers]\n", ["inventory/hosts.yaml:1:", "missing hostname", "set hostname:"]),
        ("a:\n  hostname: 1.2.3.4\n", ["inventory/hosts.yaml:1:", "missing platform"]),
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers]\n  password: hunter2\n", ["inventory/hosts.yaml:4:", "plaintext secrets are not allowed", "{env: VARIABLE_NAME}"]),
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers]\n  school: {name: x, code: 1036300101}\n", ["inventory/hosts.yaml:4:", "school.code", "quotes"]),
        ("a:\n  hostname: 1.2.3.4\n  groups: [servers]\n  role: swich\n", ["inventory/hosts.yaml:4:", "role", "server"]),
        ("- a\n- b\n", ["inventory/hosts.yaml:1:", "must be a mapping"]),
        ("a:\n  hostname: two words\n  groups: [servers]\n", ["inventory/hosts.yaml:2:", "without spaces"]),
    ],
    ids=["malformed", "empty", "unknown-key", "wrong-type", "duplicate-host", "unknown-group",
         "unknown-platform", "missing-hostname", "missing-platform", "plaintext-secret",
         "unquoted-code", "bad-role", "not-a-mapping", "hostname-spaces"],
)
def test_host_errors(tmp_path, hosts, expected):
    text = error_of(write(tmp_path, hosts))
    for part in expected:
        assert part in text, text
    assert len(text.splitlines()) == 1, text


def test_group_cycle(tmp_path):
    inv = write(tmp_path, "a:\n  hostname: 1.2.3.4\n  groups: [g1]\n", groups="""
        g1: {groups: [g2], platform: linux}
        g2: {groups: [g3]}
        g3: {groups: [g1]}
        """)
    text = error_of(inv)
    assert "inventory/groups.yaml:2:" in text and "group cycle: g1 -> g2 -> g3 -> g1" in text


def test_unknown_parent_group_and_defaults_errors(tmp_path):
    inv = write(tmp_path, "a:\n  hostname: 1.2.3.4\n  groups: [g1]\n",
                groups="g1:\n  groups: [nope]\n  platform: linux\n", defaults="portt: 22\n")
    text = error_of(inv)
    assert "inventory/groups.yaml:2: group 'g1': unknown group 'nope'" in text
    assert "inventory/defaults.yaml:1: defaults: unknown key 'portt' (did you mean 'port'?)" in text


def test_several_errors_are_all_reported_in_file_order(tmp_path):
    inv = write(tmp_path, "a:\n  hostname: 1.2.3.4\n  groups: [servers]\n  prot: 1\nb:\n  hostname: 1.2.3.5\n  groups: [servers]\n  usernme: x\n")
    lines = error_of(inv).splitlines()
    assert [line.split(":")[1] for line in lines] == ["4", "8"]


def test_empty_groups_file_and_missing_hosts_file(tmp_path):
    text = error_of(write(tmp_path, "a:\n  hostname: 1.2.3.4\n  platform: linux\n", groups=""))
    assert "inventory/groups.yaml:1: file is empty" in text
    inv = tmp_path / "other"
    inv.mkdir()
    with pytest.raises(InputError, match="hosts.yaml: file not found"):
        load_inventory(inv, tmp_path)


def test_duplicate_key_inside_a_host(tmp_path):
    text = error_of(write(tmp_path, "a:\n  hostname: 1.2.3.4\n  hostname: 1.2.3.5\n  platform: linux\n"))
    assert "inventory/hosts.yaml:3: duplicate key 'hostname'" in text


def test_secret_reference_forms(tmp_path):
    inv = write(tmp_path, """
        a:
          hostname: 1.2.3.4
          platform: cisco_ios
          password: {env: SW_PASS}
          enable_secret: {file: secrets/enable}
        b:
          hostname: 1.2.3.5
          platform: cisco_ios
          password: {env: A, file: b}
        """)
    text = error_of(inv)
    assert "inventory/hosts.yaml:10:" in text and "exactly one of env: or file:" in text


def test_secret_is_never_in_repr(tmp_path, monkeypatch):
    monkeypatch.setenv("SW_PASS", "hunter2-secret")
    inv = write(tmp_path, "a:\n  hostname: 1.2.3.4\n  platform: cisco_ios\n  password: {env: SW_PASS}\n")
    host = load_inventory(inv, tmp_path).host("a")
    assert host.password.resolve(tmp_path) == "hunter2-secret"
    assert "hunter2" not in repr(host)


def test_data_merges_deeply_host_over_groups_over_defaults(tmp_path):
    inv = write(tmp_path, """
        srv-1:
          hostname: 127.0.0.5
          groups: [servers]
          data: {lab: {profile: compliant}, tags: [a]}
        """, groups="""
        servers:
          platform: linux
          data: {lab: {root: debian, profile: typical}, tags: [x, y]}
        """, defaults="data: {lab: {root: none, extra: 1}, office: o}\n")
    host = load_inventory(inv, tmp_path).host("srv-1")
    assert host.data == {"lab": {"root": "debian", "profile": "compliant", "extra": 1}, "tags": ["a"], "office": "o"}


@pytest.mark.parametrize("where", ["hosts", "groups"])
def test_all_is_a_reserved_name(tmp_path, where):
    if where == "hosts":
        inv = write(tmp_path, "a:\n  hostname: 1.2.3.4\n  groups: [servers]\n" + "all:\n  hostname: 1.2.3.5\n  groups: [servers]\n")
    else:
        inv = write(tmp_path, "a:\n  hostname: 1.2.3.4\n  groups: [servers]\n", groups="servers: {platform: linux}\nall: {}\n")
    assert error_of(inv) == (
        f"inventory/{where}.yaml:{4 if where == 'hosts' else 2}: "
        f"{'host' if where == 'hosts' else 'group'} name 'all' is reserved (-l all selects every host); rename it"
    )
