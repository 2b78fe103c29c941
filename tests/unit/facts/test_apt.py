"""apt fact parsers as data: apt-get -s output, sources, the lists' age -> typed values."""

from __future__ import annotations

import os
import subprocess

import pytest

from ictops.connections.base import CommandResult
from ictops.facts import (
    APT_LISTS_AGE,
    APT_SIMULATION,
    APT_SOURCES,
    AptChange,
    AptRequest,
    AptSimulation,
    AptSource,
    FactError,
)
from ictops.facts.apt import apt_argv, security_sources

KEY = "/usr/share/keyrings/ictops-lab-archive-keyring.gpg"


def out(stdout: str, code: int = 0, stderr: str = "") -> CommandResult:
    return CommandResult("x", code, stdout, stderr, 0.0)


# recorded in a lab server (profile noncompliant), apt 2.6.1
UPGRADE = """\
NOTE: This is only a simulation!
Reading package lists...
Calculating upgrade...
The following packages have been kept back:
  ictops-lab-hello
The following packages will be upgraded:
  ictops-lab-kernel ictops-lab-tools
Inst ictops-lab-kernel [1.0-1] (1.1-1 ictops-lab-security:ictops-security [all])
Inst ictops-lab-tools [1.0-1] (1.1-1 ictops-lab:ictops [all])
Inst libnew (2.0-1 Debian:12.6/stable, Debian-Security:12/stable-security [amd64])
Conf ictops-lab-kernel (1.1-1 ictops-lab-security:ictops-security [all])
"""
REMOVE = "Reading state information...\nRemv ictops-lab-hello [1.0-1]\nPurg old-thing [0.9]\n"


@pytest.mark.parametrize("result, expected", [
    (out(UPGRADE), AptSimulation((
        AptChange("ictops-lab-kernel", "1.0-1", "1.1-1", ("ictops-lab-security:ictops-security",)),
        AptChange("ictops-lab-tools", "1.0-1", "1.1-1", ("ictops-lab:ictops",)),
        AptChange("libnew", None, "2.0-1", ("Debian:12.6/stable", "Debian-Security:12/stable-security")),
    ), ("ictops-lab-hello",))),
    (out(REMOVE), AptSimulation((AptChange("ictops-lab-hello", "1.0-1", None),
                                 AptChange("old-thing", "0.9", None)))),
    (out("Reading package lists...\nictops-lab-hello is already the newest version (1.1-1).\n"),
     AptSimulation()),
    # apt refused: its error line, not an exception (the action decides)
    (out("Reading package lists...\n", 100, "E: Unable to locate package nosuchpkg\n"),
     AptSimulation(error="Unable to locate package nosuchpkg")),
    # a hostile answer: lines that are no package are ignored
    (out("Inst ../../etc/passwd [1] (2 x [all])\nInst ok-pkg [1] (2 x [all])\n"),
     AptSimulation((AptChange("ok-pkg", "1", "2", ("x",)),))),
])
def test_simulation(result: CommandResult, expected: AptSimulation) -> None:
    assert APT_SIMULATION.parse(result, AptRequest("upgrade")) == expected


def test_simulation_other_failure_is_a_fact_error() -> None:
    with pytest.raises(FactError, match="cannot simulate apt-get upgrade: Could not open lock"):
        APT_SIMULATION.parse(out("", 1, "E: Could not open lock file\n"), AptRequest("upgrade"))


def test_change_words_and_security() -> None:
    assert AptChange("a", None, "1").describe() == "install a 1"
    assert AptChange("a", "1", "2").describe() == "upgrade a 1 -> 2"
    assert AptChange("a", "1", None).describe() == "remove a 1"
    assert AptChange("a", "1", "2", ("Debian-Security:12/stable-security",)).security
    assert not AptChange("a", "1", "2", ("ictops-lab:ictops",)).security


@pytest.mark.parametrize("bad", [
    ("install", ("a; rm -rf /",)),
    ("install", ("a=1.0 ; x",)),
    ("purge", ("a",)),
])
def test_request_refuses_what_is_no_package(bad) -> None:
    with pytest.raises(ValueError):
        AptRequest(bad[0], bad[1])


def test_argv_simulated_and_real_differ_only_in_options() -> None:
    request = AptRequest("install", ("ictops-lab-hello=1.1-1",), pins="P", allow_downgrades=True)
    sim, real = apt_argv(request, True), apt_argv(request, False)
    assert sim[:6] == real[:6] == ["sh", "-c", sim[2], "ictops-apt", "", "P"]
    assert sim[6:] == ["-s", "-q", "-o", "Debug::NoLocking=1", "--allow-downgrades", "install",
                       "ictops-lab-hello=1.1-1"]
    assert real[6:] == ["-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o",
                        "Dpkg::Options::=--force-confold", "-o", "DPkg::Lock::Timeout=120",
                        "--allow-downgrades", "install", "ictops-lab-hello=1.1-1"]
    assert apt_argv(AptRequest("upgrade"), True)[-2:] == ["upgrade", "--with-new-pkgs"]


