"""The shared state of one simulated switch: running and startup configs, persisted to a file."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from ictops.lab.switchsim.configs import initial_config
from ictops.lab.switchsim.configtree import ConfigTree
from ictops.lab.switchsim.faults import atomic_write
from ictops.lab.switchsim.grammar import Grammar, load_grammar
from ictops.lab.switchsim.spec import DeviceSpec


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Device:
    """One switch; every session to it shares this object."""

    def __init__(self, spec: DeviceSpec, *, persist: bool = True):
        self.spec = spec
        self.grammar: Grammar = load_grammar(spec.platform)
        self.persist = persist
        self.booted_at = utcnow()
        self.last_change: datetime = self.booted_at
        self.last_saved: datetime | None = None
        self.last_change_by = "console"
        state = self._load_state()
        if state is not None:
            self.running = self._parse(state["running"])
            self.startup = self._parse(state["startup"])
            self.last_change = datetime.fromisoformat(state["last_change"])
            saved = state.get("last_saved")
            self.last_saved = datetime.fromisoformat(saved) if saved else None
        else:
            text = spec.initial_config
            if text is None:
                text = initial_config(spec.platform, spec.hostname, spec.profile)
            self.running = self._parse(text)
            self.startup = self.running.copy()
            self.last_saved = self.booted_at

    @property
    def hostname(self) -> str:
        key = "hostname" if self.spec.platform == "cisco_ios" else "sysname"
        return self.running.value(key) or self.grammar.default_hostname

    # -- changes -------------------------------------------------------------------------
    def ensure(self, path: tuple[str, ...], user: str) -> None:
        """Make sure the section at ``path`` exists (entering a sub-mode creates it)."""
        if self.running.find(path) is None:
            self.running.ensure(path, self.grammar.style)
            self._changed(user)

    def set_line(self, path: tuple[str, ...], line: str, user: str) -> bool:
        changed = self.running.set_line(path, line, self.grammar.style, self.grammar.slot_of)
        if changed:
            self._changed(user)
        return changed

    def negate(self, path: tuple[str, ...], line: str, user: str, *, record: bool = True) -> bool:
        """``no``/``undo`` a line; ``record=False`` is ``default`` (never keeps a ``no`` line)."""
        default_on = self.grammar.default_on if record else (lambda _line: False)
        changed = self.running.remove(
            path, line, self.grammar.style, self.grammar.slot_of, default_on
        )
        if changed:
            self._changed(user)
        return changed

    def save(self) -> int:
        """Copy running to startup (``write memory`` / ``save``); returns the config size."""
        self.startup = self.running.copy()
        self.last_saved = utcnow()
        self._write_state()
        return len("\n".join(self.startup.render(self.grammar.style)))

    def _changed(self, user: str) -> None:
        self.last_change = utcnow()
        self.last_change_by = user
        self._write_state()

    # -- persistence ---------------------------------------------------------------------
    def _parse(self, text: str) -> ConfigTree:
        return ConfigTree.parse(text, self.grammar.style)

    def _load_state(self) -> dict[str, str] | None:
        if not self.persist or not self.spec.state_file:
            return None
        path = Path(self.spec.state_file)
        if not path.exists():
            return None
        data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def _write_state(self) -> None:
        if not self.persist or not self.spec.state_file:
            return
        style = self.grammar.style
        state = {
            "running": "\n".join(self.running.render(style)) + "\n",
            "startup": "\n".join(self.startup.render(style)) + "\n",
            "last_change": self.last_change.isoformat(),
            "last_saved": self.last_saved.isoformat() if self.last_saved else None,
        }
        atomic_write(Path(self.spec.state_file), json.dumps(state, indent=1), mode=0o600)
