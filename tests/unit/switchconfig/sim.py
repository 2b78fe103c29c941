"""A simulated switch driven in-process, line by line, as a config session would."""

from __future__ import annotations

import re

from ictops.lab.switchsim.device import Device
from ictops.lab.switchsim.ios import IosCli
from ictops.lab.switchsim.spec import DeviceSpec
from ictops.lab.switchsim.vrp import VrpCli

ERRORS = ("% Invalid", "% Incomplete", "% Ambiguous", "Error:")


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
        self.cli = (IosCli if platform == "cisco_ios" else VrpCli)(Device(spec))
        if platform == "cisco_ios":
            self.cli.handle("enable")
            self.cli.handle("en")

    def running(self) -> str:
        ios = self.platform == "cisco_ios"
        return self.cli.handle(
            "show running-config" if ios else "display current-configuration"
        ).output

    def push(self, lines: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
        """Send config lines; the (line, error) pairs the device refused."""
        ios = self.platform == "cisco_ios"
        self.cli.handle("configure terminal" if ios else "system-view")
        refused = []
        for line in lines:
            output = self.cli.handle(line).output
            if any(marker in output for marker in ERRORS):
                refused.append((line, output))
        self.cli.handle("end" if ios else "return")
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
