"""Write every action result of a run to the audit trail, against the work manual.

``TrailRecorder`` is a listener for ``run_action(listeners=[...])``: one record per
host result (summary masked, the diff kept only as its SHA-256). ``record_event``
writes run-level events (plan made, approved, notified, report written).
``open_trail`` opens the project's trail with its HMAC key, ``resolve_operator``
checks who runs ictops against the working team, ``verb_record`` says where an
ad-hoc verb's records go (``ictops/data/verbs.yaml``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ictops.audit import AuditTrail, Catalogue, Masker, Team, current_operator, key_path, load_key
from ictops.errors import IctopsError
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ActionResult

log = logging.getLogger("ictops.recorder")

TEAM_FILE = "team.yaml"
KEY_SETTING = "audit_key_file"  # in inventory/defaults.yaml `data:` (ICTOPS_AUDIT_KEY_FILE wins)


class TrailWriteError(IctopsError):
    """Results could not be written to the audit trail (disk full, permissions)."""


class TrailRecorder:
    """Listener ``(ActionResult) -> None`` appending one audit record per result. Thread-safe."""

    def __init__(
        self,
        trail: AuditTrail,
        *,
        process: int,
        step: int,
        run_id: str | None,
        operator: str | None,
        masker_for: Callable[[str], Masker] | None = None,
        data: dict[str, Any] | None = None,
    ):
        self.trail = trail
        self.process = process
        self.step = step
        self.run_id = run_id
        self.operator = operator
        self.masker_for = masker_for
        self.data = data or None
        self.records: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, result: ActionResult) -> None:
        masker = self.masker_for(result.host) if self.masker_for else Masker()
        try:
            record = self.trail.record_result(
                result, process=self.process, step=self.step, run_id=self.run_id,
                operator=self.operator, masker=masker, data=self.data,
            )
        except OSError as exc:  # never lose silently that a result went unrecorded
            log.error("audit trail: cannot record %s on %s: %s", result.action, result.host, exc)
            with self._lock:
                self.errors.append(f"{result.host}: {exc}")
            return
        with self._lock:
            self.records.append(record)

    def check(self) -> None:
        """Raise TrailWriteError if some result could not be recorded."""
        if self.errors:
            raise TrailWriteError(
                f"{len(self.errors)} result(s) could not be written to the audit trail "
                f"{self.trail.path} (first: {self.errors[0]}); free disk space or fix permissions"
            )


def defaults_data(project: Project) -> dict[str, Any]:
    """The ``data:`` mapping of inventory/defaults.yaml (office name, settings); {} if none."""
    path = project.inventory_dir / "defaults.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    data = doc.get("data") if isinstance(doc, dict) else None
    return data if isinstance(data, dict) else {}


def audit_key(project: Project, key_file: str | Path | None = None) -> bytes | None:
    """The trail's HMAC key: ``key_file``, else $ICTOPS_AUDIT_KEY_FILE, else the setting."""
    if key_file is None:
        setting = defaults_data(project).get(KEY_SETTING)
        path = key_path(project.root / str(setting) if setting else None)
    else:
        path = Path(key_file)
    return load_key(path, state_dir=project.state_dir)


def trail_path(project: Project) -> Path:
    return project.state_dir / "audit" / "trail.jsonl"


def open_trail(project: Project, run_id: str | None, operator: str | None) -> AuditTrail:
    """The project's trail (state/audit/trail.jsonl), HMAC key as configured, fsync on."""
    return AuditTrail.in_state(
        project.state_dir, key=audit_key(project), run_id=run_id, operator=operator, fsync=True
    )


def load_team(project: Project) -> Team | None:
    """inventory/team.yaml, or None when the project has no team file."""
    path = project.inventory_dir / TEAM_FILE
    if not path.exists():
        return None
    return Team.load(path, project.relative(path))


def resolve_operator(project: Project) -> tuple[str, dict[str, Any] | None]:
    """(operator, extra record data). Refuses (OperatorRefused, exit 2) one not on the team."""
    name = current_operator()
    team = load_team(project)
    if team is None:
        return name, None
    member = team.check_operator(name)
    if not member.on_roster:
        return member.username, {"operator_not_on_team": True}
    return member.username, None


def load_catalogue(project: Project) -> Catalogue:
    """The office's manual (``catalogue:`` in inventory/defaults.yaml data), else the built-in."""
    setting = defaults_data(project).get("catalogue")
    if setting:
        path = project.root / str(setting)
        return Catalogue.load(path, project.relative(path))
    return Catalogue.load()


@lru_cache(maxsize=1)
def verb_records() -> dict[str, tuple[int, int]]:
    """Verb name -> (process, step), from ictops/data/verbs.yaml."""
    text = resources.files("ictops.data").joinpath("verbs.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text) or {}
    return {str(verb): (int(v["process"]), int(v["step"])) for verb, v in raw.items()}


def verb_record(verb: str) -> tuple[int, int] | None:
    """Where ``verb``'s records go, or None when the verb is not recorded."""
    return verb_records().get(verb)


def host_maskers(hosts: list[Host] | tuple[Host, ...], root: Path) -> Callable[[str], Masker]:
    """masker_for: each host's platform rules plus its known secret values (those available)."""
    by_name = {h.name: h for h in hosts}
    cache: dict[str, Masker] = {}
    lock = threading.Lock()

    def masker_for(name: str) -> Masker:
        with lock:
            if name in cache:
                return cache[name]
        host = by_name.get(name)
        if host is None:
            return Masker()
        secrets = []
        for ref in (host.password, host.enable_secret, host.sudo_password):
            if ref is not None and ref.is_available(root):
                try:
                    secrets.append(ref.resolve(root))
                except IctopsError:
                    pass
        masker = Masker(host.platform_name, secrets)
        with lock:
            cache[name] = masker
        return masker

    return masker_for


def record_event(
    project: Project,
    *,
    run_id: str | None,
    operator: str | None,
    process: int,
    step: int,
    action: str,
    status: str,
    summary: str,
    host: str = "",
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Append one run-level event (kind ``event``) to the project's trail; return the record."""
    with open_trail(project, run_id, operator) as trail:
        return trail.append(
            kind="event", action=action, status=status, process=process, step=step,
            host=host or None, summary=summary, data=data,
        )
