"""An ictops project: a directory with inventory/, playbooks/, tasks/, templates/, state/."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """Paths of one ops project. ``state/`` holds everything runs produce."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None) -> "Project":
        return cls(Path(root or os.environ.get("ICTOPS_PROJECT") or ".").resolve())

    @property
    def inventory_dir(self) -> Path:
        return self.root / "inventory"

    @property
    def playbooks_dir(self) -> Path:
        return self.root / "playbooks"

    @property
    def tasks_dir(self) -> Path:
        return self.root / "tasks"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def known_hosts(self) -> Path:
        """The project's own known_hosts: the only host keys ictops trusts."""
        return self.state_dir / "known_hosts"

    @property
    def lab_dir(self) -> Path:
        return self.state_dir / "lab"

    @property
    def backups_dir(self) -> Path:
        return self.state_dir / "backups"

    def relative(self, path: Path) -> str:
        """A path as the user should see it: relative to the project when inside it."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
