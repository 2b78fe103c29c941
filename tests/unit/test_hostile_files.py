"""Poisoned input files (issue 8 item 3): every one is a one-line error and exit 2.

An alias bomb, a recursive alias, a nesting bomb, /dev/zero, a FIFO, a directory or an
oversized file in place of an inventory file, a playbook or a rule pack must neither eat
the machine's memory nor hang. The real ``ictops`` command runs in a subprocess under a
memory cap (RLIMIT_AS) and a deadline, so a regression fails the test instead of taking
the machine down.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from ictops.yamlfile import MAX_BYTES, MAX_DEPTH

MEMORY_CAP = 1536 * 2**20  # bytes of address space for the ictops process under test
DEADLINE = 60  # seconds; a good run takes about one

HOSTS = "srv-1:\n  hostname: 127.0.0.1\n  platform: linux\n"
PLAYBOOK = "name: ok\nsteps:\n  - name: uptime\n    command: uptime\n"


def bomb(indent: str = "") -> str:
    """Ten levels of nine aliases each: 9**10 (3.5 billion) values once expanded."""
    lines = [f'{indent}l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 11):
        lines.append(f"{indent}l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    for sub in ("inventory", "playbooks", "rules"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "inventory" / "hosts.yaml").write_text(HOSTS, encoding="utf-8")
    return root


def ictops(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ictops", "--project", str(root), *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=DEADLINE,
        preexec_fn=_cap_memory, env=dict(os.environ, ICTOPS_OPERATOR="tester"),
    )


def refused(proc: subprocess.CompletedProcess[str], where: str, *words: str) -> str:
    """The one error line of a refused input file."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"ictops: error: {where}"), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- alias bombs, in every kind of input file -------------------------------------------

def test_alias_bomb_in_hosts(tmp_path):
    root = project(tmp_path)
    (root / "inventory" / "hosts.yaml").write_text(HOSTS + "  data:\n" + bomb("    "))
    # the anchor that is repeated is on line 5 (l0 is line 5, l1 repeats it)
    line = refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:", "alias")
    assert "remove the aliases" in line


def test_alias_bomb_in_groups(tmp_path):
    root = project(tmp_path)
    (root / "inventory" / "groups.yaml").write_text("servers:\n  data:\n" + bomb("    "))
    refused(ictops(root, "inventory", "check"), "inventory/groups.yaml:", "alias")


def test_alias_bomb_in_defaults(tmp_path):
    root = project(tmp_path)
    (root / "inventory" / "defaults.yaml").write_text("data:\n" + bomb("  "))
    refused(ictops(root, "inventory", "check"), "inventory/defaults.yaml:", "alias")


def test_alias_bomb_in_playbook(tmp_path):
    root = project(tmp_path)
    (root / "playbooks" / "bomb.yaml").write_text(PLAYBOOK + "vars:\n" + bomb("  "))
    refused(ictops(root, "run", "playbooks/bomb.yaml", "--check"), "playbooks/bomb.yaml:", "alias")


def test_alias_bomb_in_rule_pack(tmp_path):
    root = project(tmp_path)
    (root / "rules" / "bomb.yaml").write_text("pack: bomb\nvars:\n" + bomb("  "))
    refused(ictops(root, "audit", "--pack", "bomb"), "rules/bomb.yaml:", "alias")


def test_alias_bomb_behind_a_document_start(tmp_path):
    """'---' sends a file to PyYAML's composer: the bound holds there too."""
    root = project(tmp_path)
    (root / "inventory" / "hosts.yaml").write_text("---\n" + HOSTS + "  data:\n" + bomb("    "))
    refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:", "alias")


def test_recursive_alias(tmp_path):
    root = project(tmp_path)
    (root / "inventory" / "hosts.yaml").write_text(HOSTS + "  data:\n    loop: &loop [1, *loop]\n")
    refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:5:", "refers to itself")


def test_a_few_aliases_are_fine(tmp_path):
    root = project(tmp_path)
    (root / "inventory" / "hosts.yaml").write_text(
        HOSTS + "  data:\n    ntp: &ntp [10.0.0.1, 10.0.0.2]\n    ntp_backup: *ntp\n"
    )
    proc = ictops(root, "inventory", "show", "srv-1", "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"ntp_backup": [\n      "10.0.0.1"' in proc.stdout


# -- nesting ------------------------------------------------------------------------------

def test_nesting_bomb(tmp_path):
    """200,000 nested block sequences in 400 KB crashed the YAML parser (SIGSEGV)."""
    root = project(tmp_path)
    (root / "inventory" / "hosts.yaml").write_text(HOSTS + "  data:\n    deep:\n      " + "- " * 200_000 + "x\n")
    refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:", "nested")


def test_deep_nesting_in_short_lines(tmp_path):
    root = project(tmp_path)
    deep = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + " " * (MAX_DEPTH + 5) + "x\n"
    (root / "inventory" / "hosts.yaml").write_text(HOSTS + "  data:\n" + "".join("    " + line + "\n" for line in deep.splitlines()))
    refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:", f"more than {MAX_DEPTH} levels")


# -- files that are not files -----------------------------------------------------------

def test_hosts_is_a_symlink_to_dev_zero(tmp_path):
    root = project(tmp_path)
    hosts = root / "inventory" / "hosts.yaml"
    hosts.unlink()
    hosts.symlink_to("/dev/zero")
    refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:", "not a regular file", "character device")


def test_hosts_is_a_fifo(tmp_path):
    root = project(tmp_path)
    hosts = root / "inventory" / "hosts.yaml"
    hosts.unlink()
    os.mkfifo(hosts)
    refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:", "not a regular file", "FIFO")


def test_groups_is_a_directory(tmp_path):
    root = project(tmp_path)
    (root / "inventory" / "groups.yaml").mkdir()
    refused(ictops(root, "inventory", "check"), "inventory/groups.yaml:", "not a regular file", "directory")


def test_playbook_is_a_fifo(tmp_path):
    root = project(tmp_path)
    os.mkfifo(root / "playbooks" / "fifo.yaml")
    refused(ictops(root, "run", "playbooks/fifo.yaml", "--check"), "playbooks/fifo.yaml:", "not a regular file")


def test_oversized_hosts_file(tmp_path):
    root = project(tmp_path)
    filler = "# " + "x" * 98 + "\n"
    (root / "inventory" / "hosts.yaml").write_text(HOSTS + filler * (MAX_BYTES // len(filler) + 1))
    refused(ictops(root, "inventory", "check"), "inventory/hosts.yaml:", "larger than", "MiB")


@pytest.mark.parametrize("name", ["hosts.yaml", "groups.yaml"])
def test_fifo_refused_by_the_loader_too(tmp_path, name):
    """The library call (not only the CLI) refuses without blocking."""
    from ictops.errors import InputError
    from ictops.inventory import load_inventory

    root = project(tmp_path)
    path = root / "inventory" / name
    if path.exists():
        path.unlink()
    os.mkfifo(path)
    with pytest.raises(InputError, match="not a regular file"):
        load_inventory(root / "inventory", root)


def test_alias_bomb_in_defaults_read_for_the_trail_key(tmp_path):
    """`log verify` reads data.audit_key_file from defaults.yaml without loading the inventory."""
    root = project(tmp_path)
    (root / "inventory" / "defaults.yaml").write_text("data:\n" + bomb("  "))
    refused(ictops(root, "log", "verify"), "inventory/defaults.yaml:", "alias")
