#!/usr/bin/env python3
"""Benchmark: load, validate and filter an inventory of N hosts (default 10,000).

Target (issue 2): under 1 s for 10,000 hosts. Run: .venv/bin/python benchmarks/inventory_load.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ictops.inventory import load_inventory


def write_inventory(directory: Path, count: int) -> None:
    schools = max(1, count // 4)
    groups = ["servers:\n  platform: linux\n  role: server\n  username: ictops\n",
              "switches:\n  role: switch\n  username: admin\n  password: {env: SW_PASS}\n",
              "cisco:\n  groups: [switches]\n  platform: cisco_ios\n",
              "huawei:\n  groups: [switches]\n  platform: huawei_vrp\n"]
    for s in range(schools):
        groups.append(
            f"sch_{s}:\n  site: site-{s}\n  district: อำเภอ{s % 20}\n"
            f"  school: {{name: โรงเรียนบ้านทดสอบ{s}, code: \"{1036000000 + s}\"}}\n"
        )
    (directory / "groups.yaml").write_text("\n".join(groups), encoding="utf-8")
    (directory / "defaults.yaml").write_text("port: 22\ntimeouts: {connect: 5}\n", encoding="utf-8")
    lines = []
    for i in range(count):
        s = i // 4
        kind = ("servers", "cisco", "cisco", "huawei")[i % 4]
        lines.append(
            f"host-{i:05d}:\n  hostname: 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n"
            f"  groups: [{kind}, sch_{s}]\n  data: {{rack: r{i % 7}, vlan: {i % 100}}}\n"
        )
    (directory / "hosts.yaml").write_text("".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--limit", default="role=switch and (sch_1* or district=อำเภอ3) and not huawei")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "inventory"
        directory.mkdir()
        write_inventory(directory, args.hosts)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            inventory = load_inventory(directory)
            selected = inventory.select(args.limit)
            times.append(time.perf_counter() - start)
    best, median = min(times), statistics.median(times)
    print(f"inventory: {args.hosts} hosts, limit selects {len(selected)}")
    print(f"load+validate+filter: median {median:.3f} s, best {best:.3f} s (target < 1 s)")
    return 0 if median < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
