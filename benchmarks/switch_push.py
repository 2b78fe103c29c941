#!/usr/bin/env python3
"""Benchmark a switch change: a 5-line push with verify to N lab switches, ictops against
Ansible's cisco.ios.ios_config on the same switches in the same run (docs/performance.md).

Run as root (the lab needs it):  .venv/bin/python benchmarks/switch_push.py [--switches 50]
It stands up its own simulated Cisco IOS switches on 127.0.23.x, port 2222, in a temporary
project, and stops them at the end.

Each repetition pushes five new lines (two NTP servers, two log hosts, a VLAN; other values
each time, so every run is a real change on every switch) and verifies them:
- ictops: a playbook with `switch_config: {lines: [...], merge: true}`, planned and approved
  (not timed: `ictops plan` is shown apart), then `ictops run --plan ID` (timed): per switch
  the plan made again, the pre-change backup committed to the backup store, the five lines
  sent one by one with their answers checked, the running-config read and planned again
  (verify);
- Ansible: `ansible-playbook` with `cisco.ios.ios_config` (the five lines; it reads the
  running-config first to send only what is missing) then `cisco.ios.ios_command` `show
  running-config` and an `assert` that the five lines are there (verify), network_cli over
  libssh, forks = the switch count.
Both must report every switch changed and verified, or the benchmark stops.
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

from ictops.connections.hostkeys import scan_host_key, trust_many  # noqa: E402
from ictops.inventory import load_inventory  # noqa: E402
from ictops.lab.fleet import Lab  # noqa: E402
from tests.integration.district import TEAM, make_project  # noqa: E402

BIN = Path(sys.executable).parent
PLAYBOOK = """\
name: Benchmark push {rep}
process: 2
hosts: cisco
steps:
  - name: five lines
    step: 5
    switch_config:
      lines: {lines}
      merge: true
"""
ANSIBLE = """\
- name: Benchmark push {rep}
  hosts: cisco
  gather_facts: false
  connection: ansible.netcommon.network_cli
  tasks:
    - name: five lines
      cisco.ios.ios_config:
        lines: {lines}
    - name: read the running-config
      cisco.ios.ios_command:
        commands: [show running-config]
      register: after
    - name: verify
      ansible.builtin.assert:
        that: {checks}
        quiet: true
