"""The project's known_hosts: trust, forget, changed keys, atomic and thread-safe writes."""

from __future__ import annotations

import threading
from pathlib import Path

import paramiko
import pytest

from ictops.connections import hostkeys
from ictops.connections.base import SessionError
from ictops.connections.hostkeys import TrustOutcome
from ictops.inventory.host import Host
from ictops.results import ErrorKind


def _host(name: str = "srv-1", address: str = "127.0.1.5", port: int = 2222) -> Host:
    return Host(name=name, hostname=address, port=port, platform_name="linux")


@pytest.fixture(scope="module")
def keys() -> list[paramiko.PKey]:
    return [paramiko.ECDSAKey.generate() for _ in range(3)]


def test_known_hosts_names_follow_openssh() -> None:
    assert _host(port=22).known_hosts_name == "127.0.1.5"
    assert _host().known_hosts_name == "[127.0.1.5]:2222"


def test_trust_adds_then_is_idempotent(tmp_path: Path, keys: list[paramiko.PKey]) -> None:
    path = tmp_path / "state" / "known_hosts"
    assert hostkeys.trust(path, _host(), keys[0]) is TrustOutcome.ADDED
    assert hostkeys.trust(path, _host(), keys[0]) is TrustOutcome.ALREADY_TRUSTED
    assert path.read_text() == f"[127.0.1.5]:2222 {keys[0].get_name()} {keys[0].get_base64()}\n"
    # paramiko reads what we wrote
    loaded = paramiko.HostKeys(str(path))
    assert loaded.lookup("[127.0.1.5]:2222")[keys[0].get_name()] == keys[0]
    assert hostkeys.known_keys(path, _host()) == [keys[0]]
    assert hostkeys.known_keys(path, _host(port=22)) == []


def test_changed_key_is_refused_until_forgotten(tmp_path: Path, keys: list[paramiko.PKey]) -> None:
    path = tmp_path / "known_hosts"
    hostkeys.trust(path, _host(), keys[0])
    hostkeys.trust(path, _host("other", "127.0.1.6"), keys[1])
    before = path.read_text()
    assert hostkeys.trust(path, _host(), keys[2]) is TrustOutcome.REFUSED_CHANGED
    assert path.read_text() == before
    assert hostkeys.forget(path, _host()) == 1
    assert hostkeys.forget(path, _host()) == 0
    assert hostkeys.known_keys(path, _host("other", "127.0.1.6")) == [keys[1]]
    assert hostkeys.trust(path, _host(), keys[2]) is TrustOutcome.ADDED


def test_comments_and_hashed_entries_are_kept_and_matched(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "known_hosts"
    hashed = paramiko.HostKeys.hash_host("[127.0.1.5]:2222")
    path.write_text(f"# office devices\n{hashed} {keys[0].get_name()} {keys[0].get_base64()}\n")
    assert hostkeys.trust(path, _host(), keys[0]) is TrustOutcome.ALREADY_TRUSTED
    assert hostkeys.trust(path, _host(), keys[1]) is TrustOutcome.REFUSED_CHANGED
    hostkeys.trust(path, _host("b", "127.0.1.9"), keys[1])
    assert path.read_text().startswith("# office devices\n")
    assert hostkeys.forget(path, _host()) == 1
    assert "# office devices" in path.read_text()


def test_trust_many_writes_once_and_reports_each(tmp_path: Path, keys: list[paramiko.PKey]) -> None:
    path = tmp_path / "known_hosts"
    hostkeys.trust(path, _host("a", "127.0.1.1"), keys[0])
    pairs = [
        (_host("a", "127.0.1.1"), keys[1]),
        (_host("b", "127.0.1.2"), keys[1]),
        (_host("b", "127.0.1.2"), keys[1]),
    ]
    assert hostkeys.trust_many(path, pairs) == [
        TrustOutcome.REFUSED_CHANGED,
        TrustOutcome.ADDED,
        TrustOutcome.ALREADY_TRUSTED,
    ]
    assert len(path.read_text().splitlines()) == 2


def test_writes_are_atomic_and_leave_no_temp_files(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "known_hosts"
    path.write_text("")
    inode = path.stat().st_ino
    hostkeys.trust(path, _host(), keys[0])
    assert path.stat().st_ino != inode  # replaced by rename, never rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["known_hosts", "known_hosts.lock"]


def test_parallel_trust_loses_nothing(tmp_path: Path, keys: list[paramiko.PKey]) -> None:
    path = tmp_path / "known_hosts"
    hosts = [_host(f"h{i}", f"127.0.3.{i}") for i in range(1, 41)]
    threads = [
        threading.Thread(target=hostkeys.trust, args=(path, h, keys[i % 3]))
        for i, h in enumerate(hosts)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(path.read_text().splitlines()) == 40
    assert all(hostkeys.known_keys(path, h) for h in hosts)


def test_policy_refuses_unknown_hosts_with_the_fix(keys: list[paramiko.PKey]) -> None:
    policy = hostkeys.RefuseUnknownHostKey("srv-1")
    with pytest.raises(SessionError) as caught:
        policy.missing_host_key(paramiko.SSHClient(), "[127.0.1.5]:2222", keys[0])
    assert caught.value.kind is ErrorKind.HOSTKEY_UNKNOWN
    assert "ictops hostkeys trust -l srv-1" in caught.value.message


def test_fingerprint_is_openssh_sha256(keys: list[paramiko.PKey]) -> None:
    fp = hostkeys.fingerprint(keys[0])
    assert fp.startswith("SHA256:") and not fp.endswith("=") and len(fp) == 50
