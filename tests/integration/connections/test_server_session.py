"""ParamikoServerSession against three real sshd on 127.0.8.1-3:2222 (ictops.lab.sshd)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import paramiko
import pytest

from ictops.connections import hostkeys
from ictops.connections.base import ServerSession, SessionError
from ictops.connections.factory import open_session
from ictops.connections.server import ParamikoServerSession, open_server_session
from ictops.inventory.host import Host, Limits, Timeouts
from ictops.lab import sshd
from ictops.project import Project
from ictops.results import ErrorKind
from tests.integration.connections.faulty_peer import faulty_peer
from tests.integration.connections.helpers import fails_within
from tests.net import LAB

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not Path(sshd.SSHD).exists(), reason="openssh-server is not installed"),
]

ADDRESSES = [f"{LAB}.8.1", f"{LAB}.8.2", f"{LAB}.8.3"]
PORT = 2222
FAST = Timeouts(connect=3, banner=2, auth=3, channel=3, command=20)


@dataclass(frozen=True)
class Lab:
    project: Project
    hosts: list[Host]
    user: str


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    # A world-traversable directory, like a real project: AuthorizedKeysFile works as is.
    root = Path(tempfile.mkdtemp(prefix="ictops-conn-test-"))
    root.chmod(0o755)
    specs: list[sshd.SshdSpec] = []
    try:
        user = sshd.ensure_lab_user()
        lab_dir = root / "state" / "lab"
        sshd.ensure_client_key(lab_dir)
        for i, address in enumerate(ADDRESSES, 1):
            d = lab_dir / f"srv-{i}"
            specs.append(
                sshd.SshdSpec(
                    name=f"srv-{i}",
                    address=address,
                    port=PORT,
                    host_key=d / "ssh_host_ed25519_key",
                    pid_file=d / "sshd.pid",
                    config_file=d / "sshd_config",
                    log_file=d / "sshd.log",
                    authorized_keys=lab_dir / "authorized_keys",
                    user=user,
                )
            )
            sshd.write_config(specs[-1])
        sshd.start_sshd(specs)
        hosts = [
            Host(
                name=f"srv-{i}",
                hostname=a,
                port=PORT,
                platform_name="linux",
                username=user,
                ssh_key="state/lab/id_ed25519",
                timeouts=FAST,
            )
            for i, a in enumerate(ADDRESSES, 1)
        ]
        project = Project(root)
        # srv-3 stays untrusted on purpose (the unknown-key test)
        scanned = [(h, hostkeys.scan_host_key(h, timeout=3)) for h in hosts[:2]]
        outcomes = hostkeys.trust_many(project.known_hosts, scanned)
        assert outcomes == [hostkeys.TrustOutcome.ADDED] * 2
        yield Lab(project, hosts, user)
    finally:
        sshd.stop_sshd([s.pid_file for s in specs])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def session(lab: Lab) -> Iterator[ParamikoServerSession]:
    s = open_server_session(lab.hosts[0], lab.project.root, lab.project.known_hosts)
    try:
        yield s
    finally:
        s.close()


def _connect_error(lab: Lab, host: Host, known_hosts: Path | None = None) -> SessionError:
    with pytest.raises(SessionError) as caught:
        s = open_server_session(host, lab.project.root, known_hosts or lab.project.known_hosts)
        s.close()
    return caught.value


def test_run_exit_code_stdout_stderr(session: ParamikoServerSession) -> None:
    assert isinstance(session, ServerSession)
    result = session.run("echo out; echo err >&2; exit 3")
    assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert not result.ok and result.duration < 5


def test_argv_is_quoted(session: ParamikoServerSession) -> None:
    args = ["a b", "it's", "$HOME", ";ls", '"q"', "ไทย", ""]
    result = session.run(["printf", "%s|", *args])
    assert result.stdout == "|".join(args) + "|"
    assert result.command.startswith("printf")


def test_stdin_is_passed_and_closed(session: ParamikoServerSession) -> None:
    assert session.run("wc -c", stdin=b"x" * 1000).stdout.strip() == "1000"
    assert session.run("cat").stdout == ""  # no stdin: EOF at once, never a hang


def test_big_outputs_do_not_deadlock(session: ParamikoServerSession) -> None:
    mb = 1 << 20
    both = f"head -c {mb} /dev/zero | tr '\\0' a; head -c {mb} /dev/zero | tr '\\0' b >&2"
    result = session.run(both, timeout=15)
    assert (len(result.stdout), len(result.stderr)) == (mb, mb)
    assert set(result.stdout) == {"a"} and set(result.stderr) == {"b"}
    echoed = session.run("cat", stdin=os.urandom(mb // 2).hex().encode(), timeout=15)
    assert len(echoed.stdout) == mb


def _processes_matching(pattern: str) -> list[str]:
    found = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True)
    return found.stdout.splitlines()


def test_timeout_stops_the_command_on_the_server(session: ParamikoServerSession) -> None:
    marker = f"1000.{secrets.randbelow(10**6):06d}"  # a sleep no one else runs
    started = time.monotonic()
    with pytest.raises(SessionError) as caught:
        session.run(["sleep", marker], timeout=2)
    assert caught.value.kind is ErrorKind.TIMEOUT
    assert "stopped on the server" in caught.value.message
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while _processes_matching(f"sleep {marker}") and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the process table with a deadline
    assert _processes_matching(f"sleep {marker}") == []
    assert session.run("echo still usable").stdout == "still usable\n"


def test_files_roundtrip_atomically_with_mode(session: ParamikoServerSession) -> None:
    home = session.run('printf %s "$HOME"').stdout
    path = f"{home}/ictops-test-{secrets.token_hex(4)}.conf"
    data = "ค่า=1\n".encode() + os.urandom(300_000)
    try:
        session.put_file(path, data, mode=0o600)
        assert session.get_file(path) == data
        assert session.run(["stat", "-c", "%a", path]).stdout.strip() == "600"
        session.put_file(path, b"second\n")  # no mode: the file keeps its mode
        assert session.get_file(path) == b"second\n"
        assert session.run(["stat", "-c", "%a", path]).stdout.strip() == "600"
        leftovers = session.run(f"ls -a {home} | grep -c ictops-tmp || true").stdout.strip()
        assert leftovers == "0"
    finally:
        session.run(["rm", "-f", path])
    with pytest.raises(FileNotFoundError):
        session.get_file(path)


def test_put_file_into_a_missing_directory_fails_cleanly(session: ParamikoServerSession) -> None:
    with pytest.raises(SessionError) as caught:
        session.put_file("/nonexistent-dir/x.conf", b"x")
    assert caught.value.kind is ErrorKind.COMMAND_FAILED


def _can_sudo() -> bool:
    return shutil.which("sudo") is not None and os.geteuid() == 0


needs_sudo = pytest.mark.skipif(not _can_sudo(), reason="sudo is not installed (or not root)")


@needs_sudo
def test_sudo_runs_as_root(session: ParamikoServerSession) -> None:
    assert session.run("id -u", sudo=True).stdout.strip() == "0"
    assert session.run(["sh", "-c", "echo $0 $1", "a b", "c"], sudo=True).stdout == "a b c\n"


@needs_sudo
def test_sudo_files_keep_owner_and_mode(session: ParamikoServerSession) -> None:
    directory = Path(tempfile.mkdtemp(prefix="ictops-sudo-"))  # root-owned, 0700
    path = directory / "app.conf"
    try:
        path.write_text("old\n")
        path.chmod(0o640)
        with pytest.raises(SessionError):
            session.get_file(str(path))  # the lab user cannot read it without sudo
        assert session.get_file(str(path), sudo=True) == b"old\n"
        session.put_file(str(path), b"new\n", sudo=True)
        assert path.read_bytes() == b"new\n"
        assert (path.stat().st_mode & 0o777, path.stat().st_uid) == (0o640, 0)
        session.put_file(str(directory / "fresh"), b"x", mode=0o600, sudo=True)
        assert (directory / "fresh").stat().st_mode & 0o777 == 0o600
        assert sorted(p.name for p in directory.iterdir()) == ["app.conf", "fresh"]
        with pytest.raises(FileNotFoundError):
            session.get_file(str(directory / "missing"), sudo=True)
        assert not [p for p in Path("/tmp").glob("ictops-upload-*")]
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_factory_and_close_twice(lab: Lab) -> None:
    s = open_session(lab.hosts[1], lab.project)
    assert isinstance(s, ParamikoServerSession)
    assert s.run("hostname").ok
    s.close()
    s.close()


def test_unknown_host_key_is_refused(lab: Lab) -> None:
    error = _connect_error(lab, lab.hosts[2])
    assert error.kind is ErrorKind.HOSTKEY_UNKNOWN
    assert f"[{LAB}.8.3]:2222 is not trusted yet" in error.message
    assert "ictops hostkeys trust -l srv-3" in error.message


def test_changed_host_key_is_refused(lab: Lab, tmp_path: Path) -> None:
    wrong = tmp_path / "known_hosts"
    shutil.copy(lab.project.known_hosts, wrong)
    hostkeys.forget(wrong, lab.hosts[1])
    impostor = paramiko.Ed25519Key.from_private_key_file(str(_new_key(tmp_path)))
    hostkeys.trust(wrong, lab.hosts[1], impostor)
    error = _connect_error(lab, lab.hosts[1], wrong)
    assert error.kind is ErrorKind.HOSTKEY_CHANGED
    assert f"was {impostor.fingerprint}" in error.message and "CHANGED" in error.message
    assert "ictops hostkeys forget srv-2" in error.message


def _new_key(directory: Path) -> Path:
    key = directory / "other_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key


def test_wrong_client_key_is_auth_failed(lab: Lab) -> None:
    key = _new_key(lab.project.root)
    error = _connect_error(lab, replace(lab.hosts[0], ssh_key=key.name))
    assert error.kind is ErrorKind.AUTH_FAILED


@pytest.mark.parametrize(
    "content", [None, b"", b"not a key\n", b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"]
)
def test_unusable_key_file_is_config_error(lab: Lab, content: bytes | None) -> None:
    """Missing, empty or not a key: the inventory is wrong, not the connection."""
    key = lab.project.root / "state" / f"bad-key-{secrets.token_hex(3)}"
    if content is not None:
        key.write_bytes(content)
    relative = str(key.relative_to(lab.project.root))
    error = _connect_error(lab, replace(lab.hosts[0], ssh_key=relative))
    assert error.kind is ErrorKind.CONFIG_ERROR, error.message
    assert key.name in error.message and "fix ssh_key" in error.message


def test_closed_port_is_unreachable_at_once(lab: Lab) -> None:
    started = time.monotonic()
    error = _connect_error(lab, replace(lab.hosts[0], port=2299))
    assert error.kind is ErrorKind.UNREACHABLE
    assert time.monotonic() - started < 1


def test_silent_listener_times_out_on_the_banner(lab: Lab) -> None:
    with socket.socket() as listener:
        listener.bind((f"{LAB}.8.3", 0))
        listener.listen(8)  # the kernel accepts connections; nobody ever speaks
        port = listener.getsockname()[1]
        started = time.monotonic()
        error = _connect_error(lab, replace(lab.hosts[2], port=port))
        took = time.monotonic() - started
    assert error.kind is ErrorKind.TIMEOUT
    assert "no SSH banner" in error.message
    assert took < FAST.banner + 2


def test_connection_killed_mid_command_is_connection_lost(lab: Lab) -> None:
    s = open_server_session(lab.hosts[1], lab.project.root, lab.project.known_hosts)
    # walk up from the command to this session's sshd process and kill it
    kill_my_sshd = (
        'p=$$; while [ "$(cat /proc/$p/comm)" != sshd ]; do '
        "p=$(cut -d' ' -f4 /proc/$p/stat); done; echo partial; kill -KILL $p; sleep 30"
    )
    try:
        started = time.monotonic()
        with pytest.raises(SessionError) as caught:
            s.run(kill_my_sshd, timeout=10)
        assert caught.value.kind is ErrorKind.CONNECTION_LOST
        assert time.monotonic() - started < 5
    finally:
        s.close()


# -- a server that stops answering, in each phase (a faulty peer of our own) -------------

STALLS = {
    # stall -> (what the test does after login, the limit that applies, words of the message)
    "auth": ("open", FAST.auth, "did not finish authentication within 3s"),
    "channel": ("run", FAST.channel, "did not open a session channel within 3s"),
    "exec": ("run", FAST.channel, "did not open a session channel within 3s"),
    "sftp": ("read", FAST.channel, "did not start SFTP within 3s"),
}


@pytest.mark.parametrize("stall", list(STALLS))
def test_a_server_that_stops_answering_times_out_in_every_phase(
    lab: Lab, tmp_path: Path, stall: str
) -> None:
    step, limit, words = STALLS[stall]
    with faulty_peer(f"{LAB}.8.4", stall) as (port, key):  # type: ignore[arg-type]
        host = replace(lab.hosts[0], name="faulty", hostname=f"{LAB}.8.4", port=port)
        known = tmp_path / "known_hosts"
        hostkeys.trust(known, host, key)

        def attempt() -> None:
            s = open_server_session(host, lab.project.root, known)
            try:
                if step == "run":
                    s.run("true")
                elif step == "read":
                    s.get_file("/etc/hostname")
            finally:
                s.close()

        error, took = fails_within(limit + 15, attempt)
    assert error.kind is ErrorKind.TIMEOUT, error.message
    assert words in error.message
    assert error.during_connect is (step == "open")
    assert took < limit + 3


# -- what a command may cost ---------------------------------------------------------------


def test_a_command_that_ignores_sigterm_is_a_timeout(session: ParamikoServerSession) -> None:
    """timeout(1) sends TERM, then KILL after KILL_AFTER seconds."""
    started = time.monotonic()
    with pytest.raises(SessionError) as caught:
        session.run("trap '' TERM; sleep 30", timeout=1)
    assert caught.value.kind is ErrorKind.TIMEOUT, caught.value.message
    assert "stopped on the server" in caught.value.message
    assert time.monotonic() - started < 1 + 2 + 2
    assert session.run("echo still usable").stdout == "still usable\n"


@pytest.mark.parametrize(
    "after, kind, words",
    [
        (0.0, ErrorKind.COMMAND_FAILED, "command was killed by signal KILL on"),
        (1.5, ErrorKind.TIMEOUT, "command did not finish within 1s on"),
    ],
)
def test_a_command_killed_by_a_signal_is_not_a_lost_connection(
    lab: Lab, tmp_path: Path, after: float, kind: ErrorKind, words: str
) -> None:
    """Where the login shell execs timeout(1), its KILL ends timeout itself and sshd reports
    a signal instead of an exit code: at the command's timeout that is TIMEOUT, before it a
    failed command; the connection is fine either way."""
    with faulty_peer(f"{LAB}.8.4", "killed", killed_after=after) as (port, key):
        host = replace(lab.hosts[0], name="faulty", hostname=f"{LAB}.8.4", port=port)
        known = tmp_path / "known_hosts"
        hostkeys.trust(known, host, key)
        s = open_server_session(host, lab.project.root, known)
        try:
            with pytest.raises(SessionError) as caught:
                s.run("sleep 30", timeout=1)
        finally:
            s.close()
    assert caught.value.kind is kind, caught.value.message
    assert words in caught.value.message


def test_output_is_kept_up_to_the_limit_and_the_rest_is_counted(lab: Lab, tmp_path: Path) -> None:
    host = replace(lab.hosts[0], limits=Limits(output=1 << 20))
    sink = tmp_path / "whole.out"
    s = open_server_session(host, lab.project.root, lab.project.known_hosts)
    try:
        with sink.open("wb") as f:
            command = "head -c 20000000 /dev/zero | tr '\\0' x; echo oops >&2"
            result = s.run(command, sink=f, timeout=30)
    finally:
        s.close()
    assert result.exit_code == 0
    assert (len(result.stdout), result.stderr) == (1 << 20, "oops\n")
    assert result.cut == 20_000_000 - (1 << 20)
    assert sink.stat().st_size == 20_000_000 + len("oops\n")


def test_memory_stays_bounded_whatever_the_output(lab: Lab) -> None:
    """100 MB of output must not become 100 MB (or, as it was, 371 MB) in ictops."""
    probe = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from ictops.connections.server import open_server_session\n"
        "from ictops.inventory.host import Host, Limits, Timeouts\n"
        "from ictops.project import Project\n"
        "root = Path(sys.argv[1])\n"
        "host = Host(name='srv-1', hostname=sys.argv[2], port=int(sys.argv[3]),\n"
        "            platform_name='linux', username=sys.argv[4],\n"
        "            ssh_key='state/lab/id_ed25519', limits=Limits(output=1 << 20))\n"
        "s = open_server_session(host, root, Project(root).known_hosts)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "r = s.run(\"head -c 100000000 /dev/zero | tr '\\\\0' x\", timeout=60)\n"
        "s.close()\n"
        "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
        "print(len(r.stdout), r.cut, grown)\n"
    )
    host = lab.hosts[0]
    args = [str(lab.project.root), host.hostname, str(host.port), lab.user]
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    kept, cut, grown_kib = (int(x) for x in proc.stdout.split())
    assert (kept, cut) == (1 << 20, 100_000_000 - (1 << 20))
    assert grown_kib < 30 * 1024, f"grew by {grown_kib} KiB"
    print(f"100 MB of output: kept {kept} bytes, max RSS grew by {grown_kib} KiB")


def test_file_reads_are_bounded(lab: Lab, session: ParamikoServerSession) -> None:
    home = session.run('printf %s "$HOME"').stdout
    path = f"{home}/ictops-big-{secrets.token_hex(4)}"
    session.run(f"head -c 3000000 /dev/zero > {path}")
    small = replace(lab.hosts[0], limits=Limits(file=1 << 20))
    s = open_server_session(small, lab.project.root, lab.project.known_hosts)
    try:
        for sudo in (False, True) if _can_sudo() else (False,):
            with pytest.raises(SessionError) as caught:
                s.get_file(path, sudo=sudo)
            assert caught.value.kind is ErrorKind.INVALID_OUTPUT
            assert "over limits.file (1.0MiB" in caught.value.message
        assert len(session.get_file(path)) == 3_000_000  # the default limit (16 MiB) lets it in
    finally:
        s.close()
        session.run(["rm", "-f", path])
