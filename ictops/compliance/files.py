"""Audit configuration files that are not in the backup store (``ictops audit --files``).

A config exported from a device not yet in the inventory, or sent in by a school, is audited
against a rule pack as it is: every file is one device, named after the file; its platform
is given (``--platform``) or recognised from the text (the platforms' ``config_shape`` in
ictops/data/platforms.yaml: hostname line, end marker, share of known top-level commands);
every line number in the results is the line number in the file as given (nothing is
normalised before the audit). Rules about the backup itself (its age, a saved startup
config) do not apply to a file: N/A with the reason.

The files are untrusted input: only regular files, at most MAX_FILE_BYTES each, text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ictops.compliance.evaluate import LIVE_NEEDED, HostCompliance, evaluate
from ictops.compliance.evidence import StaticEvidence
from ictops.compliance.packs import RulePack
from ictops.compliance.verdicts import Verdict
from ictops.errors import InputError
from ictops.inventory.host import Host
from ictops.platforms import Platform, platforms

MAX_FILE_BYTES = 8 * 1024 * 1024  # the largest real switch configs are well under 1 MB
MAX_FILES = 2000
FILE_NA = "a configuration file has no backup history (age, saved startup): not applicable"
FILE_LIVE_NA = "needs the device itself: a configuration file cannot answer it"
SUFFIXES_SKIPPED = (".md", ".json", ".yaml", ".yml", ".gz", ".zip", ".pdf")


@dataclass(frozen=True)
class ConfigFile:
    """One file to audit: how it is shown (as given), its text and its platform."""

    shown: str
    text: str
    platform: str
    detected: bool  # the platform was recognised, not given


class FileEvidence(StaticEvidence):
    """A configuration file as the auditor's evidence (no startup config, no backup time)."""

    def __init__(self, config: ConfigFile):
        super().__init__(config.text)
        self.shown = config.shown

    def describe(self) -> str:
        return f"file {self.shown}"


def collect_files(paths: Sequence[str | Path]) -> list[tuple[str, Path, bool]]:
    """(shown, path, named) of every file: files as given (named), directories' regular files
    (recursively, sorted, hidden ones and known non-config suffixes skipped). InputError for a
    path that is missing or neither a file nor a directory."""
    found: list[tuple[str, Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not p.is_symlink()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.suffix.lower() not in SUFFIXES_SKIPPED
            )
            if not inside:
                raise InputError(f"{raw}: the directory holds no configuration file")
            found.extend((str(p), p, False) for p in inside)
        elif path.is_file():
            found.append((str(raw), path, True))
        elif path.exists():
            raise InputError(f"{raw}: not a regular file or a directory; give config files")
        else:
            raise InputError(f"{raw}: no such file or directory")
    if len(found) > MAX_FILES:
        raise InputError(f"{len(found)} files given; audit at most {MAX_FILES} at a time")
    return found


def read_config(shown: str, path: Path) -> str:
    """The file's text; InputError when it is too big, not text, or empty."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{shown}: {size} bytes; a configuration file is at most "
                             f"{MAX_FILE_BYTES // 2**20} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{shown}: cannot be read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise InputError(f"{shown}: binary data, not a configuration text")
    text = raw.decode("utf-8", "replace")
    if not text.strip():
        raise InputError(f"{shown}: the file is empty")
    return text


def _fit(text: str, platform: Platform) -> float:
    """How well ``text`` looks like a config of ``platform``: 0 (not at all) to about 3.

    The share of top-level lines that start with a command of the platform, plus 1 for its end
    marker, plus 1 for its signature (a line only its configs hold: ``version RGOS``, a
    ProCurve ``Configuration Editor`` header, a RouterOS export header); a platform whose
    signature is absent loses 0.5, so a Ruijie config is not taken for a Cisco one and back."""
    shape = platform.config_shape
    if shape is None or not shape.hostname.search(text):
        return 0.0
    top = [line for line in text.splitlines() if shape.is_top(line)]
    known = sum(1 for line in top if shape.knows(line)) / len(top) if top else 0.0
    ends = 1.0 if platform.end_marker is not None and platform.end_marker.search(text) else 0.0
    signed = 0.0
    if platform.signature is not None:
        signed = 1.0 if platform.signature.search(text) else -0.5
    return known + ends + signed


def detect_platform(text: str, shown: str) -> str:
    """The switch platform ``text`` is a configuration of; InputError when it cannot tell."""
    scored = sorted(
        ((_fit(text, p), name) for name, p in platforms().items() if p.is_switch),
        reverse=True,
    )
    best = [name for score, name in scored if score > 0 and score == scored[0][0]]
    if scored and scored[0][0] >= 1.0 and len(best) == 1:
        return best[0]
    known = ", ".join(name for name, p in sorted(platforms().items()) if p.is_switch)
    if len(best) > 1:
        raise InputError(f"{shown}: looks like {' or '.join(best)}; give --platform ({known})")
    raise InputError(f"{shown}: not recognised as a switch configuration; give --platform ({known})")


def load_files(
    paths: Sequence[str | Path], platform: str | None = None
) -> tuple[list[ConfigFile], list[str]]:
    """(every file to audit, read and with its platform; what was skipped and why).

    A file named on the command line that cannot be read or recognised is an InputError; one
    found in a directory is skipped with the reason (a README beside the configs)."""
    if platform is not None and platform not in platforms():
        known = ", ".join(sorted(platforms()))
        raise InputError(f"--platform {platform}: unknown platform; use one of {known}")
    configs, skipped = [], []
    for shown, path, named in collect_files(paths):
        try:
            text = read_config(shown, path)
            chosen = platform or detect_platform(text, shown)
        except InputError as exc:
            if named:
                raise
            skipped.append(str(exc))
            continue
        configs.append(ConfigFile(shown, text, chosen, detected=platform is None))
    if not configs:
        raise InputError("no configuration to audit: " + "; ".join(skipped))
    return configs, skipped


def _host(config: ConfigFile, taken: set[str]) -> Host:
    name = Path(config.shown).name
    base, n = name, 2
    while name in taken:  # two files of the same name in different directories
        name, n = f"{base}~{n}", n + 1
    taken.add(name)
    return Host(name=name, hostname="-", platform_name=config.platform, source=config.shown)


def audit_files(
    pack: RulePack, configs: Iterable[ConfigFile], rule_ids: Iterable[str] | None = None
) -> list[HostCompliance]:
    """Evaluate ``pack`` on each file; "where" names the file and its line as given."""
    rules = list(rule_ids) if rule_ids is not None else None
    taken: set[str] = set()
    audited = []
    for config in configs:
        host = _host(config, taken)
        result = evaluate(pack, host, FileEvidence(config), rule_ids=rules)
        audited.append(dataclasses.replace(result, results=tuple(
            _as_file(r, pack, config) for r in result.results)))
    return audited


def _as_file(result, pack: RulePack, config: ConfigFile):
    rule = pack.rule(result.rule_id)
    check = rule.check_for(config.platform) if rule else None
    if check is not None and getattr(check, "kind", "") == "backup":
        return dataclasses.replace(result, status=Verdict.NA, message=FILE_NA, evidence="", where="")
    if result.status == Verdict.ERROR and result.message == LIVE_NEEDED:
        return dataclasses.replace(result, status=Verdict.NA, message=FILE_LIVE_NA)
    where = result.where
    for name in ("running-config:",):
        if where.startswith(name):
            where = f"{config.shown}:{where[len(name):]}"
    return dataclasses.replace(result, where=where)
