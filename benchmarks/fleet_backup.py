"""The backup scenario of benchmarks/fleet.py: `ictops backup` against an Ansible backup playbook.

ictops: the whole district once (first backup: everything new, one commit), then the steady
state (nothing changed, no commit), median of --repeat. Then the comparison on the same hosts
in the same run: the servers and the Cisco switches (Ansible has no module that works with
the simulated Huawei VRP switches, so both sides leave them out):
- ictops: `ictops backup -l 'role=server or cisco'` into a fresh store (first backup) and
  again (steady state);
- Ansible: a playbook that, for the Cisco switches, runs `cisco.ios.ios_command` with
  `show running-config` and `show startup-config` over network_cli (libssh) and saves both
  locally, and for the servers `fetch`es the default server files that exist (with become,
  as ictops uses sudo) and saves the package list, OS release, kernel and uptime.
"""

from __future__ import annotations

import glob
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from ictops.backup.collect import default_files
from ictops.inventory.host import Host
from ictops.project import Project

PLAYBOOK = """
- name: back up the Cisco switches
  hosts: cisco
  gather_facts: false
  connection: ansible.netcommon.network_cli
  tasks:
    - name: read the configs
      cisco.ios.ios_command:
        commands: [show running-config, show startup-config]
      register: configs
    - name: save them
      ansible.builtin.copy:
        content: "{{{{ configs.stdout[0] }}}}\\n===\\n{{{{ configs.stdout[1] }}}}\\n"
        dest: "{out}/{{{{ inventory_hostname }}}}.cfg"
        mode: "0600"
      delegate_to: localhost

- name: back up the servers
  hosts: servers
  gather_facts: false
  become: true
  tasks:
    - name: fetch the configuration files
      ansible.builtin.fetch:
        src: "{{{{ item }}}}"
        dest: "{out}/"
        fail_on_missing: false
      loop: {files}
    - name: package list and facts
      ansible.builtin.shell: "dpkg-query -W -f='${{Package}}\\\\t${{Version}}\\\\n'; cat /etc/os-release; uname -r; uptime"
      register: facts
      changed_when: false
    - name: save them
      ansible.builtin.copy:
        content: "{{{{ facts.stdout }}}}\\n"
        dest: "{out}/{{{{ inventory_hostname }}}}.facts"
        mode: "0600"
      delegate_to: localhost
"""


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start, proc


def _run(argv: list[str], env: dict[str, str], what: str) -> float:
    seconds, proc = _timed(argv, env)
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return seconds


def _median(repeat: int, argv: list[str], env: dict[str, str], what: str) -> dict:
    runs = [_run(argv, env, what) for _ in range(repeat)]
    return {"median": statistics.median(runs), "runs": runs}


def _existing_default_files() -> list[str]:
    """The default server backup files that exist here (the lab servers are this machine)."""
    found: list[str] = []
    for pattern in default_files():
        found.extend(sorted(p for p in glob.glob(pattern) if Path(p).is_file()))
    return found


def _ansible_inventory(project: Project, hosts: list[Host], path: Path) -> None:
    lab = project.lab_dir
    servers = [h for h in hosts if h.is_server]
    cisco = [h for h in hosts if h.platform_name == "cisco_ios"]
    password = (lab / "switch-password").read_text().strip()
    enable = (lab / "enable-secret").read_text().strip()
    path.write_text(
        "[servers]\n" + "".join(f"{h.name} ansible_host={h.hostname}\n" for h in servers)
        + "[servers:vars]\nansible_port=2222\nansible_user=ictops\n"
        f"ansible_ssh_private_key_file={lab / 'id_ed25519'}\nansible_python_interpreter=/usr/bin/python3\n"
        f"ansible_ssh_common_args=-o UserKnownHostsFile={project.known_hosts} -o StrictHostKeyChecking=yes\n"
        "[cisco]\n" + "".join(f"{h.name} ansible_host={h.hostname}\n" for h in cisco)
        + "[cisco:vars]\nansible_port=2222\nansible_user=admin\n"
        f"ansible_password={password}\nansible_network_os=cisco.ios.ios\n"
        f"ansible_become=true\nansible_become_method=enable\nansible_become_password={enable}\n"
        "ansible_network_cli_ssh_type=libssh\nansible_host_key_checking=false\n"
    )


