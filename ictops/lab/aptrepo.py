"""The lab's signed apt repository: dpkg-deb + apt-ftparchive + gpg, no network.

The packages' sources and the suites they go into are data (``ictops/data/lab_packages/``,
described by its ``repo.yaml``). :func:`build` writes a repository laid out like Debian's::

    dists/<suite>/InRelease, Release, Release.gpg
    dists/<suite>/main/binary-<arch>/Packages, Packages.gz
    pool/<suite>/<name>_<version>_all.deb

signed by the lab's archive key (created once per machine, kept in the cache), and the key's
public keyring for ``Signed-By``. The lab layer (``ictops.lab.layers``) builds it once into
the cache; the lab servers read it as ``file:/srv/ictops-lab/apt``.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from ictops.errors import LabError
from ictops.lab import cache
from ictops.lab.run import run

ORIGIN_KEY_NAME = "ictops lab archive key <lab@ictops.invalid>"
COMPONENT = "main"
SIGNING_DIR = "signing-key"  # GNUPGHOME of the archive key, in the cache
# files of a package tree that must be executable, by prefix of their path in the tree
EXECUTABLE = ("DEBIAN/preinst", "DEBIAN/postinst", "DEBIAN/prerm", "DEBIAN/postrm",
              "usr/bin/", "usr/sbin/", "etc/init.d/")
_VERSION = re.compile(r"^[0-9][A-Za-z0-9.+~-]*$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9.+-]+$")


@dataclass(frozen=True)
class Suite:
    name: str
    label: str
    description: str
    packages: dict[str, tuple[str, ...]]  # package -> versions


@dataclass(frozen=True)
class Manifest:
    origin: str
    suites: tuple[Suite, ...]
    profiles: dict[str, tuple[str, ...]]  # profile -> ["name=version", ...]

    def versions(self, package: str) -> list[str]:
        return [v for s in self.suites for v in s.packages.get(package, ())]


def sources() -> Path:
    """The directory of the package sources (``ictops/data/lab_packages``)."""
    path = Path(str(resources.files("ictops.data").joinpath("lab_packages")))
    if not (path / "repo.yaml").is_file():
        raise LabError(f"the lab's package sources are missing: {path}/repo.yaml")
    return path


def load_manifest(top: Path | None = None) -> Manifest:
    """Read and check ``repo.yaml``. LabError names what is wrong in it."""
    top = top or sources()
    where = top / "repo.yaml"
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
        suites = tuple(
            Suite(
                name=str(name),
                label=str(s["label"]),
                description=str(s.get("description", "")),
                packages={str(p): tuple(str(v) for v in vs) for p, vs in s["packages"].items()},
            )
            for name, s in data["suites"].items()
        )
        manifest = Manifest(
            origin=str(data["origin"]),
            suites=suites,
            profiles={str(k): tuple(str(p) for p in v) for k, v in data["profiles"].items()},
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise LabError(f"{where}: not a valid lab repository description ({exc})") from None
    for suite in manifest.suites:
        for package, versions in suite.packages.items():
            bad = [v for v in versions if not _VERSION.match(v)]
            if not _NAME.match(package) or bad or not (top / package / "common").is_dir():
                raise LabError(f"{where}: suite {suite.name}: bad package {package} {bad or ''}")
    for profile, wanted in manifest.profiles.items():
        for item in wanted:
            name, _, version = item.partition("=")
            if version not in manifest.versions(name):
                raise LabError(f"{where}: profile {profile}: {item} is in no suite")
    return manifest


def architecture() -> str:
    return run(["dpkg", "--print-architecture"], "dpkg --print-architecture").stdout.strip()


# --- the archive key ----------------------------------------------------------------------------
def _gpg(home: Path, *args: str, what: str) -> subprocess.CompletedProcess[str]:
    argv = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback",
            "--passphrase", "", *args]
    return run(argv, what, timeout=60)


def _stop_agent(home: Path) -> None:
    """gpg starts an agent that outlives it: end it, the lab leaves no process behind."""
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"],
                   capture_output=True, stdin=subprocess.DEVNULL, timeout=30, check=False)


def signing_key(cache_dir: Path) -> tuple[Path, str]:
    """(GNUPGHOME, fingerprint) of the machine's lab archive key, created once.

    Call it holding the cache's build lock (the layer build does), or before any build.
    """
    home = cache_dir / SIGNING_DIR
    fingerprint = _fingerprint(home)
    if fingerprint:
        return home, fingerprint
    if not shutil.which("gpg"):
        raise LabError("gpg is missing; install it: apt-get install -y gnupg")
    tmp = cache_dir / f".{SIGNING_DIR}{cache.TMP_MARK}{os.getpid()}"
    cache.remove_tree(tmp)
    tmp.mkdir(mode=0o700, parents=True)
    try:
        _gpg(tmp, "--quick-gen-key", ORIGIN_KEY_NAME, "ed25519", "sign", "never",
             what="creating the lab's archive key")
        _stop_agent(tmp)
        os.rename(tmp, home)
    finally:
        _stop_agent(tmp)
        cache.remove_tree(tmp)
    fingerprint = _fingerprint(home)
    if not fingerprint:
        raise LabError(f"the lab's archive key in {home} has no fingerprint")
    return home, fingerprint


def _fingerprint(home: Path) -> str | None:
    if not (home / "pubring.kbx").is_file():
        return None
    proc = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--with-colons",
                           "--list-keys"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30, check=False)
    _stop_agent(home)
    match = re.search(r"^fpr:+([0-9A-F]{40}):", proc.stdout, re.MULTILINE)
    return match.group(1) if match else None


# --- building -----------------------------------------------------------------------------------
def build(repo: Path, keyring: Path, gnupg_home: Path, fingerprint: str) -> Manifest:
    """Build the signed repository into ``repo`` and the public keyring ``keyring``."""
    for tool, package in (("dpkg-deb", "dpkg"), ("apt-ftparchive", "apt-utils"), ("gpg", "gnupg")):
        if not shutil.which(tool):
            raise LabError(f"{tool} is missing; install it: apt-get install -y {package}")
    top = sources()
    manifest = load_manifest(top)
    arch = architecture()
    work = repo / ".build"
    for suite in manifest.suites:
        pool = repo / "pool" / suite.name
        pool.mkdir(parents=True, exist_ok=True)
        for package, versions in suite.packages.items():
            for version in versions:
                _build_deb(top / package, version, work, pool / f"{package}_{version}_all.deb")
        _index(repo, suite, manifest.origin, arch)
        _sign(repo / "dists" / suite.name, gnupg_home, fingerprint)
    shutil.rmtree(work, ignore_errors=True)
    keyring.parent.mkdir(parents=True, exist_ok=True)
    _gpg(gnupg_home, "--yes", "--output", str(keyring), "--export", fingerprint,
         what="writing the lab's keyring")
    _stop_agent(gnupg_home)
    for path in [repo, *repo.rglob("*"), keyring]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # _apt reads the repository
    return manifest


def _build_deb(source: Path, version: str, work: Path, out: Path) -> None:
    """One .deb: ``source/common`` with ``source/<version>`` over it, @VERSION@ filled in."""
    tree = work / f"{source.name}_{version}"
    shutil.rmtree(tree, ignore_errors=True)
    for layer in (source / "common", source / version):
        if not layer.is_dir():
            continue
        for path in sorted(layer.rglob("*")):
            rel = path.relative_to(layer)
            target = tree / rel
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes().replace(b"@VERSION@", version.encode()))
    for path in [tree, *tree.rglob("*")]:
        rel = str(path.relative_to(tree))
        executable = path.is_dir() or any(rel.startswith(p) for p in EXECUTABLE)
        path.chmod(0o755 if executable else 0o644)
    run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(tree), str(out)],
        f"building {out.name}")


def _index(repo: Path, suite: Suite, origin: str, arch: str) -> None:
    """Packages (+ .gz) and Release of one suite, from the .debs in its pool."""
    dist = repo / "dists" / suite.name
    binary = dist / COMPONENT / f"binary-{arch}"
    binary.mkdir(parents=True, exist_ok=True)
    packages = run(["apt-ftparchive", "packages", f"pool/{suite.name}"],
                   f"indexing suite {suite.name}", cwd=repo).stdout
    (binary / "Packages").write_text(packages)
    with gzip.GzipFile(binary / "Packages.gz", "wb", mtime=0) as f:
        f.write(packages.encode())
    fields = {"Origin": origin, "Label": suite.label, "Suite": suite.name,
              "Codename": suite.name, "Architectures": arch, "Components": COMPONENT,
              "Description": suite.description}
    options = [f"-oAPT::FTPArchive::Release::{k}={v}" for k, v in fields.items()]
    release = run(["apt-ftparchive", *options, "release", "."],
                  f"writing the Release of suite {suite.name}", cwd=dist).stdout
    (dist / "Release").write_text(release)


def _sign(dist: Path, home: Path, fingerprint: str) -> None:
    release = str(dist / "Release")
    _gpg(home, "--yes", "--local-user", fingerprint, "--clearsign",
         "--output", str(dist / "InRelease"), release, what=f"signing {dist.name}")
    _gpg(home, "--yes", "--local-user", fingerprint, "--armor", "--detach-sign",
         "--output", str(dist / "Release.gpg"), release, what=f"signing {dist.name}")
