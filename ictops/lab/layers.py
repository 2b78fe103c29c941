"""The read-only layers a lab server's root is stacked on, built once into the cache.

A lab server's overlay, top to bottom (``lowers`` of :func:`ictops.lab.roots.mount_root`)::

    state/lab/roots/<host>/upper     the server's own changes (kept across lab down/up)
    profile-<profile>-<digest>       its profile's packages installed (ictops-lab-* 1.0-1 ...)
    lab-<digest>                     the signed apt repository and the lab's shims
    bookworm-base                    debootstrap minbase + openssh-server, sudo, ...

The lab layer holds ``ictops/data/lab_roots/all/`` (apt sources with ``Signed-By``, policy-rc.d,
runlevel, systemctl, the power shim that reboot/shutdown/halt/poweroff link to), the
repository at ``/srv/ictops-lab/apt`` and its keyring in ``/usr/share/keyrings``.
A profile layer is what ``apt-get update`` and ``apt-get install`` of the profile's packages
(``profiles`` in ``lab_packages/repo.yaml``) leave in an overlay on the two below it; no service
is started while it is built.
"""

from __future__ import annotations

import os
import shutil
import sys
from importlib import resources
from pathlib import Path

from ictops.errors import LabError
from ictops.lab import aptrepo, cache, roots
from ictops.lab.run import run

REPO_IN_ROOT = "srv/ictops-lab/apt"
KEYRING_IN_ROOT = "usr/share/keyrings/ictops-lab-archive-keyring.gpg"
POWER_SHIM = "/usr/lib/ictops-lab/power"
POWER_LINKS = ("usr/sbin/reboot", "usr/sbin/shutdown", "usr/sbin/halt", "usr/sbin/poweroff")
EXECUTABLE_DIRS = ("usr/sbin/", "usr/bin/", "usr/lib/ictops-lab/")
APT_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "DEBIAN_FRONTEND": "noninteractive",
    "LC_ALL": "C.UTF-8",
}
NO_QUESTIONS = ("-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold")


def _lab_files() -> Path:
    return Path(str(resources.files("ictops.data").joinpath("lab_roots", "all")))


def stack(profile: str, cache_dir: Path = cache.CACHE_DIR) -> list[Path]:
    """The read-only layers of a new server of ``profile``, top first, built if missing."""
    base = roots.ensure_base(cache_dir)
    lab = lab_layer(cache_dir)
    return [profile_layer(profile, base, lab, cache_dir), lab, base]


# --- the lab layer ------------------------------------------------------------------------------
def lab_layer(cache_dir: Path = cache.CACHE_DIR) -> Path:
    """The lab layer (repository, keyring, sources, shims), built first if missing."""
    home, fingerprint = _signing_key(cache_dir)
    inputs = cache.tree_files(_lab_files()) + cache.tree_files(aptrepo.sources())
    inputs += cache.source_of(aptrepo, cache, sys.modules[__name__])
    name = f"lab-{cache.digest(inputs, fingerprint, aptrepo.architecture())}"

    def build(tmp: Path) -> None:
        _copy_tree(_lab_files(), tmp)
        for link in POWER_LINKS:
            os.symlink(POWER_SHIM, tmp / link)
        aptrepo.build(tmp / REPO_IN_ROOT, tmp / KEYRING_IN_ROOT, home, fingerprint)
        for path in [tmp, *tmp.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)  # the layer's directories stand for the base's in the root

    return cache.build_once(cache_dir, name, build)


def _signing_key(cache_dir: Path) -> tuple[Path, str]:
    home = cache_dir / aptrepo.SIGNING_DIR
    if (home / "pubring.kbx").is_file():
        return aptrepo.signing_key(cache_dir)
    with cache.locked(cache_dir / cache.LOCK_NAME):  # two first builds must not make two keys
        return aptrepo.signing_key(cache_dir)


def _copy_tree(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target``: directories 0755, programs 0755, other files 0644."""
    for path in sorted([source, *source.rglob("*")]):
        rel = path.relative_to(source)
        dest = target / rel
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            dest.chmod(0o755)
            continue
        shutil.copyfile(path, dest)
        dest.chmod(0o755 if str(rel).startswith(EXECUTABLE_DIRS) else 0o644)


# --- profile layers -----------------------------------------------------------------------------
def profile_packages(profile: str) -> tuple[str, ...]:
    """``name=version`` of the packages a new server of ``profile`` has installed."""
    manifest = aptrepo.load_manifest()
    if profile not in manifest.profiles:
        raise LabError(f"the lab repository has no package list for profile '{profile}'")
    return manifest.profiles[profile]


def profile_layer(profile: str, base: Path, lab: Path, cache_dir: Path = cache.CACHE_DIR) -> Path:
    """The layer of ``profile``'s packages on ``lab`` and ``base``, built first if missing."""
    packages = profile_packages(profile)
    status = (base / "var/lib/dpkg/status").read_bytes()
    inputs = [("base-status", status), *cache.source_of(sys.modules[__name__])]
    name = f"profile-{profile}-{cache.digest(inputs, lab.name, *packages)}"

    def build(tmp: Path) -> None:
        paths = roots.RootPaths(tmp.parent / f"{tmp.name}.build")
        try:
            roots.mount_root(paths, [lab, base])
            _install(paths, packages)
            roots.unmount_root(paths)
            (paths.upper / "usr/sbin/policy-rc.d").unlink()  # the lab layer's one shows again
            os.rename(paths.upper, tmp)
        finally:
            cache.remove_tree(paths.dir)

    return cache.build_once(cache_dir, name, build)


def _install(paths: roots.RootPaths, packages: tuple[str, ...]) -> None:
    """apt-get update + install in the root, no service started (a deny-all policy-rc.d)."""
    policy = paths.inside("usr/sbin/policy-rc.d")
    policy.write_text("#!/bin/sh\n# ictops lab: building a layer, start nothing\nexit 101\n")
    policy.chmod(0o755)
    chroot = ["chroot", str(paths.merged.resolve())]
    run([*chroot, "apt-get", "update", "-q"], "apt-get update in a new profile layer",
        timeout=300, env=APT_ENV)
    if packages:
        argv = [*chroot, "apt-get", "install", "-y", "-q", "--no-install-recommends",
                *NO_QUESTIONS, *packages]
        run(argv, f"installing {' '.join(packages)} in a new profile layer", timeout=300,
            env=APT_ENV)
