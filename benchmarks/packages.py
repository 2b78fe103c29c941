#!/usr/bin/env python3
"""Benchmark ictops's package work against Ansible on N lab servers in their own Debian roots.

Run as root:  .venv/bin/python benchmarks/packages.py [--servers 50] [--repeat 3]
It stands up its own district of N servers (profile typical: hello 1.0-1, kernel 1.0-1) on
127.<ICTOPS_TEST_NET>.66.x, port 2222, in a temporary project, and stops it at the end.
docs/performance.md records the figures. Same hosts, key, known_hosts and parallelism
(-f/forks, default 50) for both tools; whole-process wall times, medians.

Each also against the floor: ``xargs -P50 ssh`` (curve25519 key exchange) running only the
apt-get commands themselves.

1. The pending-update listing: ``ictops patch list`` (apt-get -s upgrade twice per server:
   all sources, then the security sources alone; held packages; reboot need) against
   ``ansible-playbook`` with ``apt: {upgrade: dist}`` in check mode (--check).
2. The upgrade of one package (``--package``, default ictops-lab-tools, 1.0-1 -> 1.1-1; with
   ictops-lab-hello the package's service is restarted too):
   ``ictops package install PACKAGE --latest --plan ID`` (the approved plan's run: each server
   planned again, then upgraded) against ``ansible-playbook`` with
   ``apt: {name: PACKAGE, state: latest}``. Before each measured run every server is put back
   to 1.0-1 (not measured).

Ansible's apt module needs python3 and python3-apt on the servers, which the lab's minimal
Debian roots do not have: a cached layer with them (built once from the Debian mirror this
machine's apt uses, /var/cache/ictops-lab/bench-python-*) is copied into each server's own
layer before the measurements. ictops needs nothing on the servers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ictops.inventory import load_inventory  # noqa: E402
from ictops.lab import cache, layers, roots  # noqa: E402
from ictops.lab.fleet import Lab  # noqa: E402
from tests.integration.district import ICTOPS, District, make_project  # noqa: E402
from tests.net import LAB  # noqa: E402

BIN = Path(sys.executable).parent
PACKAGE = "ictops-lab-tools"  # upgraded 1.0-1 -> 1.1-1 (--package ictops-lab-hello: with a service)
TEAM = """\
office: benchmark office
unknown_operator: refuse
appointment: {number: "ที่ 1/2568", date: 2024-10-01, signed_by: director}
members:
  - {name: Bench, username: bench}
approvers:
  - {name: Director, position: area director, username: director}
