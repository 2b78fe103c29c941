"""Fact parsers as data: (command output -> expected value), and refusals of odd output."""

from __future__ import annotations

import base64

import pytest

from ictops.connections.base import CommandResult
from ictops.facts import (
    BOOT_ID,
    DIRECTORY,
    FILE,
    HELD_PACKAGES,
    OS_RELEASE,
    PACKAGES,
    PENDING_UPDATES,
    REBOOT_REQUIRED,
    SERVICE,
    FactError,
    FileState,
    OsRelease,
    PendingUpdate,
    PendingUpdates,
    RebootNeed,
    ServiceState,
)


def out(stdout: str, code: int = 0, stderr: str = "") -> CommandResult:
    return CommandResult("x", code, stdout, stderr, 0.0)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


DEBIAN_12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n'
UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=jammy\n'
ROCKY = 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n'

APT_SIM = """\
NOTE: This is only a simulation!
Reading package lists...
The following packages have been kept back:
  linux-image-amd64 ictops-lab-kernel
The following packages will be upgraded:
  base-files ictops-lab-hello
Inst base-files [12.4+deb12u5] (12.4+deb12u6 Debian:12.6/stable [amd64])
Inst ictops-lab-hello [1.0-1] (1.1-1 ictops-lab:bookworm-security, ictops-lab:bookworm [amd64])
Inst libnew (2.0-1 Debian:12.6/stable [amd64])
Conf base-files (12.4+deb12u6 Debian:12.6/stable [amd64])
"""


@pytest.mark.parametrize(
    "fact, args, result, expected",
    [
        (OS_RELEASE, (), out(DEBIAN_12), OsRelease("debian", "12", "Debian GNU/Linux 12 (bookworm)", (), "bookworm")),
        (OS_RELEASE, (), out(UBUNTU), OsRelease("ubuntu", "22.04", "", ("debian",), "jammy")),
        (OS_RELEASE, (), out(ROCKY), OsRelease("rocky", "9.3", "", ("rhel", "centos", "fedora"), "")),
        (PACKAGES, (), out("openssh-server\t1:9.2p1-2\tii \nold\t1.0\trc \nheld\t2.0\thi \n"),
         {"openssh-server": "1:9.2p1-2", "held": "2.0"}),
        (PACKAGES, (), out(""), {}),  # no-op case: nothing installed
        (PENDING_UPDATES, (), out(APT_SIM), PendingUpdates(
            (PendingUpdate("base-files", "12.4+deb12u5", "12.4+deb12u6", ("Debian:12.6/stable",)),
             PendingUpdate("ictops-lab-hello", "1.0-1", "1.1-1",
                           ("ictops-lab:bookworm-security", "ictops-lab:bookworm")),
             PendingUpdate("libnew", None, "2.0-1", ("Debian:12.6/stable",))),
            ("linux-image-amd64", "ictops-lab-kernel"))),
        (PENDING_UPDATES, (), out("Reading package lists...\n0 upgraded, 0 newly installed\n"), PendingUpdates()),
        (HELD_PACKAGES, (), out("hi  zlib1g\nii  bash\nhi  openssl\nhi  $(rm -rf /)\nrc  old\n"),
         ("openssl", "zlib1g")),
        (FILE, ("/etc/x",), out("missing\n"), FileState("/etc/x", exists=False)),
        (FILE, ("/etc/x",), out("other\n"), FileState("/etc/x", exists=True)),
        (FILE, ("/etc/x",), out("file 640 root adm 6\n" + b64("a=1\nb\n") + "\n"),
         FileState("/etc/x", True, True, "640", "root", "adm", 6, b"a=1\nb\n")),
        (FILE, ("/etc/x",), out("file 644 root root 0\n"), FileState("/etc/x", True, True, "644", "root", "root", 0, b"")),
        (DIRECTORY, ("/etc/ssh",), out("/etc/ssh/b\0/etc/ssh/a\0/etc/sshx/evil\0/etc/ssh/new\nline\0"),
         ("/etc/ssh/a", "/etc/ssh/b")),
        (SERVICE, ("ssh",), out("systemd\nactive\nenabled\n"), ServiceState("ssh", "systemd", True, True)),
        (SERVICE, ("ssh",), out("systemd\ninactive\nmasked\n"), ServiceState("ssh", "systemd", False, False)),
        (SERVICE, ("ssh",), out("sysv\nactive\nenabled\n"), ServiceState("ssh", "sysv", True, True)),
        (SERVICE, ("nope",), out("sysv\ninactive\nunknown\n"), ServiceState("nope", "sysv", False, None)),
        (BOOT_ID, (), out("8f3c2a1e-0b7d-4c5e-9a6f-1d2e3f4a5b6c\n"), "8f3c2a1e-0b7d-4c5e-9a6f-1d2e3f4a5b6c"),
        (REBOOT_REQUIRED, (), out("no\n"), RebootNeed(False)),
        (REBOOT_REQUIRED, (), out("yes\nictops-lab-kernel\nlinux-base\nictops-lab-kernel\n"),
         RebootNeed(True, ("ictops-lab-kernel", "linux-base"))),
    ],
)
def test_parse(fact, args, result, expected):
    assert fact.parse(result, *args) == expected


@pytest.mark.parametrize(
    "fact, args, result, message",
    [
        (OS_RELEASE, (), out("", 1, "cat: /etc/os-release: No such file or directory"),
         "cannot read /etc/os-release: exit 1: cat: /etc/os-release: No such file or directory"),
        (OS_RELEASE, (), out("NAME=x\n"), "cannot read /etc/os-release: no ID= line"),
        (PACKAGES, (), out("", 127, "sh: dpkg-query: not found"),
         "cannot read the installed packages (dpkg-query): exit 127: sh: dpkg-query: not found"),
        (PENDING_UPDATES, (), out("", 100, "E: Could not open lock file"),
         "cannot read the pending updates (apt-get -s): exit 100: E: Could not open lock file"),
        (FILE, ("/etc/x",), out("file 644 root\n"), "cannot read /etc/x: unexpected answer 'file 644 root'"),
        (FILE, ("/etc/x",), out("file 644 root root 3\n!!!notbase64\n"), "cannot read /etc/x: its content came back garbled"),
        (SERVICE, ("ssh",), out("hello\n"), "cannot read the state of service ssh: unexpected answer"),
        (BOOT_ID, (), out("not-a-boot-id\n"), "cannot read the boot id (/proc/sys/kernel/random/boot_id)"),
        (REBOOT_REQUIRED, (), out("maybe\n"), "cannot read /var/run/reboot-required"),
    ],
)
def test_odd_output_is_a_fact_error(fact, args, result, message):
    with pytest.raises(FactError) as caught:
        fact.parse(result, *args)
    assert str(caught.value) == message


def test_a_file_bigger_than_the_cap_has_no_content():
    from ictops.facts.server import MAX_FILE_BYTES

    big = base64.b64encode(b"x" * (MAX_FILE_BYTES + 1)).decode()
    state = FILE.parse(out(f"file 644 root root {MAX_FILE_BYTES * 2}\n{big}\n"), "/var/log/big")
    assert (state.exists, state.size, state.content) == (True, MAX_FILE_BYTES * 2, None)


@pytest.mark.parametrize("fact, arg", [(FILE, "etc/x"), (DIRECTORY, "relative"), (SERVICE, "a;b")])
def test_bad_arguments_are_refused_before_anything_runs(fact, arg):
    with pytest.raises(ValueError):
        fact.command(arg)