def backup_scenario(project: Project, hosts: list[Host], args, env: dict[str, str], bin_dir: Path) -> dict[str, dict]:
    """Run the backup measurements; returns the results to merge into the benchmark's."""
    ictops = str(bin_dir / "ictops")
    forks = str(args.forks)
    results: dict[str, dict] = {}
    results["ictops_backup_first"] = {"median": _run([ictops, "backup", "-f", forks, "--json"], env, "ictops backup"), "runs": []}
    results["ictops_backup_steady"] = _median(args.repeat, [ictops, "backup", "-f", forks, "--json"], env, "ictops backup")

    # The comparison set, in a fresh store so that the first run is a full backup again.
    limit = "role=server or cisco"
    same = [h for h in hosts if h.is_server or h.platform_name == "cisco_ios"]
    results["compared_hosts"] = {"median": float(len(same)), "runs": []}
    shutil.rmtree(project.backups_dir, ignore_errors=True)
    results["ictops_backup_same_first"] = {"median": _run([ictops, "backup", "-l", limit, "-f", forks, "--json"], env, "ictops backup"), "runs": []}
    results["ictops_backup_same_steady"] = _median(args.repeat, [ictops, "backup", "-l", limit, "-f", forks, "--json"], env, "ictops backup")

    playbook_bin = shutil.which("ansible-playbook", path=str(bin_dir)) or shutil.which("ansible-playbook")
    if playbook_bin and not args.skip_ansible:
        work = project.root / "ansible-backup"
        out = work / "out"
        out.mkdir(parents=True, exist_ok=True)
        inv = work / "hosts.ini"
        _ansible_inventory(project, hosts, inv)
        book = work / "backup.yaml"
        book.write_text(PLAYBOOK.format(out=out, files=_existing_default_files()))
        aenv = dict(
            env, ANSIBLE_PIPELINING="True", ANSIBLE_GATHERING="explicit", ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCAL_TEMP=str(work / "tmp"), ANSIBLE_HOST_KEY_CHECKING="True",
            ANSIBLE_PERSISTENT_COMMAND_TIMEOUT="60",
        )
        argv = [playbook_bin, "-i", str(inv), str(book), "-f", forks]
        results["ansible_backup"] = _median(args.ansible_repeat, argv, aenv, "ansible-playbook backup")
        results["ansible_version"] = {"median": 0.0, "runs": [], "version": _version(bin_dir)}
    return results


def _version(bin_dir: Path) -> str:
    ansible = shutil.which("ansible", path=str(bin_dir)) or "ansible"
    proc = subprocess.run([ansible, "--version"], capture_output=True, text=True, check=False)
    return (proc.stdout.splitlines() or ["?"])[0]


def print_backup(args, results: dict[str, dict]) -> None:
    n = int(results["compared_hosts"]["median"])
    first = results["ictops_backup_first"]["median"]
    steady = results["ictops_backup_steady"]["median"]
    print(f"ictops backup, all {args.servers + args.switches} hosts: first {first:6.2f} s, no change {steady:6.2f} s")
    same_first = results["ictops_backup_same_first"]["median"]
    same_steady = results["ictops_backup_same_steady"]["median"]
    print(f"ictops backup, {n} hosts (servers + Cisco): first {same_first:6.2f} s, no change {same_steady:6.2f} s")
    if "ansible_backup" in results:
        a = results["ansible_backup"]["median"]
        print(f"ansible-playbook backup, same {n} hosts ({results['ansible_version']['version']}): {a:6.2f} s")
        print(f"ansible/ictops = {a / same_first:.1f}x first backup, {a / same_steady:.1f}x steady state (target >= 10x)")
