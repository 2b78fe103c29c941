"""The shared state of one simulated switch: running and startup configs, persisted to a file."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from ictops.lab.switchsim.configs import initial_config
from ictops.lab.switchsim.configtree import ConfigTree
from ictops.lab.switchsim.faults import atomic_write
from ictops.lab.switchsim.grammar import Grammar, load_grammar
from ictops.lab.switchsim.spec import DeviceSpec


def vlan_ids(line: str) -> list[int]:
    """VLANs of a VRP ``vlan batch 10 20 to 22`` line."""
    words = line.split()[2:]
    found: list[int] = []
    for i, word in enumerate(words):
        if word == "to" and 0 < i < len(words) - 1:
            found.extend(range(int(words[i - 1]) + 1, int(words[i + 1])))
        elif word.isdigit():
            found.append(int(word))
    return found


def _vlan_text(vlans: set[int]) -> str:
    """``10 20 to 22``: runs of consecutive VLANs as VRP prints them."""
    ordered = sorted(vlans)
    runs: list[list[int]] = []
    for vlan in ordered:
        if runs and vlan == runs[-1][-1] + 1:
            runs[-1].append(vlan)
        else:
            runs.append([vlan])
    return " ".join(str(r[0]) if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


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
        name = self.running.value(self.grammar.hostname_key) or ""
        return name.strip('"') or self.grammar.default_hostname

    # -- changes -------------------------------------------------------------------------
    def allows(self, mode: str, line: str) -> bool:
        """False when a command needs a top-level line the config lacks, or has (IOS ``aaa``
        commands need ``aaa new-model``; with it, ``login local`` is gone from lines)."""
        top = [c.text for c in self.running.root.children]
        return all(
            any(need.search(text) for text in top) == present
            for where, command, need, present in self.grammar.requires
            if where == mode and command.search(line)
        )

    def ensure(self, path: tuple[str, ...], user: str) -> None:
        """Make sure the section at ``path`` exists (entering a sub-mode creates it)."""
        if self.running.find(path) is None:
            self.running.ensure(path, self.grammar.style)
            vlan = re.fullmatch(r"vlan (\d+)", path[0]) if self.grammar.vlan_batch else None
            if vlan:  # VRP: entering "vlan 40" creates VLAN 40
                self._vlan_batch(add={int(vlan.group(1))})
            self._changed(user)

    def set_line(self, path: tuple[str, ...], line: str, user: str) -> bool:
        if self.grammar.vlan_batch and not path and line.startswith("vlan batch "):
            changed = self._vlan_batch(add=set(vlan_ids(line)))
        else:
            changed = self.running.set_line(path, line, self.grammar.style, self.grammar.slot_of)
        if changed and not path:
            self._implied(line)
        if changed:
            self._changed(user)
        return changed

    def negate(self, path: tuple[str, ...], line: str, user: str, *, record: bool = True) -> bool:
        """``no``/``undo`` a line; ``record=False`` is ``default`` (never keeps a ``no`` line)."""
        vlans = self._vlans_named(path, line)
        other = self.grammar.removed_by(line)
        parent = self.running.find(path)
        if vlans:
            changed = self._vlan_batch(remove=vlans)
        elif other is not None and parent is not None:
            kept = [c for c in parent.children if not other.search(c.text)]
            changed, parent.children = len(kept) != len(parent.children), kept
        else:
            default_on = self.grammar.default_on if record else (lambda _line: False)
            changed = self.running.remove(
                path, line, self.grammar.style, self.grammar.slot_of, default_on
            )
        if changed:
            self._changed(user)
        return changed

    def set_default(self, path: tuple[str, ...], line: str, user: str) -> bool:
        """Set a value the device never shows (its default): the line and its negation go."""
        changed = self.running.remove(
            path, line, self.grammar.style, self.grammar.slot_of, lambda _line: False
        )
        negated = f"{self.grammar.style.negation} {line}"
        parent = self.running.find(path)
        if parent is not None and any(c.text == negated for c in parent.children):
            parent.children = [c for c in parent.children if c.text != negated]
            changed = True
        if changed:
            self._changed(user)
        return changed

    def _implied(self, line: str) -> None:
        """Lines the device drops by itself once ``line`` is set (grammar ``implied``)."""
        for when, parent, drop in self.grammar.implied:
            if when.search(line):
                for block in self.running.root.children:
                    if parent.search(block.text):
                        block.children = [c for c in block.children if not drop.search(c.text)]

    # -- VRP vlan batch: one line holding the set of VLANs -----------------------------------
    def _vlans_named(self, path: tuple[str, ...], line: str) -> set[int]:
        if not self.grammar.vlan_batch or path:
            return set()
        if line.startswith("vlan batch "):
            return set(vlan_ids(line))
        single = re.fullmatch(r"vlan (\d+)", line)
        return {int(single.group(1))} if single else set()

    def _vlan_batch(self, add: set[int] = frozenset(), remove: set[int] = frozenset()) -> bool:  # type: ignore[assignment]
        root = self.running.root
        batch = next((c for c in root.children if c.text.startswith("vlan batch ")), None)
        before = set(vlan_ids(batch.text)) if batch else set()
        after = (before | add) - remove
        for vlan in remove:
            root.children = [c for c in root.children if c.text != f"vlan {vlan}"]
        if after == before:
            return bool(remove & before)
        if not after:
            root.children = [c for c in root.children if c is not batch]
        elif batch is None:
            self.running.set_line(
                (), f"vlan batch {_vlan_text(after)}", self.grammar.style, self.grammar.slot_of
            )
        else:
            batch.text = f"vlan batch {_vlan_text(after)}"
        return True

    def save(self) -> int:
        """Copy running to startup (``write memory`` / ``save``); returns the config size."""
        self.startup = self.running.copy()
        self.last_saved = utcnow()
        self._write_state()
        return len("\n".join(self.startup.render(self.grammar.style)))

    def _changed(self, user: str) -> None:
        if self.grammar.vlan_batch:  # VRP shows a "vlan N" section only when it has settings
            root = self.running.root
            root.children = [
                c for c in root.children if c.children or not re.fullmatch(r"vlan \d+", c.text)
            ]
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