"""


def python_layer() -> Path:
    """A layer with python3 and python3-apt on the typical profile (for Ansible only)."""
    base = roots.ensure_base()
    lab = layers.lab_layer()
    profile = layers.profile_layer("typical", base, lab)
    name = f"bench-python-{cache.digest([], profile.name, 'python3', 'python3-apt')}"

    def build(tmp: Path) -> None:
        paths = roots.RootPaths(tmp.parent / f"{tmp.name}.build")
        try:
            roots.mount_root(paths, [profile, lab, base])
            merged = paths.merged.resolve()
            (merged / "tmp/bench.list").write_text(f"deb {roots.apt_mirror()} bookworm main\n")
            shutil.copy("/etc/resolv.conf", merged / "tmp/resolv.conf")
            apt = ["chroot", str(merged), "apt-get", "-q", "-o", "Dir::Etc::SourceList=/tmp/bench.list",
                   "-o", "Dir::Etc::SourceParts=/dev/null", "-o", "Dir::State::Lists=/tmp/lists"]
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
            (merged / "tmp/lists/partial").mkdir(parents=True)
            had_resolv = (merged / "etc/resolv.conf").exists()
            if not had_resolv:
                shutil.copy("/etc/resolv.conf", merged / "etc/resolv.conf")
            subprocess.run([*apt, "update"], check=True, env=env, capture_output=True)
            subprocess.run([*apt, "install", "-y", "--no-install-recommends", "python3", "python3-apt"],
                           check=True, env=env, capture_output=True)
            subprocess.run(["chroot", str(merged), "apt-get", "clean"], check=True, env=env)
            if not had_resolv:
                (merged / "etc/resolv.conf").unlink()
            shutil.rmtree(merged / "tmp/lists")
            for name in ("tmp/bench.list", "tmp/resolv.conf"):
                (merged / name).unlink()
            roots.unmount_root(paths)
            os.rename(paths.upper, tmp)
        finally:
            cache.remove_tree(paths.dir)

    return cache.build_once(cache.CACHE_DIR, name, build)


def ictops(project: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ICTOPS_PROJECT=str(project), ICTOPS_OPERATOR="bench", COLUMNS="200")
    return subprocess.run([*ICTOPS, *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def must(proc: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def approved(project: Path, *verb: str) -> str:
    """Plan and approve an ``ictops package ...`` verb; the plan id."""
    refused = ictops(project, *verb)
    path = next(w for w in refused.stderr.split() if w.startswith("state/verbs/"))
    plan = json.loads(must(ictops(project, "plan", path, "--json"), "plan").stdout)
    must(ictops(project, "approve", plan["id"], "--by", "director"), "approve")
    return plan["id"]


def timed(argv: list[str], env: dict[str, str], what: str, stdin: str | None = None) -> float:
    start = time.perf_counter()
    must(subprocess.run(argv, capture_output=True, text=True, env=env, input=stdin,
                        stdin=None if stdin is not None else subprocess.DEVNULL), what)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ansible-repeat", type=int, default=1)
    parser.add_argument("--package", default=PACKAGE, help="the package upgraded from 1.0-1")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    ansible_playbook = shutil.which("ansible-playbook", path=str(BIN)) or shutil.which("ansible-playbook")
    if ansible_playbook is None:
        raise SystemExit("ansible-playbook not found: pip install -e '.[bench]'")
    layer = python_layer()
    with tempfile.TemporaryDirectory(prefix="ictops-bench-pkg-") as tmp:
        root = Path(tmp)
        hosts = "".join(f"bp-{i:03d}:\n  hostname: {LAB}.66.{i}\n  groups: [servers, school_a]\n"
                        f"  data: {{lab: {{root: debian, profile: typical}}}}\n"
                        for i in range(1, args.servers + 1))
        project = make_project(root, servers=[], cisco=[], huawei=[], extra_hosts=hosts)
        (root / "inventory" / "team.yaml").write_text(TEAM)
        inventory = load_inventory(project.inventory_dir, project.root)
        lab = Lab(project, inventory)
        try:
            lab.up(timeout=120)
            lab.down()
            for host in inventory.hosts.values():  # python3 for Ansible, in each server's own layer
                upper = project.lab_dir / "roots" / host.name / "upper"
                subprocess.run(["cp", "-a", f"{layer}/.", str(upper)], check=True)
            lab.up(timeout=120)
            District(project, inventory, lab).trust_all()
            results = measure(args, root, project.root, ansible_playbook)
        finally:
            lab.down()
    report(args, results)
    return 0


def measure(args, root: Path, project: Path, ansible_playbook: str) -> dict:
    must(ictops(project, "patch", "list", "-f", str(args.forks)), "warm-up patch list")  # lists fresh
    inv = root / "ansible-hosts.ini"
    key = project / "state" / "lab" / "id_ed25519"
    inv.write_text(
        "[servers]\n" + "".join(f"{LAB}.66.{i}\n" for i in range(1, args.servers + 1))
        + "[servers:vars]\nansible_port=2222\nansible_user=ictops\nansible_become=true\n"
        f"ansible_ssh_private_key_file={key}\nansible_python_interpreter=/usr/bin/python3\n"
        f"ansible_ssh_common_args=-o UserKnownHostsFile={project / 'state' / 'known_hosts'} "
        "-o StrictHostKeyChecking=yes\n")
    (root / "list.yaml").write_text("- hosts: all\n  gather_facts: false\n  tasks:\n"
                                    "    - apt: {upgrade: dist}\n")
    (root / "upgrade.yaml").write_text("- hosts: all\n  gather_facts: false\n  tasks:\n"
                                       f"    - apt: {{name: {args.package}, state: latest}}\n")
    aenv = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="True", ANSIBLE_PIPELINING="True",
                ANSIBLE_LOCAL_TEMP=str(root / "ansible-tmp"), ANSIBLE_FORKS=str(args.forks))
    ienv = dict(os.environ, ICTOPS_PROJECT=str(project), ICTOPS_OPERATOR="bench")
    forks = ["-f", str(args.forks)]
    results: dict[str, list[float]] = {k: [] for k in ("ictops_list", "ansible_list", "ictops_upgrade",
                                                          "ansible_upgrade", "ictops_plan", "ssh_list",
                                                          "ssh_upgrade")}
    ssh = (f"ssh -p 2222 -i {key} -o UserKnownHostsFile={project / 'state' / 'known_hosts'} "
           "-o StrictHostKeyChecking=yes -o KexAlgorithms=curve25519-sha256 -o BatchMode=yes ictops@{} ")
    targets = "".join(f"{LAB}.66.{i}\n" for i in range(1, args.servers + 1))
    security = ("-o Dir::Etc::SourceList=/etc/apt/sources.list.d/ictops-lab-security.sources "
                "-o Dir::Etc::SourceParts=/dev/null")
    listing = f"'apt-get -s -q upgrade; apt-get -s -q {security} upgrade'"
    for _ in range(args.repeat):
        results["ictops_list"].append(timed([*ICTOPS, "patch", "list", *forks], ienv, "ictops patch list"))
        results["ssh_list"].append(timed(["sh", "-c", f"xargs -P{args.forks} -I{{}} {ssh}{listing} >/dev/null"],
                                         dict(os.environ), "ssh listing", targets))
    for _ in range(args.ansible_repeat):
        results["ansible_list"].append(timed([ansible_playbook, "-i", str(inv), "--check",
                                              str(root / "list.yaml"), *forks], aenv, "ansible check"))
    install = ["package", "install", args.package, "--latest"]
    for _ in range(args.repeat):
        back_to_1_0(project, args.package)
        start = time.perf_counter()
        found = approved(project, *install)
        results["ictops_plan"].append(time.perf_counter() - start)
        results["ictops_upgrade"].append(timed([*ICTOPS, *install, "--plan", found, *forks], ienv,
                                               "ictops package install --latest"))
        back_to_1_0(project, args.package)
        upgrade = ("'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                   f"-o Dpkg::Options::=--force-confold {args.package} </dev/null'")
        results["ssh_upgrade"].append(timed(["sh", "-c", f"xargs -P{args.forks} -I{{}} {ssh}{upgrade} >/dev/null"],
                                            dict(os.environ), "ssh upgrade", targets))
    for _ in range(args.ansible_repeat):
        back_to_1_0(project, args.package)
        results["ansible_upgrade"].append(timed([ansible_playbook, "-i", str(inv), str(root / "upgrade.yaml"),
                                                 *forks], aenv, "ansible apt state=latest"))
    return results


def back_to_1_0(project: Path, package: str) -> None:
    verb = ["package", "install", package, "--version", "1.0-1"]
    found = approved(project, *verb)
    must(ictops(project, *verb, "--plan", found), "back to hello 1.0-1")


def report(args, results: dict[str, list[float]]) -> None:
    med = {k: statistics.median(v) for k, v in results.items() if v}
    print(f"{args.servers} lab servers in Debian roots, forks {args.forks}")
    print(f"listing  ictops patch list              {med['ictops_list']:6.2f} s  {results['ictops_list']}")
    print(f"listing  xargs ssh (the two apt-get -s) {med['ssh_list']:6.2f} s  (the floor)")
    print(f"listing  ansible apt upgrade=dist check  {med['ansible_list']:6.2f} s  "
          f"ansible/ictops = {med['ansible_list'] / med['ictops_list']:.1f}x (target >= 5x)")
    print(f"upgrade  ictops run --plan               {med['ictops_upgrade']:6.2f} s  {results['ictops_upgrade']}"
          f"   (plan + approve before it: {med['ictops_plan']:.2f} s)")
    print(f"upgrade  xargs ssh apt-get install       {med['ssh_upgrade']:6.2f} s  (the floor)")
    print(f"upgrade  ansible apt state=latest        {med['ansible_upgrade']:6.2f} s  "
          f"ansible/ictops = {med['ansible_upgrade'] / med['ictops_upgrade']:.1f}x (target >= 5x)")
    if args.out:
        args.out.write_text(json.dumps({"servers": args.servers, "forks": args.forks, **results}, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())