"""


def lines_for(rep: int, side: int) -> list[str]:
    """Five lines no switch has yet (``side`` keeps ictops's and Ansible's apart)."""
    net = f"10.{90 + side}.{rep}"
    return [f"ntp server {net}.1", f"ntp server {net}.2", f"logging host {net}.11",
            f"logging host {net}.12", f"vlan {100 + rep * 2 + side}"]


def run(argv: list[str], env: dict[str, str], what: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n"
                         f"{proc.stderr[-2000:]}")
    return seconds, proc.stdout


def ictops_push(root: Path, env: dict[str, str], rep: int, count: int) -> tuple[float, float]:
    """(plan seconds, run seconds) of one ictops push to every switch."""
    ictops = str(BIN / "ictops")
    book = f"playbooks/bench-{rep}.yaml"
    (root / book).write_text(PLAYBOOK.format(rep=rep, lines=json.dumps(lines_for(rep, 0))))
    planned, out = run([ictops, "plan", book, "-f", str(count), "--json"], env, "ictops plan")
    plan = json.loads(out)
    if plan["would_change"] != count:
        raise SystemExit(f"ictops plan: {plan['would_change']} of {count} would change")
    run([ictops, "approve", plan["id"], "--by", "wichian"], env, "ictops approve")
    seconds, out = run([ictops, "run", book, "--plan", plan["id"], "-f", str(count), "--json"],
                       env, "ictops run --plan")
    results = [r for s in json.loads(out)["steps"] for r in s["results"]]
    good = [r for r in results if r["status"] == "changed" and r["data"].get("verified")]
    if len(good) != count or any(len(r["data"]["sent"]) != 5 for r in good):
        raise SystemExit(f"ictops run: {len(good)} of {count} changed and verified")
    return planned, seconds


def ansible_push(work: Path, env: dict[str, str], rep: int, count: int) -> float:
    lines = lines_for(rep, 1)
    book = work / f"bench-{rep}.yaml"
    checks = [f"'{line}' in after.stdout[0]" for line in lines]
    book.write_text(ANSIBLE.format(rep=rep, lines=json.dumps(lines), checks=json.dumps(checks)))
    playbook = shutil.which("ansible-playbook", path=str(BIN)) or "ansible-playbook"
    seconds, out = run([playbook, "-i", str(work / "hosts.ini"), str(book), "-f", str(count)],
                       env, "ansible-playbook")
    recap = [line for line in out.splitlines() if "changed=" in line]
    changed = sum(1 for line in recap if "changed=1" in line and "failed=0" in line)
    if changed != count:
        raise SystemExit(f"ansible-playbook: {changed} of {count} changed\n{out[-3000:]}")
    return seconds


def ansible_inventory(root: Path, work: Path, hosts) -> None:
    lab = root / "state" / "lab"
    password = (lab / "switch-password").read_text().strip()
    enable = (lab / "enable-secret").read_text().strip()
    (work / "hosts.ini").write_text(
        "[cisco]\n" + "".join(f"{h.name} ansible_host={h.hostname}\n" for h in hosts)
        + "[cisco:vars]\nansible_port=2222\nansible_user=admin\n"
        f"ansible_password={password}\nansible_network_os=cisco.ios.ios\n"
        f"ansible_become=true\nansible_become_method=enable\nansible_become_password={enable}\n"
        "ansible_network_cli_ssh_type=libssh\nansible_host_key_checking=false\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switches", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-ansible", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the lab starts its devices as a lab user")
    root = Path(tempfile.mkdtemp(prefix="ictops-bench-push-"))
    project = make_project(root, servers=[],
                           cisco=[f"127.0.23.{i}" for i in range(1, args.switches + 1)], huawei=[])
    (root / "inventory" / "team.yaml").write_text(TEAM)
    (root / "playbooks").mkdir()
    inventory = load_inventory(project.inventory_dir, project.root)
    hosts = list(inventory.hosts.values())
    lab = Lab(project, inventory)
    env = dict(os.environ, ICTOPS_PROJECT=str(root), ICTOPS_OPERATOR="tester", COLUMNS="200")
    results: dict[str, list[float]] = {"ictops_plan": [], "ictops_run": [], "ansible": []}
    try:
        lab.up(timeout=60)
        trust_many(project.known_hosts, [(h, scan_host_key(h, timeout=10)) for h in hosts])
        work = root / "ansible"
        work.mkdir()
        ansible_inventory(root, work, hosts)
        aenv = dict(env, ANSIBLE_GATHERING="explicit", ANSIBLE_NOCOLOR="1",
                    ANSIBLE_LOCAL_TEMP=str(work / "tmp"), ANSIBLE_PERSISTENT_COMMAND_TIMEOUT="60")
        for rep in range(args.repeat):
            planned, pushed = ictops_push(root, env, rep, len(hosts))
            results["ictops_plan"].append(planned)
            results["ictops_run"].append(pushed)
            if not args.skip_ansible:
                results["ansible"].append(ansible_push(work, aenv, rep, len(hosts)))
    finally:
        lab.down()
        shutil.rmtree(root, ignore_errors=True)
    return report(args, results)


def report(args: argparse.Namespace, results: dict[str, list[float]]) -> int:
    def median(name: str) -> float:
        return statistics.median(results[name])

    runs = lambda name: ", ".join(f"{s:.2f}" for s in results[name])  # noqa: E731
    print(f"{args.switches} Cisco IOS switches, a 5-line change with verify, median of {args.repeat}")
    print(f"ictops plan (check run, saved)          {median('ictops_plan'):6.2f} s  ({runs('ictops_plan')})")
    print(f"ictops run --plan (backup+push+verify)  {median('ictops_run'):6.2f} s  ({runs('ictops_run')})")
    if results["ansible"]:
        ansible = median("ansible")
        print(f"ansible-playbook ios_config + verify    {ansible:6.2f} s  ({runs('ansible')})")
        print(f"ansible / ictops = {ansible / median('ictops_run'):.1f}x (target >= 5x)")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
