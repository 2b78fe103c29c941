#!/usr/bin/env python3
"""Benchmark the lab's Debian-root servers: cache builds, lab up/down of N servers, reboots.

Run as root:  .venv/bin/python benchmarks/lab_roots.py [--servers 20 50]
Each size stands up its own district of N servers in their own Debian root (profiles in turn
typical, compliant, noncompliant) on 127.<ICTOPS_TEST_NET>.60.x, port 2222, in a temporary
project, and stops it at the end. docs/lab.md records the figures.

Measured, each once (they change the machine's state: the first up creates the roots):
- cold build of the lab layer (signed apt repository) and the three profile layers, in a
  temporary cache with no network (``unshare --net``), on the machine's cached Debian base;
- warm: the same call when everything is cached;
- ``ictops lab up`` creating N servers; ``ictops lab down``; ``ictops lab up`` of the N
  existing servers; ``ictops lab down``;
- N servers rebooted at once (the power request the shim writes), until each answers again
  with a new boot id; reboot_seconds 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ictops.inventory import load_inventory  # noqa: E402
from ictops.lab import roots, sshd  # noqa: E402
from ictops.lab.fleet import Lab  # noqa: E402
from tests.integration.district import ICTOPS, make_project  # noqa: E402
from tests.net import LAB  # noqa: E402

PROFILES = ("typical", "compliant", "noncompliant")
COLD_BUILD = """
import sys, time
from pathlib import Path
from ictops.lab import layers, roots
cache = Path(sys.argv[1])
base = roots.ensure_base()
t = time.perf_counter(); lab = layers.lab_layer(cache); t_lab = time.perf_counter() - t
t = time.perf_counter()
for p in layers.PROFILES_BUILT:
    layers.profile_layer(p, base, lab, cache)
t_profiles = time.perf_counter() - t
t = time.perf_counter(); layers.lab_layer(cache)
for p in layers.PROFILES_BUILT:
    layers.profile_layer(p, base, lab, cache)
print(t_lab, t_profiles, time.perf_counter() - t)
"""


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {argv}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def cold_build() -> dict:
    with tempfile.TemporaryDirectory(prefix="ictops-lab-cache-") as cache:
        code = COLD_BUILD.replace("layers.PROFILES_BUILT", repr(PROFILES))
        argv = ["unshare", "--net", sys.executable, "-c", code, cache]
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=True)
        t_lab, t_profiles, t_warm = (float(x) for x in proc.stdout.split())
        subprocess.run(["umount", "-R", cache], capture_output=True, check=False)
    return {"lab_layer_cold": t_lab, "profile_layers_cold": t_profiles, "all_warm": t_warm}


def district(n: int, root: Path) -> dict:
    hosts = "".join(
        f"bench-{i:03d}:\n  hostname: {LAB}.60.{i}\n  groups: [servers, school_a]\n"
        f"  data: {{lab: {{root: debian, profile: {PROFILES[i % 3]}, reboot_seconds: 1}}}}\n"
        for i in range(1, n + 1)
    )
    project = make_project(root, servers=[], cisco=[], huawei=[], extra_hosts=hosts)
    env = dict(os.environ, ICTOPS_PROJECT=str(project.root))
    result = {"servers": n}
    try:
        result["up_create"] = timed([*ICTOPS, "lab", "up", "--timeout", "120"], env)
        result["down"] = timed([*ICTOPS, "lab", "down"], env)
        result["up_existing"] = timed([*ICTOPS, "lab", "up", "--timeout", "120"], env)
        result["reboot_all"] = reboot_all(project)
        result["down_after"] = timed([*ICTOPS, "lab", "down"], env)
    finally:
        inventory = load_inventory(project.inventory_dir, project.root)
        Lab(project, inventory).down()
    return result


def reboot_all(project) -> float:
    """Ask every server to reboot (as the shim does) and wait for all to answer again."""
    inventory = load_inventory(project.inventory_dir, project.root)
    lab = Lab(project, inventory)
    specs = [lab.paths.sshd_spec(h, sshd.LAB_USER) for h in lab.rooted]
    before = {h.name: (lab.paths.root_paths(h).dir / "boot_id").read_text() for h in lab.rooted}
    start = time.perf_counter()
    for h in lab.rooted:
        (lab.paths.root_paths(h).inside("run/ictops-lab/power")).write_text("reboot\n")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = {h.name: _read(lab.paths.root_paths(h).dir / "boot_id") for h in lab.rooted}
        if all(now[k] and now[k] != before[k] for k in before):
            break
        time.sleep(0.05)
    else:
        raise SystemExit("servers did not all reboot within 120 s")
    missing = sshd.wait_banners([(s.address, s.port) for s in specs], 60)
    if missing:
        raise SystemExit(f"no banner after reboot: {missing[:3]}")
    return time.perf_counter() - start


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: Debian roots need mount and chroot")
    roots.ensure_base()
    results = {"build": cold_build(), "districts": []}
    print(json.dumps(results["build"]), flush=True)
    for n in args.servers:
        with tempfile.TemporaryDirectory(prefix="ictops-bench-") as tmp:
            results["districts"].append(district(n, Path(tmp)))
        print(json.dumps(results["districts"][-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
