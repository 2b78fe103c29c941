"""`ictops run/plan -l`: the limit narrows the playbook's hosts; an empty one is refused."""

from __future__ import annotations

import pytest

from ictops.errors import LimitError
from ictops.playbook import load_playbook
from ictops.playbook.session import select_hosts
from tests.unit.playbook.helpers import fake_registry, project

BOOK = "name: p\nprocess: 2\nhosts: role=server\nsteps:\n  - name: x\n    step: 5\n    cmd: {command: ok}\n"


def test_limit_narrows_and_an_empty_limit_is_refused(tmp_path):
    proj, inv = project(tmp_path, {"playbooks/p.yaml": BOOK})
    book = load_playbook("playbooks/p.yaml", proj, inv, registry=fake_registry())
    assert [h.name for h in select_hosts(inv, book, None)] == ["srv-1", "srv-2", "srv-3"]
    assert [h.name for h in select_hosts(inv, book, "a")] == ["srv-1", "srv-2"]
    assert [h.name for h in select_hosts(inv, book, "all")] == ["srv-1", "srv-2", "srv-3"]
    with pytest.raises(LimitError, match="is empty"):
        select_hosts(inv, book, "")
