"""The lab's apt repository description, the boot's service list, the supervisor's spec: no
mounts, no root needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ictops.errors import LabError
from ictops.lab import aptrepo, boot, roots, supervisor
from ictops.lab.sshd import SshdSpec


def _newer(a: str, b: str) -> bool:
    """a > b in Debian version order, for the versions the lab uses (no epochs)."""
    import subprocess

    return subprocess.run(["dpkg", "--compare-versions", a, "gt", b]).returncode == 0


def test_shipped_manifest_has_a_security_subset():
    manifest = aptrepo.load_manifest()
    suites = {s.name: s for s in manifest.suites}
    assert set(suites) == {"ictops", "ictops-security"}
    assert "security" in suites["ictops-security"].label
    assert suites["ictops"].packages["ictops-lab-hello"] == ("1.0-1", "1.1-1")
    assert suites["ictops"].packages["ictops-lab-kernel"] == ("1.0-1",)
    assert suites["ictops-security"].packages["ictops-lab-kernel"] == ("1.1-1",)
    # the security fix of tools is older than its newest normal update: "security only"
    # must pick it, not the candidate
    tools_fix = suites["ictops-security"].packages["ictops-lab-tools"][0]
    assert _newer("1.1-1", tools_fix) and _newer(tools_fix, "1.0-1")


def test_every_profile_starts_from_versions_in_the_repository():
    manifest = aptrepo.load_manifest()
    assert set(manifest.profiles) == set(roots.PROFILES)
    for wanted in manifest.profiles.values():
        for item in wanted:
            name, version = item.split("=")
            assert version in manifest.versions(name)


def test_a_profile_asking_for_a_missing_version_is_refused(tmp_path):
    top = tmp_path / "lab_packages"
    shutil.copytree(aptrepo.sources(), top)
    text = (top / "repo.yaml").read_text().replace(
        "typical: [ictops-lab-hello=1.0-1", "typical: [ictops-lab-hello=0.9-1"
    )
    (top / "repo.yaml").write_text(text)
    with pytest.raises(LabError, match="profile typical: ictops-lab-hello=0.9-1 is in no suite"):
        aptrepo.load_manifest(top)


def test_the_hello_package_ships_its_conffile_and_init_script():
    top = aptrepo.sources() / "ictops-lab-hello"
    conffiles = (top / "common/DEBIAN/conffiles").read_text().split()
    assert conffiles == ["/etc/ictops-lab-hello.conf", "/etc/init.d/ictops-lab-hello"]
    # 1.1-1 changes the conffile, so an edited one meets dpkg's question on upgrade
    assert (top / "1.1-1/etc/ictops-lab-hello.conf").read_text() != (
        top / "common/etc/ictops-lab-hello.conf"
    ).read_text()


def test_boot_starts_only_the_lab_services_linked_for_runlevel_2(tmp_path):
    paths = roots.RootPaths(tmp_path)
    rc2 = paths.inside("etc/rc2.d")
    rc2.mkdir(parents=True)
    for name in ("S01chrony", "S01ssh", "S02ictops-lab-hello", "K01ictops-lab-old",
                 "S01ictops-lab-a", "S01ictops-lab-$(reboot)", "README"):
        (rc2 / name).touch()
    assert boot.lab_services(paths) == ["ictops-lab-a", "ictops-lab-hello"]
    assert boot.lab_services(roots.RootPaths(tmp_path / "none")) == []


def _server(tmp_path: Path) -> boot.RootedServer:
    paths = roots.RootPaths(tmp_path / "srv-1")
    spec = SshdSpec(
        name="srv-1", address="127.0.41.1", port=2222,
        host_key=paths.inside("etc/ssh/ssh_host_ed25519_key"),
        pid_file=paths.inside(roots.SSHD_PID),
        config_file=paths.inside("etc/ictops-lab/sshd_config"),
        log_file=paths.inside("var/log/ictops-lab/sshd.log"),
        authorized_keys=paths.inside("etc/ictops-lab/authorized_keys"),
        root=paths.merged,
    )
    return boot.RootedServer("srv-1", paths, (Path("/c/profile"), Path("/c/base")), spec, 1.5)


def test_the_supervisor_spec_round_trips(tmp_path):
    server = _server(tmp_path)
    assert boot.from_json(boot.to_json([server])) == [server]


@pytest.mark.parametrize(
    "text, action",
    [("reboot\n", "reboot"), ("poweroff", "poweroff"), ("halt\n", "halt"),
     ("reboot; rm -rf /", None), ("", None), ("\xff\xfe", None)],
)
def test_the_supervisor_reads_only_known_power_requests(tmp_path, text, action):
    server = _server(tmp_path)
    request = server.paths.inside(supervisor.REQUEST)
    request.parent.mkdir(parents=True)
    request.write_text(text, encoding="latin-1")
    assert supervisor.request_of(server) == action


def test_no_request_no_action(tmp_path):
    assert supervisor.request_of(_server(tmp_path)) is None


def test_reboot_hang_is_decided_when_the_reboot_is_asked(tmp_path, monkeypatch):
    """Healing the fault while the server goes down must not bring it back (a test clears it
    as soon as it sees the root unmounted)."""
    server = _server(tmp_path)
    faults = tmp_path / "faults"
    faults.mkdir()
    (faults / "srv-1").write_text("reboot-hang\n")
    booted = []
    monkeypatch.setattr(boot, "halt", lambda s: (faults / "srv-1").unlink())
    monkeypatch.setattr(boot, "boot", lambda servers, timeout: booted.append(servers))
    spec = tmp_path / "supervisor.json"
    spec.write_text(boot.to_json([server]))
    supervisor.Supervisor(spec, faults)._carry_out(server, "reboot")
    assert booted == []
