"""Helpers for dashboard tests: start ``ictops web`` (or its server) on a loopback address,
wait for it with a deadline, stop it whatever happens; a headless Chromium that runs offline
(Debian's chromium + chromium-driver, no browser download)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.net import LAB

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# 127.<net>.0.1 stands for "this machine", 127.<net>.0.2 for "the office network"
LOCAL, BEYOND = f"{LAB}.0.1", f"{LAB}.0.2"
PORTS = iter(range(18700, 18790))  # 18790-18799: left for a developer's own dashboard

SERVE_NO_LOGIN = (
    "import sys\n"
    "from ictops.project import Project\n"
    "from ictops.web.server import make_server\n"
    "server, cache = make_server(Project.at(sys.argv[1]), sys.argv[2], int(sys.argv[3]), login=False)\n"
    "print('ready', flush=True)\n"
    "server.run()\n"
)


def wait_ready(proc: subprocess.Popen, deadline: float = 60.0) -> str:
    """What the server prints up to the line that says it listens (its URL, or "ready"): our
    process's own words, so that another server already on the port never passes for ours."""
    end = time.monotonic() + deadline
    said = b""
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:  # the pipe itself, not the text wrapper: its buffer can hold a line select never sees
            said += os.read(proc.stdout.fileno(), 65536)
            lines = said.decode("utf-8", "replace").split("\n")[:-1]  # complete lines only
            if any("http://" in line or line.strip() == "ready" for line in lines):
                return said.decode("utf-8", "replace")
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the dashboard exited {proc.returncode}: {said.decode()}{out}\n{err}")
    raise AssertionError(f"the dashboard did not start within {deadline}s: {said.decode()}")


@contextlib.contextmanager
def serve(project_root: Path, *, bind: str, login: bool,
          env: dict | None = None) -> Iterator[tuple[str, subprocess.Popen, str]]:
    """A running dashboard: the real ``ictops web`` when ``login`` (any non-default --bind),
    else its server without login (only 127.0.0.1 gets that from the command). Yields the
    URL, the process and what it printed on standard output until it listened."""
    port = next(PORTS)
    environ = dict(os.environ, ICTOPS_PROJECT=str(project_root), **(env or {}))
    if login:
        argv = [sys.executable, "-m", "ictops", "web", "--bind", bind, "--port", str(port)]
    else:
        argv = [sys.executable, "-c", SERVE_NO_LOGIN, str(project_root), bind, str(port)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environ, stdin=subprocess.DEVNULL, cwd=project_root)
    try:
        said = wait_ready(proc)
        yield f"http://{bind}:{port}", proc, said
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def browser(width: int = 1366, height: int = 1000, phone: bool = False):
    """Headless Chromium driven by chromedriver, both from Debian; nothing is downloaded.
    ``phone``: a phone's screen (width x height CSS pixels, touch, device pixel ratio 2)."""
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--lang=th", "--no-first-run",
                "--disable-background-networking"):
        options.add_argument(arg)
    if phone:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": True}})
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def full_screenshot(driver, path: Path) -> Path:
    """The whole page (the window grown to the page's height), saved as PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    # the window's width, not the content's: beyond the viewport the scrollbar goes away
    width = max(metrics["width"], driver.execute_script("return window.innerWidth"))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(metrics["height"], 8000),
                 "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def tree_digest(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``root``: size, mtime and SHA-256 (to prove nothing was written)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            stat = path.stat()
            found[str(path.relative_to(root))] = (
                stat.st_size, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return found
