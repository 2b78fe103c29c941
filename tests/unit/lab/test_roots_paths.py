"""ictops.lab.roots without mounting anything: the mirror, the profiles, in-root paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.errors import LabError
from ictops.lab import roots
from ictops.lab.sshd import SshdSpec, write_config


def test_mirror_from_deb822_sources(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main\n\nTypes: deb\nURIs: http://security.example/debian-security\n"
        "Suites: bookworm-security\nComponents: main\n"
    )
    assert roots.apt_mirror(tmp_path) == "http://mirror.example/debian"


def test_mirror_from_sources_list_and_default(tmp_path):
    assert roots.apt_mirror(tmp_path) == roots.DEFAULT_MIRROR
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64] http://th.mirror.example/debian bookworm main contrib\n"
    )
    assert roots.apt_mirror(tmp_path) == "http://th.mirror.example/debian"


def test_profiles_are_shipped_as_data():
    from importlib import resources

    tree = resources.files("ictops.data").joinpath("lab_roots")
    for profile in roots.PROFILES:
        assert tree.joinpath(profile).is_dir(), profile
    hardening = tree.joinpath("compliant/etc/ssh/sshd_config.d/50-hardening.conf").read_text()
    assert "PermitRootLogin no" in hardening


def test_personalise_refuses_an_unknown_profile(tmp_path):
    with pytest.raises(LabError, match="unknown lab profile 'hardened'"):
        roots.personalise(roots.RootPaths(tmp_path), "srv-1", "hardened")


def test_config_of_a_rooted_sshd_uses_paths_inside_the_root(tmp_path):
    merged = roots.RootPaths(tmp_path / "srv-1").merged
    (merged / "etc/ssh").mkdir(parents=True)
    key = merged / "etc/ssh/ssh_host_ed25519_key"
    key.write_text("not read here\n")
    spec = SshdSpec(
        name="srv-1",
        address="127.0.18.9",
        port=2222,
        host_key=key,
        pid_file=merged / "run/ictops-lab/sshd.pid",
        config_file=merged / "etc/ictops-lab/sshd_config",
        log_file=merged / "var/log/ictops-lab/sshd.log",
        authorized_keys=merged / "etc/ictops-lab/authorized_keys",
        root=merged,
    )
    text = write_config(spec).read_text()
    assert "HostKey /etc/ssh/ssh_host_ed25519_key\n" in text
    assert "PidFile /run/ictops-lab/sshd.pid\n" in text
    assert str(tmp_path) not in text


def test_mounts_under_is_deepest_first(monkeypatch):
    from ictops.lab import mounts

    monkeypatch.setattr(
        mounts,
        "mounts",
        lambda: ["/", "/s/r/merged", "/s/r/merged/dev", "/s/r/merged/dev/pts", "/s/other"],
    )
    monkeypatch.setattr(Path, "resolve", lambda self: self)
    assert roots.mounts_under(Path("/s/r")) == [
        "/s/r/merged/dev/pts",
        "/s/r/merged/dev",
        "/s/r/merged",
    ]
