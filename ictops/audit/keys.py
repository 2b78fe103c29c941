"""The optional HMAC key of the audit trail, read from a file outside the state directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ictops.errors import InputError

KEY_ENV = "ICTOPS_AUDIT_KEY_FILE"
MIN_KEY_BYTES = 16


class AuditKeyError(InputError):
    """The HMAC key file cannot be used."""


def key_path(setting: str | Path | None = None) -> Path | None:
    """Where the key lives: $ICTOPS_AUDIT_KEY_FILE, else the project setting, else none."""
    chosen = os.environ.get(KEY_ENV) or setting
    return Path(chosen).expanduser() if chosen else None


def load_key(path: str | Path | None, state_dir: Path | None = None) -> bytes | None:
    """The key bytes, or None when no key is configured.

    Refuses a key inside ``state_dir`` (whoever can edit the trail could read the key
    and re-sign it), a key readable by group or others, and a key shorter than 16 bytes.
    """
    if path is None:
        return None
    path = Path(path).expanduser()
    if state_dir is not None:
        try:
            path.resolve().relative_to(Path(state_dir).resolve())
        except ValueError:
            pass
        else:
            raise AuditKeyError(
                f"the audit HMAC key {path} is inside the state directory; move it outside "
                "(e.g. /etc/ictops/audit.key, mode 0600) and point ICTOPS_AUDIT_KEY_FILE at it"
            )
    try:
        mode = path.stat().st_mode
        key = path.read_bytes().strip()
    except OSError as exc:
        raise AuditKeyError(
            f"audit HMAC key {path} cannot be read ({exc.strerror}); create it with "
            "`head -c 32 /dev/urandom | base64 > FILE && chmod 600 FILE`"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(f"audit HMAC key {path} is readable by others; run: chmod 600 {path}")
    if len(key) < MIN_KEY_BYTES:
        raise AuditKeyError(
            f"audit HMAC key {path} is too short ({len(key)} bytes); use at least {MIN_KEY_BYTES}"
        )
    return key
