"""The one trail recorder: every result and run event of every verb and playbook goes through it.

The run driver (ictops/engine/driver.py) feeds it one ``result`` per host and step and the
run's events; verbs that change something without a run (``hostkeys forget``) write one
``event``. The rules live here, once:

- each record names the run, the operator, the process and the manual step;
- a check-mode result is what *would* happen: it goes under the process's plan step, with
  ``data.check: true`` and the step it would have been done under in ``data.carry_out_step``;
- summaries are masked (the host's masker, then the trail's own rules); a diff is kept only
  as its SHA-256;
- a result that cannot be written is never lost silently: ``check()`` raises TrailWriteError.
"""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path
from typing import Any

from ictops import clock
from ictops.audit.catalogue import Catalogue, load_catalogue
from ictops.audit.keys import key_path, load_key
from ictops.audit.mask import Masker
from ictops.audit.trail import AuditTrail
from ictops.errors import IctopsError
from ictops.project import Project
from ictops.results import ActionResult
from ictops.settings import load_settings

log = logging.getLogger("ictops.audit")

PLAN_STEP_FALLBACK = 2


class TrailWriteError(IctopsError):
    """Results could not be written to the audit trail (disk full, permissions)."""


def new_run_id() -> str:
    """A run id that sorts by time: 20261121T010000Z-1a2b3c."""
    return f"{clock.compact()}-{uuid.uuid4().hex[:6]}"


def trail_path(project: Project) -> Path:
    """``state/audit/trail.jsonl``."""
    return project.state_dir / "audit" / "trail.jsonl"


def trail_key(project: Project, key_file: str | Path | None = None) -> bytes | None:
    """The trail's HMAC key: ``key_file``, else $ICTOPS_AUDIT_KEY_FILE, else the setting
    ``audit_key_file`` (relative to the project), else None."""
    if key_file is None:
        setting = load_settings(project).audit_key_file
        path = key_path(project.root / setting if setting else None)
    else:
        path = Path(key_file)
    return load_key(path, state_dir=project.state_dir)


def open_trail(project: Project, run_id: str | None, operator: str | None) -> AuditTrail:
    """The project's trail with its HMAC key, fsync after every record."""
    return AuditTrail.in_state(
        project.state_dir, key=trail_key(project), run_id=run_id, operator=operator, fsync=True
    )


class Recorder:
    """Writes one run's records. Thread-safe: hosts finish in parallel."""

    def __init__(
        self,
        project: Project,
        *,
        run_id: str | None,
        operator: str,
        flags: dict[str, Any] | None = None,
        catalogue: Catalogue | None = None,
    ):
        self.project = project
        self.run_id = run_id
        self.operator = operator
        self.flags = dict(flags or {})  # on every record: operator_not_on_team, ...
        # loaded here, in the thread that starts the run: results are recorded from workers
        self._catalogue = catalogue or load_catalogue(project)
        self.trail = open_trail(project, run_id, operator)
        self.errors: list[str] = []
        self.written = 0
        self._lock = threading.Lock()

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.project)
        return self._catalogue

    def plan_step(self, process: int) -> int:
        """The process's plan step: where check-mode results go."""
        step = self.catalogue.step_for(process, "plan")
        return step.number if step else PLAN_STEP_FALLBACK

    def result(
        self,
        result: ActionResult,
        *,
        process: int,
        step: int,
        check: bool = False,
        masker: Masker | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """One host's result of one step (a run-level result has no host)."""
        extra = {**(data or {}), **self.flags}
        if check:
            extra.update(check=True, carry_out_step=step)
            step = self.plan_step(process)
        if result.payload is not None:
            extra.update(result.payload.record())
        self._write(
            f"{result.action} on {result.host or 'the run'}",
            lambda: self.trail.record_result(
                result, process=process, step=step, masker=masker, data=extra or None
            ),
        )

    def event(
        self,
        action: str,
        status: str,
        *,
        process: int,
        step: int,
        summary: str,
        host: str | None = None,
        data: dict[str, Any] | None = None,
        duration: float | None = None,
    ) -> None:
        """One run-level event (started, ended, interrupted, recovered, trusted...)."""
        extra = {**(data or {}), **self.flags}
        self._write(
            action,
            lambda: self.trail.append(
                kind="event", action=action, status=status, process=process, step=step,
                host=host, summary=summary, data=extra or None, duration=duration,
            ),
        )

    def _write(self, what: str, write: Any) -> None:
        try:
            write()
        except (OSError, ValueError) as exc:  # never lose silently that a record is missing
            log.error("audit trail: cannot record %s: %s", what, exc)
            with self._lock:
                self.errors.append(f"{what}: {exc}")
            return
        with self._lock:
            self.written += 1

    def close(self) -> None:
        self.trail.close()

    def check(self) -> None:
        """Raise TrailWriteError if some record could not be written."""
        if self.errors:
            raise TrailWriteError(
                f"{len(self.errors)} record(s) could not be written to the audit trail "
                f"{self.trail.path} (first: {self.errors[0]}); free disk space or fix permissions"
            )

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def record_event(
    project: Project,
    *,
    run_id: str | None,
    operator: str,
    action: str,
    status: str,
    process: int,
    step: int,
    summary: str,
    host: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """One event outside a run (a plan approved, a host key forgotten); raises TrailWriteError."""
    with Recorder(project, run_id=run_id or new_run_id(), operator=operator) as recorder:
        recorder.event(action, status, process=process, step=step, summary=summary, host=host,
                       data=data)
    recorder.check()