def test_apt_script_writes_sources_and_pins_and_passes_arguments(tmp_path) -> None:
    """The script itself, run by a local sh with a stand-in apt-get that prints its argv."""
    fake = tmp_path / "apt-get"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\n'
                    'for f in "$(echo "$@" | sed -n "s/.*SourceParts=\\([^ ]*\\).*/\\1/p")"/*.sources; do '
                    '[ -f "$f" ] && cat "$f"; done; exit 0\n')
    fake.chmod(0o755)
    argv = apt_argv(AptRequest("upgrade", sources="Types: deb\nSuites: s-security", pins="Pin"), True)
    done = subprocess.run(argv, capture_output=True, text=True, env={"PATH": f"{tmp_path}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "arg:Dir::Etc::SourceList=/dev/null" in lines
    assert any(line.startswith("arg:Dir::Etc::Preferences=/tmp/ictops-apt.") for line in lines)
    assert lines[-2:] == ["Types: deb", "Suites: s-security"]
    parts = next(line for line in lines if line.startswith("arg:Dir::Etc::SourceParts="))
    assert not os.path.exists(parts.partition("=")[2])  # the temporary directory is gone


LAB_SOURCES = f"""\
==> /etc/apt/sources.list
# emptied

==> /etc/apt/sources.list.d/ictops-lab-security.sources
Types: deb
URIs: file:/srv/ictops-lab/apt
Suites: ictops-security
Components: main
Signed-By: {KEY}

==> /etc/apt/sources.list.d/ictops-lab.sources
Types: deb
URIs: file:/srv/ictops-lab/apt
Suites: ictops
Components: main
Signed-By: {KEY}
"""
UBUNTU_SOURCES = """\
==> /etc/apt/sources.list
deb http://archive.ubuntu.com/ubuntu jammy main restricted
deb [arch=amd64 signed-by=/etc/apt/k.gpg] http://security.ubuntu.com/ubuntu jammy-security main universe
# deb http://archive.ubuntu.com/ubuntu jammy-security main
deb-src http://security.ubuntu.com/ubuntu jammy-security main

==> /etc/apt/sources.list.d/debian.sources
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Enabled: no
"""


def test_sources_and_the_security_subset() -> None:
    lab = APT_SOURCES.parse(out(LAB_SOURCES))
    assert lab == (
        AptSource("file:/srv/ictops-lab/apt", "ictops-security", ("main",), ("deb",), (("Signed-By", KEY),)),
        AptSource("file:/srv/ictops-lab/apt", "ictops", ("main",), ("deb",), (("Signed-By", KEY),)),
    )
    assert security_sources(lab) == (f"Types: deb\nURIs: file:/srv/ictops-lab/apt\nSuites: ictops-security\n"
                                     f"Components: main\nSigned-By: {KEY}")
    ubuntu = APT_SOURCES.parse(out(UBUNTU_SOURCES))
    assert [(s.suite, s.security, s.types) for s in ubuntu] == [
        ("jammy", False, ("deb",)), ("jammy-security", True, ("deb",)),
        ("jammy-security", True, ("deb-src",)), ("bookworm", False, ("deb",)),
        ("bookworm-updates", False, ("deb",))]  # the disabled stanza is not a source
    assert security_sources(ubuntu) == (
        "Types: deb\nURIs: http://security.ubuntu.com/ubuntu\nSuites: jammy-security\n"
        "Components: main universe\nSigned-By: /etc/apt/k.gpg")
    assert security_sources(ubuntu[:1]) is None


@pytest.mark.parametrize("stdout, expected", [
    ("1796131579\n1796125385\n1796125385\n", 6194.0),
    ("1796131579\n1796131000\n1796125385\n", 579.0),  # the stamp is newer than the lists
    ("1796131579\n", None),  # no lists at all
    ("1796131579\n1796131600\n", 0.0),  # a clock behind the stamp
])
def test_lists_age(stdout: str, expected: float | None) -> None:
    assert APT_LISTS_AGE.parse(out(stdout)) == expected


def test_lists_age_garbled() -> None:
    with pytest.raises(FactError):
        APT_LISTS_AGE.parse(out("soon\n"))


def test_prefetch_reads_several_facts_in_one_round_trip() -> None:
    """Facts.prefetch runs their commands in one script (here a local sh stands in for the
    server) and caches each parsed value; get() then reads nothing more."""
    from ictops.facts import HELD_PACKAGES, OS_RELEASE
    from ictops.facts.base import Facts
    from ictops.inventory.host import Host

    class LocalShell:
        def __init__(self):
            self.runs = 0

        def run(self, command, timeout=None, sudo=False, **kw):
            self.runs += 1
            argv = command if isinstance(command, list) else ["sh", "-c", command]
            done = subprocess.run(argv, capture_output=True, text=True)
            return CommandResult(str(command), done.returncode, done.stdout, done.stderr, 0.0)

    shell = LocalShell()
    facts = Facts(Host(name="h", hostname="127.0.0.1", platform_name="linux"), lambda: shell)
    facts.prefetch(OS_RELEASE, HELD_PACKAGES, APT_LISTS_AGE)
    assert shell.runs == 1
    assert facts.get(OS_RELEASE).id  # this machine's own /etc/os-release
    facts.get(HELD_PACKAGES)
    assert shell.runs == 1 and facts.reads == 3
