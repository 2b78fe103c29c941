"""The simulated Huawei VRP command line (S5720, V200R011C10), as netmiko's huawei driver expects."""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta, timezone

from ictops.lab.switchsim.cli import Cli, Command, Reply
from ictops.lab.switchsim.device import utcnow

SOFTWARE = "V200R011C10SPC500"
MODEL = "S5720-28X-LI-AC"


class VrpCli(Cli):
    """``<HOSTNAME>`` user view, ``[HOSTNAME]`` system view, ``[HOSTNAME-...]`` sub-views."""

    exit_word = "quit"
    end_word = "return"
    invalid_message = "Error: Unrecognized command found at '^' position."
    incomplete_message = "Error: Incomplete command found at '^' position."
    ambiguous_message = "Error: Ambiguous command found at '^' position."

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.privileged = True  # VRP has no enable step

    def exec_commands(self) -> list[Command]:
        return [
            Command(("screen-length",), lambda _a: Reply(), takes_args=True),
            Command(("screen-width",), lambda _a: Reply(), takes_args=True),
            Command(("system-view",), self._system_view),
            Command(("quit",), lambda _a: Reply(close=True)),
            Command(("return",), lambda _a: Reply()),
            Command(("save",), self._save, takes_args=True),
            Command(("display", "current-configuration"), self._display_current, takes_args=True),
            Command(("display", "saved-configuration"), self._display_saved),
            Command(("display", "version"), self._display_version),
            Command(("display", "clock"), self._display_clock),
            Command(("display", "ntp-service", "status"), self._display_ntp_status),
            Command(("display", "ip", "interface", "brief"), self._display_ip_interface_brief),
        ]

    def greeting(self) -> str:
        now = self._local(utcnow())[0]
        return (
            "Info: The max number of VTY users is 10, and the number\n"
            "      of current VTY users on line is 1.\n"
            f"      The current login time is {now:%Y-%m-%d %H:%M:%S%z}."
        )

    def config_exec(self, words: list[str]) -> Reply | None:
        """``display ...`` and ``save`` also work in system view and its sub-views."""
        if (
            "display".startswith(words[0].lower())
            and len(words[0]) >= 3
            or words[0].lower() == "save"
        ):
            return self.run_exec(" ".join(words))
        return None

    # -- exec commands -------------------------------------------------------------------------
    def _system_view(self, _args: list[str]) -> Reply:
        self.enter_config()
        return Reply("Enter system view, return user view with Ctrl+Z.")

    def _save(self, _args: list[str]) -> Reply:
        def confirm(answer: str) -> Reply:
            if answer.strip().lower() not in ("y", "yes"):
                return Reply("Info: Save canceled.")
            self.device.save()
            return Reply(
                "Now saving the current configuration to the slot 0.\n"
                "Save the configuration successfully."
            )

        self.pending = confirm
        return Reply(
            "The current configuration will be written to the device.\n"
            "Are you sure to continue?[Y/N]:"
        )

    def _display_current(self, _args: list[str]) -> Reply:
        body = self.device.running.render(self.grammar.style)
        stamp = self._stamp(self.device.last_change)
        head = [f"!Software Version {SOFTWARE}", f"!Last configuration was updated at {stamp}"]
        return Reply("\n".join(head + body), kind="config")

    def _display_saved(self, _args: list[str]) -> Reply:
        body = self.device.startup.render(self.grammar.style)
        stamp = self._stamp(self.device.last_saved or self.device.booted_at)
        head = [f"!Software Version {SOFTWARE}", f"!Last configuration was saved at {stamp}"]
        return Reply("\n".join(head + body), kind="config")

    def _display_version(self, _args: list[str]) -> Reply:
        minutes = int((utcnow() - self.device.booted_at).total_seconds() // 60)
        weeks, rest = divmod(minutes, 7 * 1440)
        days, rest = divmod(rest, 1440)
        hours, mins = divmod(rest, 60)
        serial = f"{zlib.crc32(self.device.spec.name.encode()):010d}"
        text = f"""\
Huawei Versatile Routing Platform Software
VRP (R) software, Version 5.170 (S5720 {SOFTWARE})
Copyright (C) 2000-2018 HUAWEI TECH CO., LTD
HUAWEI {MODEL} Routing Switch uptime is {weeks} week, {days} day, {hours} hours, {mins} minutes

ES5D2T28S005 0(Master) : uptime is {weeks} week, {days} day, {hours} hours, {mins} minutes
DDR             Memory Size : 512     M bytes
FLASH Total     Memory Size : 512     M bytes
Pcb           Version : VER B
BootROM       Version : 020a.0001
BootLoad      Version : 020a.0001
Software      Version : VRP (R) Software, Version 5.170 ({SOFTWARE})
Serial number         : 21023580{serial}"""
        return Reply(text, kind="show")

    def _display_clock(self, _args: list[str]) -> Reply:
        now, name = self._local(utcnow())
        offset = now.strftime("%z")
        text = (
            f"{now:%Y-%m-%d %H:%M:%S}{offset[:3]}:{offset[3:]}\n{now:%A}\n"
            f"Time Zone({name}) : UTC{offset[:3]}:{offset[3:]}"
        )
        return Reply(text, kind="show")

    def _display_ntp_status(self, _args: list[str]) -> Reply:
        servers = [
            line.split()[2]
            for line in self.device.running.lines("ntp-service unicast-server")
            if len(line.split()) > 2
        ]
        if not servers:
            text = (
                " clock status: unsynchronized\n clock stratum: 16\n reference clock ID: none\n"
                " nominal frequency: 64.0000 Hz\n actual frequency: 64.0000 Hz\n"
                " clock precision: 2^7\n clock offset: 0.0000 ms\n root delay: 0.00 ms\n"
                " root dispersion: 0.00 ms\n peer dispersion: 0.00 ms\n"
                " reference time: 00:00:00.000 UTC Jan 1 1900(00000000.00000000)\n"
                " synchronization state: clock not set"
            )
            return Reply(text, kind="show")
        offset = (zlib.crc32(self.device.spec.name.encode()) % 4000) / 1000 - 2.0
        ref = utcnow() - timedelta(seconds=33)
        text = (
            f" clock status: synchronized\n clock stratum: 3\n reference clock ID: {servers[0]}\n"
            " nominal frequency: 64.0000 Hz\n actual frequency: 64.0000 Hz\n"
            f" clock precision: 2^7\n clock offset: {offset:.4f} ms\n root delay: 12.34 ms\n"
            " root dispersion: 45.67 ms\n peer dispersion: 1.23 ms\n"
            f" reference time: {ref:%H:%M:%S}.000 UTC {ref:%b} {ref.day} {ref.year}(E9A1B2C3.00000000)\n"
            " synchronization state: clock synchronized"
        )
        return Reply(text, kind="show")

    def _display_ip_interface_brief(self, _args: list[str]) -> Reply:
        lines = [
            "*down: administratively down",
            "(l): loopback",
            "(s): spoofing",
            f"{'Interface':<35}{'IP Address/Mask':<20}{'Physical':<10}Protocol",
        ]
        for block in self.device.running.blocks("interface"):
            name = block.text.split(" ", 1)[1]
            children = [c.text for c in block.children]
            address = next((c.split()[2:4] for c in children if c.startswith("ip address ")), None)
            if address is None:
                continue
            shown = f"{address[0]}/{_prefix_len(address[1])}"
            physical = "*down" if "shutdown" in children else "up"
            lines.append(
                f"{name:<35}{shown:<20}{physical:<10}{'down' if 'shutdown' in children else 'up'}"
            )
        return Reply("\n".join(lines), kind="show")

    # -- helpers ---------------------------------------------------------------------------------
    def _local(self, when: datetime) -> tuple[datetime, str]:
        """``when`` in the ``clock timezone NAME add|minus HH:MM:SS`` zone (UTC when none)."""
        zone = self.device.running.value("clock timezone") or ""
        match = re.fullmatch(r"(\S+) (add|minus) (\d+):(\d+)(?::\d+)?", zone)
        if not match:
            return when.astimezone(timezone.utc), "UTC"
        name, sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return when.astimezone(timezone(delta if sign == "add" else -delta)), name

    def _stamp(self, when: datetime) -> str:
        local = self._local(when)[0]
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M:%S}{offset[:3]}:{offset[3:]}"


def _prefix_len(mask: str) -> int:
    if mask.isdigit():
        return int(mask)
    try:
        return sum(int(octet).bit_count() for octet in mask.split("."))
    except ValueError:
        return 32
