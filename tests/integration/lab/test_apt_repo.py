"""The lab's signed apt repository, used for real by apt in lab servers over SSH (127.N.40.x).

Everything runs offline: the servers' only apt sources are ``file:/srv/ictops-lab/apt``.
"""

from __future__ import annotations

import re

import pytest

from tests.integration.lab.rooted import ok, rooted_district, run
from tests.net import LAB

pytestmark = pytest.mark.lab

SERVERS = {
    "apt-typ": (f"{LAB}.40.1", "typical"),
    "apt-ok": (f"{LAB}.40.2", "compliant"),
    "apt-bad": (f"{LAB}.40.3", "noncompliant"),
    "apt-conf": (f"{LAB}.40.4", "typical"),
    "apt-trap": (f"{LAB}.40.5", "typical"),
}
# stdin closed and dpkg's conffile question answered in advance (lab-facts.md)
APT = (
    "DEBIAN_FRONTEND=noninteractive apt-get -y -q "
    "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
)
SECURITY_ONLY = (
    "-o Dir::Etc::SourceList=/etc/apt/sources.list.d/ictops-lab-security.sources "
    "-o Dir::Etc::SourceParts=/dev/null"
)
INST = re.compile(r"^Inst (\S+) \[(\S+)\] \((\S+) (\S+) \[all\]\)$", re.MULTILINE)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with rooted_district(tmp_path_factory.mktemp("apt"), SERVERS) as district:
        yield district


def installed(lab, name: str) -> dict[str, str]:
    out = ok(lab, name, "dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' "
                        "'ictops-lab-*' 2>/dev/null; true")
    return {p: v for p, v, status in (line.split(None, 2) for line in out.splitlines())
            if status.strip() == "ii"}


def pending(lab, name: str, options: str = "") -> dict[str, tuple[str, str, str]]:
    """{package: (installed, candidate, origin)} from ``apt-get -s upgrade``."""
    out = ok(lab, name, f"apt-get -s {options} upgrade")
    return {m[0]: (m[1], m[2], m[3]) for m in INST.findall(out)}


def test_servers_start_with_their_profiles_packages(lab):
    assert installed(lab, "apt-typ") == {"ictops-lab-hello": "1.0-1", "ictops-lab-kernel": "1.0-1"}
    assert installed(lab, "apt-ok") == {
        "ictops-lab-hello": "1.0-1",
        "ictops-lab-kernel": "1.1-1",
        "ictops-lab-tools": "1.0-1+deb12u1",
    }
    assert installed(lab, "apt-bad") == {
        "ictops-lab-hello": "1.0-1",
        "ictops-lab-kernel": "1.0-1",
        "ictops-lab-tools": "1.0-1",
    }
    # a fresh server has no reboot pending: the packages were installed before its first boot
    assert ok(lab, "apt-typ", "ls /var/run/reboot-required* 2>/dev/null; true") == ""


def test_sources_are_signed_and_offline(lab):
    sources = ok(lab, "apt-typ", "cat /etc/apt/sources.list /etc/apt/sources.list.d/*")
    assert "http" not in sources
    assert sources.count("Signed-By: /usr/share/keyrings/ictops-lab-archive-keyring.gpg") == 2
    update = ok(lab, "apt-typ", "apt-get update", sudo=True)
    fetched = re.findall(r"^(?:Get|Hit):\d+ (\S+) (\S+) InRelease", update, re.MULTILINE)
    assert set(fetched) == {
        ("file:/srv/ictops-lab/apt", "ictops"),
        ("file:/srv/ictops-lab/apt", "ictops-security"),
    }, update
    # the signature is checked: a repository signed by another key is refused (apt-get update
    # says so with exit 0 and a warning, unless --error-on=any)
    ok(lab, "apt-typ", "echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
                       "file:/srv/ictops-lab/apt ictops main' >/tmp/other-key.list")
    wrong = run(lab, "apt-typ", "apt-get update --error-on=any -o Dir::Etc::SourceParts=/dev/null "
                "-o Dir::Etc::SourceList=/tmp/other-key.list", sudo=True)
    assert wrong.exit_code == 100 and "NO_PUBKEY" in wrong.stderr, wrong


def test_pending_updates_show_their_origin_and_security_is_a_real_subset(lab):
    assert pending(lab, "apt-bad") == {
        "ictops-lab-hello": ("1.0-1", "1.1-1", "ictops-lab:ictops"),
        "ictops-lab-kernel": ("1.0-1", "1.1-1", "ictops-lab-security:ictops-security"),
        "ictops-lab-tools": ("1.0-1", "1.1-1", "ictops-lab:ictops"),
    }
    # security only: the security suite alone; tools gets its security fix, not the newest
    assert pending(lab, "apt-bad", SECURITY_ONLY) == {
        "ictops-lab-kernel": ("1.0-1", "1.1-1", "ictops-lab-security:ictops-security"),
        "ictops-lab-tools": ("1.0-1", "1.0-1+deb12u1", "ictops-lab-security:ictops-security"),
    }
    assert pending(lab, "apt-ok", SECURITY_ONLY) == {}  # compliant: security-patched
    assert set(pending(lab, "apt-ok")) == {"ictops-lab-hello", "ictops-lab-tools"}


