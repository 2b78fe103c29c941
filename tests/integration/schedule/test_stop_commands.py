"""An interrupted run stops its commands on the server: none is left running (real sshd, with
and without sudo), and commands of another session are not touched."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

from ictops.connections.base import SessionError
from ictops.connections.factory import open_session
from ictops.results import ErrorKind
from tests.integration.district import make_project, start_district, stop_district
from tests.integration.schedule.helpers import remote, wait_for
from tests.net import LAB

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    root = tmp_path_factory.mktemp("stop-commands")
    d = start_district(make_project(root, servers=[f"{LAB}.71.1"], cisco=[], huawei=[]))
    try:
        yield d
    finally:
        stop_district(d)




@pytest.mark.parametrize("sudo", [False, True])
def test_stop_commands_leaves_nothing_running(district, sudo):
    host = district.inventory.hosts["srv-1"]
    marker = f"sleep 43{int(sudo)}1"
    outcome: list[object] = []
    mine, other = open_session(host, district.project), open_session(host, district.project)
    keep = f"sleep 43{int(sudo)}2"
    threads = [threading.Thread(target=lambda: outcome.append(_run(mine, marker, sudo)), daemon=True),
               threading.Thread(target=lambda: _run(other, keep, sudo), daemon=True)]
    try:
        for t in threads:
            t.start()
        assert wait_for(lambda: any(line.endswith(marker) for line in remote(marker)))
        assert wait_for(lambda: any(line.endswith(keep) for line in remote(keep)))
        mine.stop_commands()
        assert wait_for(lambda: remote(marker) == []), remote(marker)
        threads[0].join(30)
        # the run sees its command end by the signal
        [error] = outcome
        assert isinstance(error, SessionError) and error.kind is ErrorKind.COMMAND_FAILED
        assert error.message.startswith("command was killed by signal TERM on ")
        assert any(line.endswith(keep) for line in remote(keep))  # another session's command
    finally:
        mine.close()
        other.close()
        for pattern in (keep, marker):  # only this test's own sleeps, even when it failed
            subprocess.run(["pkill", "-f", f"^{pattern}$"], timeout=30)
        for t in threads:
            t.join(30)


def _run(session, command: str, sudo: bool):
    try:
        return session.run(command, sudo=sudo, timeout=60).exit_code
    except SessionError as exc:
        return exc


def test_closing_alone_would_leave_the_command_running(district):
    """Why stop_commands exists: sshd does not stop a command when its channel goes away."""
    host = district.inventory.hosts["srv-1"]
    session = open_session(host, district.project)
    marker = "sleep 4399"
    thread = threading.Thread(target=lambda: _run(session, marker, False), daemon=True)
    try:
        thread.start()
        assert wait_for(lambda: any(line.endswith(marker) for line in remote(marker)))
        session.close()
        thread.join(30)
        time.sleep(1)  # give sshd every chance to clean up: it does not
        assert any(line.endswith(marker) for line in remote(marker))
    finally:
        subprocess.run(["pkill", "-f", f"^{marker}$"], timeout=30)
