#!/usr/bin/env python3
"""Benchmark ictops against the OpenSSH floor and ansible-core on a lab of N servers and M switches.

Run as root (the lab starts real sshd processes):  .venv/bin/python benchmarks/fleet.py
It stands up its own district on 127.0.20.x (servers) and 127.0.21.x (switches), port 2222, in a
temporary project, and stops it at the end. Results go to stdout (and --out FILE as JSON);
docs/performance.md records them.

Measured, each as a whole process, median of --repeat runs:
- lab up / lab down of the whole district (targets: < 10 s / < 5 s for 100 + 100);
- `ictops cmd uptime` on the servers vs `xargs -P50 ssh -o KexAlgorithms=curve25519-sha256`
  (the practical floor) vs `ansible all -m command -a uptime -f 50` (ansible-core);
- backup (issue 3): `ictops backup` of the whole district (first run and steady state), and
  `ictops backup` vs an Ansible backup playbook on the same hosts: the servers (`fetch` of the
  default server files + the package list and facts) and the Cisco switches
  (`cisco.ios.ios_command` show running-config + show startup-config, saved locally). Ansible
  has no working module for the simulated Huawei VRP switches, so the comparison leaves them
  out on both sides (benchmarks/fleet_backup.py).
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
from ictops.project import Project  # noqa: E402
from tests.integration.district import make_project  # noqa: E402

BIN = Path(sys.executable).parent


def timed(argv: list[str], env: dict[str, str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start, proc


def median_of(repeat: int, argv: list[str], env: dict[str, str], check_ok, **kwargs) -> dict:
    times = []
    for _ in range(repeat):
        seconds, proc = timed(argv, env, **kwargs)
        if not check_ok(proc):
            raise SystemExit(f"benchmark command failed: {argv[:4]}...\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        times.append(seconds)
    return {"median": statistics.median(times), "runs": times}


def addresses(prefix: str, count: int) -> list[str]:
    return [f"{prefix}.{i // 250}.{i % 250 + 1}" if count > 250 else f"{prefix}.{i + 1}" for i in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, default=100)
    parser.add_argument("--switches", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--skip-ansible", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--scenarios", default="cmd,backup", help="comma-separated: cmd, backup")
    parser.add_argument("--ansible-repeat", type=int, default=1, help="runs of the (slow) Ansible backup")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the lab starts real sshd processes and a lab user")

    root = Path(tempfile.mkdtemp(prefix="ictops-bench-"))
    half = args.switches // 2
    project: Project = make_project(
        root,
        servers=addresses("127.0.20", args.servers),
        cisco=addresses("127.0.21", args.switches)[:half],
        huawei=addresses("127.0.21", args.switches)[half:],
    )
    inventory = load_inventory(project.inventory_dir, project.root)
    lab = Lab(project, inventory)
    results: dict[str, dict] = {}
    env = dict(os.environ, ICTOPS_PROJECT=str(root), COLUMNS="200")
    try:
        start = time.perf_counter()
        lab.up(timeout=60)
        results["lab_up"] = {"median": time.perf_counter() - start, "runs": []}
        hosts = list(inventory.hosts.values())
        trust_many(project.known_hosts, [(h, scan_host_key(h, timeout=10)) for h in hosts])
        servers = [h for h in hosts if h.is_server]
        key = project.lab_dir / "id_ed25519"
        ok = lambda p: p.returncode == 0  # noqa: E731
        scenarios = set(args.scenarios.split(","))
        if "backup" in scenarios:
            from benchmarks.fleet_backup import backup_scenario

            results.update(backup_scenario(project, hosts, args, env, BIN))
        if "cmd" in scenarios:
            results.update(_cmd_scenario(args, root, project, servers, key, env, ok))
    finally:
        start = time.perf_counter()
        lab.down()
        results["lab_down"] = {"median": time.perf_counter() - start, "runs": []}
        shutil.rmtree(root, ignore_errors=True)

    return _report(args, results)


def _report(args: argparse.Namespace, results: dict[str, dict]) -> int:
    print(f"district: {args.servers} servers, {args.switches} switches; forks {args.forks}; median of {args.repeat}")
    print(f"lab up   {results['lab_up']['median']:6.2f} s   (target < 10 s)")
    print(f"lab down {results['lab_down']['median']:6.2f} s   (target < 5 s)")
    if "ictops_backup_first" in results:
        from benchmarks.fleet_backup import print_backup

        print_backup(args, results)
    if "ictops_cmd" in results:
        _print_cmd(args, results)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


def _print_cmd(args: argparse.Namespace, results: dict[str, dict]) -> None:
    floor = results["openssh_xargs"]["median"]
    mine = results["ictops_cmd"]["median"]
    print(f"ictops cmd uptime         {mine:6.2f} s")
    print(f"xargs -P{args.forks} ssh (curve25519) {floor:6.2f} s   ictops/floor = {mine / floor:.2f}x (target <= 1.5x)")
    if "ansible_command" in results:
        a = results["ansible_command"]["median"]
        print(f"ansible -m command -f {args.forks}  {a:6.2f} s   ansible/ictops = {a / mine:.1f}x (target >= 10x)")


def _cmd_scenario(args, root: Path, project: Project, servers, key: Path, env: dict[str, str], ok) -> dict[str, dict]:
    """`ictops cmd uptime` on the servers vs the OpenSSH floor vs `ansible -m command`."""
    results: dict[str, dict] = {}
    results["ictops_cmd"] = median_of(
        args.repeat, [str(BIN / "ictops"), "cmd", "uptime", "-l", "role=server", "-f", str(args.forks), "--json"], env, ok
    )
    ssh = (
        f"ssh -i {key} -p 2222 -o BatchMode=yes -o StrictHostKeyChecking=yes "
        f"-o UserKnownHostsFile={project.known_hosts} -o KexAlgorithms=curve25519-sha256 "
        "-o LogLevel=ERROR ictops@{} uptime"
    )
    targets = "\n".join(h.hostname for h in servers) + "\n"
    results["openssh_xargs"] = _xargs(args.repeat, targets, ssh, args.forks, env)

    ansible = shutil.which("ansible", path=str(BIN)) or shutil.which("ansible")
    if ansible and not args.skip_ansible:
        inv = root / "ansible-hosts.ini"
        inv.write_text(
            "[servers]\n" + "".join(f"{h.hostname}\n" for h in servers)
            + "[servers:vars]\nansible_port=2222\nansible_user=ictops\n"
            f"ansible_ssh_private_key_file={key}\nansible_python_interpreter=/usr/bin/python3\n"
            f"ansible_ssh_common_args=-o UserKnownHostsFile={project.known_hosts} -o StrictHostKeyChecking=yes\n"
        )
        aenv = dict(env, ANSIBLE_HOST_KEY_CHECKING="True", ANSIBLE_PIPELINING="True",
                    ANSIBLE_GATHERING="explicit", ANSIBLE_LOCAL_TEMP=str(root / "ansible-tmp"),
                    ANSIBLE_NOCOLOR="1")
        results["ansible_command"] = median_of(
            args.repeat, [ansible, "all", "-i", str(inv), "-m", "command", "-a", "uptime", "-f", str(args.forks)], aenv, ok
        )
    return results


def _xargs(repeat: int, targets: str, ssh: str, forks: int, env: dict[str, str]) -> dict:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(
            ["sh", "-c", f"xargs -P{forks} -I{{}} {ssh} >/dev/null"], input=targets, env=env,
            capture_output=True, text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"xargs ssh failed: {proc.stderr[-2000:]}")
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "runs": times}


if __name__ == "__main__":
    sys.exit(main())