def test_security_only_upgrade_installs_the_subset(lab):
    ok(lab, "apt-bad", f"{APT} {SECURITY_ONLY} upgrade </dev/null", sudo=True)
    assert installed(lab, "apt-bad") == {
        "ictops-lab-hello": "1.0-1",
        "ictops-lab-kernel": "1.1-1",
        "ictops-lab-tools": "1.0-1+deb12u1",
    }
    assert pending(lab, "apt-bad", SECURITY_ONLY) == {}


def test_install_and_upgrade_over_ssh(lab):
    ok(lab, "apt-typ", f"{APT} install ictops-lab-tools=1.0-1 </dev/null", sudo=True)
    assert ok(lab, "apt-typ", "ictops-lab-tool").strip() == "ictops-lab-tool 1.0-1"
    ok(lab, "apt-typ", f"{APT} upgrade </dev/null", sudo=True)
    assert installed(lab, "apt-typ") == {
        "ictops-lab-hello": "1.1-1",
        "ictops-lab-kernel": "1.1-1",
        "ictops-lab-tools": "1.1-1",
    }
    assert pending(lab, "apt-typ") == {}


def test_kernel_upgrade_asks_for_a_reboot(lab):
    assert run(lab, "apt-ok", "test -e /var/run/reboot-required").exit_code == 1
    ok(lab, "apt-bad", f"{APT} install ictops-lab-kernel </dev/null", sudo=True)
    assert ok(lab, "apt-bad", "cat /var/run/reboot-required") == "*** System restart required ***\n"
    assert "ictops-lab-kernel" in ok(lab, "apt-bad", "cat /var/run/reboot-required.pkgs").split()


def test_edited_conffile_survives_the_upgrade(lab):
    conf = "/etc/ictops-lab-hello.conf"
    ok(lab, "apt-conf", f"sed -i 's/^greeting = .*/greeting = sawasdee/' {conf}", sudo=True)
    ok(lab, "apt-conf", f"{APT} install ictops-lab-hello </dev/null", sudo=True)
    assert installed(lab, "apt-conf")["ictops-lab-hello"] == "1.1-1"
    assert "greeting = sawasdee" in ok(lab, "apt-conf", f"cat {conf}")
    assert "heartbeat" in ok(lab, "apt-conf", f"cat {conf}.dpkg-dist")  # 1.1-1's version, beside
    # the upgrade restarted the service, which read the kept file
    log = ok(lab, "apt-conf", "cat /var/log/ictops-lab-hello.log").splitlines()
    assert log[-1].split(" ", 1)[1].startswith("start version=1.1-1 ")
    assert log[-1].endswith("greeting=sawasdee")


def test_without_the_conffile_options_the_upgrade_stops(lab):
    """The trap the options avoid is real here: dpkg's question, no answer, exit 100."""
    ok(lab, "apt-trap", "sed -i 's/^greeting = .*/greeting = edited/' /etc/ictops-lab-hello.conf",
       sudo=True)
    trapped = run(lab, "apt-trap", "DEBIAN_FRONTEND=noninteractive apt-get -y -q install "
                  "ictops-lab-hello </dev/null", sudo=True)
    assert trapped.exit_code == 100, trapped
    status = ok(lab, "apt-trap", "dpkg-query -W -f '${Status}' ictops-lab-hello")
    assert status == "install ok unpacked"  # 1.1-1 unpacked, never configured


def test_service_is_managed_without_systemd(lab):
    status = run(lab, "apt-ok", "service ictops-lab-hello status", sudo=True)
    assert (status.exit_code, status.stdout.split(" (pid")[0]) == (0, "ictops-lab-hello is running")
    ok(lab, "apt-ok", "service ictops-lab-hello stop", sudo=True)
    assert run(lab, "apt-ok", "service ictops-lab-hello status", sudo=True).exit_code == 3
    ok(lab, "apt-ok", "service ictops-lab-hello start", sudo=True)
    ok(lab, "apt-ok", "service ictops-lab-hello restart", sudo=True)
    assert run(lab, "apt-ok", "service ictops-lab-hello status", sudo=True).exit_code == 0
    events = [line.split()[1] for line in
              ok(lab, "apt-ok", "cat /var/log/ictops-lab-hello.log").splitlines()]
    assert events == ["start", "stop", "start", "stop", "start"]  # boot, stop, start, restart
    # systemd is not PID 1: systemctl says so, as in a container
    refused = run(lab, "apt-ok", "systemctl restart ictops-lab-hello", sudo=True)
    assert refused.exit_code == 1 and "not been booted with systemd" in refused.stderr
    assert run(lab, "apt-ok", "test -d /run/systemd/system").exit_code == 1
