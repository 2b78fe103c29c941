"""Nornir's own test inventory, imported: then `inventory check` passes."""

from __future__ import annotations

from ictops.inventory import load_inventory
from ictops.inventory.importers import plan_import, write_plan
from tests.fixtures import FIXTURES

NORNIR = FIXTURES / "nornir_inventory"


def test_nornirs_test_inventory_imports_and_then_passes_check(tmp_path):
    root = tmp_path / "project"
    plan = plan_import(NORNIR, "nornir", root / "inventory", root)
    write_plan(plan, root / "inventory")
    inv = load_inventory(root / "inventory", root, check_files=True)  # what inventory check runs
    assert sorted(inv.hosts) == ["dev3.group_2", "dev4.group_2", "dev5.no_group"]
    assert sorted(inv.groups) == ["group_1", "group_2", "group_3", "parent_group"]
    dev4 = inv.host("dev4.group_2")
    # connection_options.paramiko is what ictops connects to this server with
    assert (dev4.hostname, dev4.port, dev4.username, dev4.platform_name) == ("dev4.group_2", 22, "root", "linux")
    assert dev4.password is not None and dev4.password.file == "state/secrets/host-dev4.group_2-paramiko-password"
    assert dev4.data["a_var"] == "blah" and dev4.data["my_var"] == "comes_from_dev4.group_2"
    assert dict(inv.host("dev5.no_group").data) == {
        "my_var": "comes_from_defaults", "only_default": "only_defined_in_default"}
    assert [str(x) for x in plan.draft.left_out] == [
        "nornir/defaults.yaml:11: defaults connection_options.dummy: ictops connects with paramiko (servers) and netmiko (switches) only",
        "nornir/groups.yaml:13: group 'parent_group' connection_options.dummy: ictops connects with paramiko (servers) and netmiko (switches) only",
        "nornir/groups.yaml:21: group 'parent_group' connection_options.dummy2: ictops connects with paramiko (servers) and netmiko (switches) only",
        "nornir/hosts.yaml:2: host 'dev1.group_1': Arista EOS, a platform ictops does not manage",
        "nornir/hosts.yaml:36: host 'dev2.group_1': Juniper Junos, a platform ictops does not manage",
        "nornir/hosts.yaml:84: host 'dev3.group_2' connection_options.napalm: ictops connects with paramiko (servers) and netmiko (switches) only",
        "nornir/hosts.yaml:116: host 'dev4.group_2' connection_options.netmiko: ictops reaches a server with paramiko, never netmiko",
    ]
    assert [(s.describe(), s.spot.where()) for s in plan.draft.secrets] == [
        ("file:state/secrets/defaults-password", "nornir/defaults.yaml:5"),
        ("file:state/secrets/group-parent_group-password", "nornir/groups.yaml:6"),
        ("file:state/secrets/group-group_1-password", "nornir/groups.yaml:33"),
        ("file:state/secrets/host-dev4.group_2-paramiko-password", "nornir/hosts.yaml:113"),
    ]
    written = "".join(p.read_text() for p in (root / "inventory").iterdir())
    assert "docker" not in written and "from_group1" not in written and "from_parent_group" not in written
