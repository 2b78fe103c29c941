"""Offline audit benchmark: 1,000 generated switch configs against the full th-baseline pack.

Run: .venv/bin/python benchmarks/audit_offline.py [--count 1000]
Target (issue 4): under 3 s. Each config is parsed once; rule regexes are compiled at load.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ictops.compliance import StaticEvidence, evaluate, fleet_summary, load_pack
from ictops.inventory.host import Host


def generate(index: int, rng: random.Random) -> str:
    """A ~250-line access-switch config; about half the hosts drift from the baseline."""
    lines = [
        "Building configuration...",
        "",
        "Current configuration : 9876 bytes",
        "!",
        "version 15.2",
        "service timestamps debug datetime msec localtime show-timezone year",
        "service timestamps log "
        + rng.choice(["datetime msec localtime show-timezone year", "uptime"]),
        "service password-encryption" if rng.random() < 0.8 else "no service password-encryption",
        f"hostname sw-school-{index:04d}",
        "!",
        "enable secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
        "username admin privilege 15 secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyz",
        "aaa new-model" if rng.random() < 0.7 else "no aaa new-model",
        "aaa authentication login default local",
        "aaa accounting exec default start-stop group tacacs+",
        "clock timezone ICT 7 0" if rng.random() < 0.9 else "clock timezone UTC 0 0",
        "ip ssh version 2",
        "no ip http server" if rng.random() < 0.7 else "ip http server",
        "login on-failure log",
        "login on-success log",
        "archive",
        " log config",
        "  logging enable",
        "!",
    ]
    for vlan in range(1, 21):
        lines += [f"vlan {vlan}", f" name VLAN{vlan}", "!"]
    for port in range(1, 49):
        lines += [
            f"interface GigabitEthernet1/0/{port}",
            f" description access port {port}",
            f" switchport access vlan {rng.randint(1, 20)}",
            " switchport mode access",
            " spanning-tree portfast",
            "!",
        ]
    lines += [
        "interface Vlan99",
        " ip address 10.1.99.2 255.255.255.0",
        "!",
        "ip access-list standard MGMT-ACCESS",
        " permit 10.1.99.0 0.0.0.255",
        "!",
        "logging trap informational",
        "logging source-interface Vlan99",
        "logging host 10.1.0.5",
    ]
    lines += (
        ["ntp server time1.nimt.or.th", "ntp server time.navy.mi.th"]
        if rng.random() < 0.8
        else ["ntp server pool.ntp.org"]
    )
    if rng.random() < 0.3:
        lines.append("snmp-server community public RO")
    lines += [
        "banner login ^C",
        "Authorised use only.",
        "^C",
        "!",
        "line con 0",
        " exec-timeout 5 0",
    ]
    for block in ("0 4", "5 15"):
        lines += [
            f"line vty {block}",
            " access-class MGMT-ACCESS in",
            f" exec-timeout {rng.choice([5, 10, 0, 30])} 0",
            " transport input " + rng.choice(["ssh", "ssh", "telnet ssh"]),
        ]
    lines += ["!", "end"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(4)
    configs = [generate(i, rng) for i in range(args.count)]
    hosts = [
        Host(name=f"sw-{i:04d}", hostname="127.0.2.1", platform_name="cisco_ios", site="bench")
        for i in range(args.count)
    ]
    started = time.perf_counter()
    pack = load_pack(ROOT / "rules" / "th-baseline.yaml")
    loaded = time.perf_counter()
    audits = [
        evaluate(pack, host, StaticEvidence(text, age_days=1.0, saved=True))
        for host, text in zip(hosts, configs)
    ]
    ended = time.perf_counter()
    summary = fleet_summary(audits)
    lines = sum(text.count("\n") for text in configs)
    print(
        f"configs: {args.count} ({lines} lines), rules: {len(pack.rules)}, "
        f"evaluations: {sum(len(a.results) for a in audits)}"
    )
    print(
        f"pack load: {loaded - started:.3f} s, audit: {ended - loaded:.3f} s "
        f"({(ended - loaded) / args.count * 1000:.2f} ms per config), total: {ended - started:.3f} s"
    )
    print(f"results: {summary.counts}, average score {summary.average_score}")
    return 0 if ended - started < 3.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
