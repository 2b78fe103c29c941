"""LiveEvidence reads through the session protocols (in-memory sessions; real SSH is in the lab tests)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from ictops.backup.commands import NA_MARK
from ictops.compliance import LiveEvidence, Verdict, evaluate
from ictops.connections.base import CommandResult, SessionError
from ictops.facts import Facts
from ictops.results import ErrorKind

from .conftest import GOOD_IOS, SSHD_T, make_host
from .test_rules_net import SHOW_NTP_OK


class MemorySwitch:
    """A SwitchSession over a text config; configure() appends top-level lines (enough here)."""

    def __init__(self, config: str):
        self.config = config
        self.shown: list[str] = []

    def show(self, command: str, *, timeout: float | None = None) -> str:
        self.shown.append(command)
        if command == "show ntp status":
            return SHOW_NTP_OK
        raise SessionError(ErrorKind.COMMAND_FAILED, f"% Invalid input: {command}")

    def configure(self, lines: Sequence[str], *, timeout: float | None = None) -> str:
        self.config = self.config.replace("end\n", "".join(f"{line}\n" for line in lines) + "end\n")
        return ""

    def running_config(self) -> str:
        return self.config

    def startup_config(self) -> str:
        return self.config

    def save(self) -> str:
        return ""

    def close(self) -> None:
        pass


def live(session, host) -> LiveEvidence:
    return LiveEvidence(Facts(host, lambda: session), host)


class MemoryServer:
    """Answers the file and directory facts from ``files``, other commands from ``outputs``."""

    def __init__(self, files: dict[str, str], outputs: dict[str, str]):
        self.files, self.outputs, self.ran = files, outputs, []

    def run(self, command, *, timeout=None, sudo=False, stdin=None, keep=None) -> CommandResult:
        self.ran.append((command, sudo))
        if isinstance(command, list) and command[:2] == ["sh", "-c"]:
            script, path = command[2], command[-1]
            if "stat -L" in script:  # the file fact
                if path not in self.files:
                    return CommandResult(str(command), 0, "missing\n", "", 0.0)
                data = self.files[path].encode()
                encoded = base64.b64encode(data).decode()
                return CommandResult(str(command), 0, f"file 644 root root {len(data)}\n{encoded}\n", "", 0.0)
            if "find" in script:  # the directory fact
                inside = [p for p in self.files if p.startswith(path.rstrip("/") + "/")]
                return CommandResult(str(command), 0, "\0".join(inside), "", 0.0)
        out = self.outputs.get(command if isinstance(command, str) else " ".join(command), "")
        return CommandResult(str(command), 0, out, "", 0.0)

    def get_file(self, path: str, *, sudo: bool = False) -> bytes:
        if path not in self.files:
            raise FileNotFoundError(path)
        return self.files[path].encode()

    def put_file(self, path, data, *, mode=None, sudo=False) -> None:
        self.files[path] = data.decode()

    def close(self) -> None:
        pass


def test_live_switch_runs_show_commands_once(pack):
    host = make_host()
    session = MemorySwitch(GOOD_IOS)
    result = evaluate(
        pack, host, live(session, host), rule_ids=["NET-TIME-02", "NET-MGMT-01"]
    )
    assert [r.status for r in result.results] == [Verdict.PASS, Verdict.PASS]
    assert session.shown == ["show ntp status"]


def test_remediation_lines_fit_configure_and_then_pass(pack):
    host = make_host()
    session = MemorySwitch(
        GOOD_IOS.replace("no ip http server\n", "ip http server\n").replace(
            "service password-encryption\n", ""
        )
    )
    first = evaluate(
        pack, host, live(session, host), rule_ids=["NET-MGMT-03", "NET-AUTH-02"]
    )
    assert {r.status for r in first.results} == {Verdict.FAIL}
    for result in first.results:
        session.configure(list(result.remediation))
    session.config = session.config.replace(
        "ip http server\n", "", 1
    )  # what "no ip http server" does
    again = evaluate(
        pack, host, live(session, host), rule_ids=["NET-MGMT-03", "NET-AUTH-02"]
    )
    assert {r.status for r in again.results} == {Verdict.PASS}


def test_live_server_reads_files_and_named_commands(pack):
    host = make_host("linux")
    server = MemoryServer(
        {"/etc/logrotate.conf": "weekly\nrotate 20\n"},
        {"/usr/sbin/sshd -T": SSHD_T},
    )
    result = evaluate(pack, host, live(server, host), rule_ids=["LNX-SSH-01", "LNX-LOG-03"])
    statuses = {r.rule_id: r.status for r in result.results}
    assert statuses["LNX-SSH-01"] == Verdict.PASS
    assert statuses["LNX-LOG-03"] == Verdict.NA  # no stanza names the logs
    assert ("/usr/sbin/sshd -T", False) in server.ran  # sudo only when the host allows it


def test_session_failure_is_error_result(pack):
    host = make_host()

    class Broken(MemorySwitch):
        def running_config(self) -> str:
            raise SessionError(ErrorKind.CONNECTION_LOST, "the switch closed the connection")

    result = evaluate(pack, host, live(Broken(""), host), rule_ids=["NET-MGMT-01"])
    assert result.results[0].status == Verdict.ERROR
    assert "closed the connection" in result.results[0].message


def test_live_command_that_cannot_run_is_na_with_its_reason(pack):
    host = make_host("linux")

    class NoSystemd(MemoryServer):
        def run(self, command, *, timeout=None, sudo=False, stdin=None) -> CommandResult:
            self.ran.append((command, sudo))
            if "command -v timedatectl" in command:  # the guard ictops wraps around it
                return CommandResult(str(command), 0, f"{NA_MARK} 1\n", "", 0.0)
            return CommandResult(str(command), 127, "", "chronyc: not found", 0.0)

    server = NoSystemd({}, {})
    evidence = live(server, host)
    result = evaluate(pack, host, evidence, rule_ids=["LNX-TIME-01", "LNX-TIME-04"])
    assert [(r.status, r.message) for r in result.results] == [
        (Verdict.NA, "systemd is not running ('timedatectl' cannot run on this host)")
    ] * 2
    assert len(server.ran) == 1  # read once for both rules
