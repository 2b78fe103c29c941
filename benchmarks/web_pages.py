"""Dashboard benchmark: every page of ``ictops web`` on a state of 500 hosts and 90 nightly runs.

Run: .venv/bin/python benchmarks/web_pages.py [--hosts 500] [--nights 90] [--keep DIR]
Target (issue 14): every page answers in under 0.5 s. The state is generated first
(benchmarks/web_state.py); then the real server (waitress) listens on a loopback address and
each page is fetched over HTTP: one warm-up, then --repeat timed requests (median, max). The
time to read the state once (what `ictops web` does before it listens, and again in the
background after a run) is reported apart. Exit 1 when a page is slower than the target.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.web_state import generate  # noqa: E402
from ictops.backup.store import BackupStore  # noqa: E402
from ictops.project import Project  # noqa: E402
from ictops.web.server import make_server  # noqa: E402

TARGET = 0.5
BIND = "127.0.0.1"


def pages(project, snap) -> list[str]:
    """One URL of each page, with filters and the heaviest arguments."""
    store = BackupStore(project.backups_dir)
    switches = [r.info.name for r in snap.fleet if r.info.platform == "cisco_ios"][:40]
    host = max(switches, key=lambda name: len(store.history(name)))  # the longest history
    history = store.history(host)
    old, new = history[-1].rev, history[0].rev
    school = snap.fleet[0].info.school
    plan = snap.plans[0].id
    q = urllib.parse.quote
    return [
        "/", "/?lang=en", f"/?school={q(school)}&status=failed",
        "/compliance", f"/compliance?district={q('ภูเขียว')}&platform=cisco_ios&severity=high",
        f"/compliance/host/{host}",
        "/backups", f"/backups/{host}", f"/backups/{host}?a={old}&b={new}",
        f"/backups/{host}/file?rev={new}&path=running-config.txt",
        "/trail", f"/trail?host={host}&status=changed", "/trail?process=2&step=5&page=400",
        f"/trail?since=2569-10-01&until=2569-10-31&host=h01*",
        "/runs", "/runs?plan_state=planned", f"/plans/{plan}", "/reports",
    ]


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:
        answer.read()
        assert answer.status == 200, (url, answer.status)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--nights", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=18795)
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="ictops-web-bench-"))
    try:
        started = time.perf_counter()
        if not (root / "state").exists():
            generate(root, args.hosts, args.nights)
        made = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (root / "state").rglob("*") if p.is_file())
        print(f"state: {args.hosts} hosts, {args.nights} nightly runs, {size / 1e6:.0f} MB "
              f"(generated in {made:.0f} s)")
        started = time.perf_counter()
        server, cache = make_server(Project.at(root), BIND, args.port, login=False)
        snap = cache.current()
        print(f"reading the state once (before listening): {time.perf_counter() - started:.2f} s "
              f"({len(snap.records)} trail records, {snap.compliance.audits} audits, "
              f"{len(snap.fleet)} hosts)")
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://{BIND}:{args.port}"
        worst = 0.0
        print(f"{'page':<72} {'median':>8} {'max':>8}")
        for page in pages(cache.project, snap):
            fetch(base + page)  # warm-up
            times = [fetch(base + page) for _ in range(args.repeat)]
            worst = max(worst, max(times))
            print(f"{urllib.parse.unquote(page)[:72]:<72} {statistics.median(times) * 1000:>6.0f}ms "
                  f"{max(times) * 1000:>6.0f}ms")
        print(f"slowest: {worst * 1000:.0f} ms (target {TARGET * 1000:.0f} ms)")
        server.close()
        return 0 if worst < TARGET else 1
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
