"""A simulated switch driven in-process, line by line, as a config session would."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ictops.connections.base import SessionError
from ictops.connections.configmode import send_config
from ictops.inventory.host import Host
from ictops.lab.switchsim.device import Device
from ictops.lab.switchsim.ios import IosCli
from ictops.lab.switchsim.procurve import ProCurveCli
from ictops.lab.switchsim.spec import DeviceSpec
from ictops.lab.switchsim.vrp import VrpCli
from ictops.results import ErrorKind

ERRORS = ("% Invalid", "% Incomplete", "% Ambiguous", "Error:", "Invalid input:", "Ambiguous input:")
CLI = {"cisco_ios": IosCli, "huawei_vrp": VrpCli, "hp_procurve": ProCurveCli}
# (show the running-config, enter configuration, leave it)
COMMANDS = {
    "cisco_ios": ("show running-config", "configure terminal", "end"),
    "huawei_vrp": ("display current-configuration", "system-view", "return"),
    "hp_procurve": ("show running-config", "configure", "end"),
}


class SimSwitch:
    """One simulated switch: read its running-config, push config lines, see what it refused."""

    def __init__(self, platform: str, profile: str = "typical", hostname: str = "SW-TEST"):
        self.platform = platform
        spec = DeviceSpec(
            name=hostname.lower(),
            address="127.0.0.1",
            port=2222,
            platform=platform,
            hostname=hostname,
            username="admin",
            password="pw",
            enable_secret="en",
            host_key="",
            state_file="",
            profile=profile,
        )
        self.cli = CLI[platform](Device(spec))
        if platform == "cisco_ios":
            self.cli.handle("enable")
            self.cli.handle("en")

    def running(self) -> str:
        return self.cli.handle(COMMANDS[self.platform][0]).output

    def push(self, lines: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
        """Send config lines; the (line, error) pairs the device refused."""
        _, enter, leave = COMMANDS[self.platform]
        self.cli.handle(enter)
        refused = []
        for line in lines:
            output = self.cli.handle(line).output
            if any(marker in output for marker in ERRORS):
                refused.append((line, output))
        self.cli.handle(leave)
        return refused


def expected_message(message: str, prompt: str, line: str) -> str:
    """An error as the device prints it after ``prompt`` + ``line``: in ``message``,
    ``{caret:WORD}`` is a caret under WORD and ``{end}`` a caret after the line."""
    message = message.replace("{end}", " " * (len(prompt) + len(line)) + "^")
    if "{caret:" in message:
        word = message.split("{caret:")[1].split("}")[0]
        caret = " " * (len(prompt) + line.index(word)) + "^"
        message = message.replace("{caret:" + word + "}", caret)
    return message


def config_sets(commands: list[str] | tuple[str, ...]) -> list[list[str]]:
    """The commands in sets for netmiko's send_config_set, a multi-line banner in a set of its
    own: netmiko checks each line's echo and the prompt after it, a banner's text lines have no
    prompt, so for a set holding a banner it waits 2 s of silence per line instead."""
    sets: list[list[str]] = [[]]
    delimiter = ""
    for line in commands:
        if not delimiter and re.fullmatch(r"banner \S+ (\S)", line):
            delimiter = line[-1]
            sets.append([line])
            continue
        sets[-1].append(line)
        if delimiter and line == delimiter:
            delimiter = ""
            sets.append([])
    return [s for s in sets if s]


@dataclass(frozen=True)
class Answer:
    """What a line got: the device's text and the prompt after it."""

    text: str
    prompt: str


class SimSession:
    """A SwitchSession over an in-process SimSwitch (no SSH): configuration lines go through
    ictops's own config-mode code (ictops/connections/configmode.py) against the simulated
    CLI's real answers.

    ``drop_after``: the connection is lost once that many config lines were applied (the
    line is applied, as on a device that drops after taking it); ``reopen()`` heals it.
    ``ignore``: lines the device answers without error but does not apply (verify must see it).
    """

    def __init__(self, switch: SimSwitch, *, drop_after: int | None = None,
                 ignore: tuple[str, ...] = (), refuse_save: bool = False):
        self.switch = switch
        self.host = Host(name="sim", hostname="127.0.0.1", platform_name=switch.platform)
        self.drop_after = drop_after
        self.ignore = ignore
        self.refuse_save = refuse_save
        self.applied = 0
        self.dropped = False
        self.sent: list[str] = []  # every config line it was given, in order
        self.home = switch.cli.prompt()
        self.opened = 1

    # SwitchSession
    def running_config(self) -> str:
        self._alive()
        return self.switch.running()

    def startup_config(self) -> str:
        self._alive()
        ios = self.switch.platform == "cisco_ios"
        return self.switch.cli.handle("show startup-config" if ios else "display saved-configuration").output

    def configure(self, lines, *, timeout=None) -> str:
        self._alive()
        return send_config(self, self.host.platform, [ln for ln in lines if ln.strip()], 5.0, "sim")

    def save(self) -> str:
        self._alive()
        if self.refuse_save:
            raise SessionError(ErrorKind.COMMAND_FAILED, "sim: saving failed: Error: flash full")
        cli = self.switch.cli
        if self.switch.platform == "cisco_ios":
            return cli.handle("write memory").output
        return cli.handle("save").output + cli.handle("y").output

    def close(self) -> None:
        pass

    # configmode's Terminal
    def send_lines(self, lines, limit) -> Answer:
        self._alive()
        said = []
        for line in lines:
            self.sent.append(line)
            config = bool(self.switch.cli.frames)
            if line.strip() in self.ignore:
                said.append("")
                continue
            said.append(self.switch.cli.handle(line).output)
            if config:
                self.applied += 1
                if self.drop_after is not None and self.applied >= self.drop_after:
                    self.dropped = True
                    raise SessionError(ErrorKind.CONNECTION_LOST, "sim closed the connection")
        return Answer("\n".join(s for s in said if s), self.switch.cli.prompt())

    def reopen(self) -> SimSession:
        """A new connection: config mode left, the drop healed."""
        self.switch.cli.frames = []
        self.dropped = False
        self.drop_after = None
        self.opened += 1
        return self

    def _alive(self) -> None:
        if self.dropped:
            raise SessionError(ErrorKind.CONNECTION_LOST, "sim: the connection is gone")
