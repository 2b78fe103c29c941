"""The simulated Cisco IOS command line (Catalyst 2960-X, IOS 15.2(7)E)."""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta, timezone

from ictops.lab.switchsim.cli import Cli, Command, Reply
from ictops.lab.switchsim.device import utcnow

MODEL = "WS-C2960X-24TS-L"
VERSION = "15.2(7)E"


class IosCli(Cli):
    """``HOSTNAME>`` / ``HOSTNAME#`` / ``HOSTNAME(config)#`` as netmiko's cisco_ios driver expects."""

    exit_word = "exit"
    end_word = "end"
    invalid_message = "% Invalid input detected at '^' marker."
    incomplete_message = "% Incomplete command."
    ambiguous_message = '% Ambiguous command:  "{line}"'

    def exec_commands(self) -> list[Command]:
        return [
            Command(("enable",), self._enable, takes_args=True),
            Command(("disable",), self._disable),
            Command(("exit",), lambda _a: Reply(close=True)),
            Command(("logout",), lambda _a: Reply(close=True)),
            Command(("quit",), lambda _a: Reply(close=True)),
            Command(("terminal",), lambda _a: Reply(), takes_args=True),
            Command(("show", "privilege"), self._show_privilege),
            Command(("show", "version"), self._show_version),
            Command(("show", "clock"), self._show_clock),
            Command(("show", "ntp", "status"), self._show_ntp_status),
            Command(("show", "ntp", "associations"), self._show_ntp_associations),
            Command(("show", "ip", "interface", "brief"), self._show_ip_interface_brief),
            Command(("show", "ip", "ssh"), self._show_ip_ssh),
            Command(
                ("show", "running-config"), self._show_running, privileged=True, takes_args=True
            ),
            Command(("show", "startup-config"), self._show_startup, privileged=True),
            Command(("configure", "terminal"), self._configure, privileged=True),
            Command(("write",), self._write, privileged=True),
            Command(("write", "memory"), self._write, privileged=True),
            Command(("copy", "running-config", "startup-config"), self._copy, privileged=True),
        ]

    def greeting(self) -> str:
        banner = self.device.running.lines("banner motd")
        return _banner_text(banner[0]) if banner else ""

    # -- config-mode hooks -----------------------------------------------------------------
    def config_exec(self, words: list[str]) -> Reply | None:
        if words[0].lower() != "do" or len(words) < 2:
            return None
        was, self.privileged = self.privileged, True
        try:
            return self.run_exec(" ".join(words[1:]))
        finally:
            self.privileged = was

    def config_special(self, line: str) -> Reply | None:
        match = re.match(r"banner (motd|login|exec) (\^C|\S)(.*)$", line)
        if not match:
            return None
        kind, delimiter, rest = match.groups()
        if delimiter in rest:
            body = rest[: rest.index(delimiter)]
            self.device.set_line((), f"banner {kind} ^C{body}^C", self.username)
            return Reply()
        collected = [rest] if rest else []

        def more(raw: str) -> Reply:
            if delimiter in raw:
                collected.append(raw[: raw.index(delimiter)])
                text = "\n".join(collected)
                self.device.set_line(
                    (), f"banner {kind} ^C\n{text}\n^C".replace("\n\n^C", "\n^C"), self.username
                )
                return Reply()
            collected.append(raw)
            self.pending = more
            return Reply()

        self.pending = more
        return Reply(f"Enter TEXT message.  End with the character '{delimiter}'.")

    # -- exec commands -------------------------------------------------------------------------
    def _enable(self, _args: list[str]) -> Reply:
        if self.privileged:
            return Reply()

        def check(secret: str) -> Reply:
            if secret == self.device.spec.enable_secret:
                self.privileged = True
                return Reply()
            return Reply("% Access denied")

        self.pending = check
        return Reply("Password: ", echo=False)

    def _disable(self, _args: list[str]) -> Reply:
        self.privileged = False
        return Reply()

    def _configure(self, _args: list[str]) -> Reply:
        self.enter_config()
        return Reply("Enter configuration commands, one per line.  End with CNTL/Z.")

    def _write(self, _args: list[str]) -> Reply:
        self.device.save()
        return Reply("Building configuration...\n[OK]")

    def _copy(self, _args: list[str]) -> Reply:
        def confirm(_answer: str) -> Reply:
            return self._write([])

        self.pending = confirm
        return Reply("Destination filename [startup-config]? ")

    def _show_privilege(self, _args: list[str]) -> Reply:
        return Reply(f"Current privilege level is {15 if self.privileged else 1}", kind="show")

    def _show_running(self, _args: list[str]) -> Reply:
        body = self.device.running.render(self.grammar.style)
        size = len("\n".join(body))
        stamp = self._stamp(self.device.last_change)
        head = [
            "Building configuration...",
            "",
            f"Current configuration : {size} bytes",
            "!",
            f"! Last configuration change at {stamp} by {self.device.last_change_by}",
        ]
        return Reply("\n".join(head + body) + "\n", kind="config")

    def _show_startup(self, _args: list[str]) -> Reply:
        body = self.device.startup.render(self.grammar.style)
        size = len("\n".join(body))
        saved = self.device.last_saved or self.device.booted_at
        head = [
            f"Using {size} out of 524288 bytes",
            "!",
            f"! Last configuration change at {self._stamp(saved)} by {self.username}",
            f"! NVRAM config last updated at {self._stamp(saved)} by {self.username}",
        ]
        return Reply("\n".join(head + body) + "\n", kind="config")

    def _show_version(self, _args: list[str]) -> Reply:
        dev = self.device
        serial = f"FOC{zlib.crc32(dev.spec.name.encode()) % 10**8:08d}"
        text = f"""\
Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version {VERSION}, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2019 by Cisco Systems, Inc.
Compiled Wed 27-Feb-19 00:44 by prod_rel_team

ROM: Bootstrap program is C2960X boot loader
BOOTLDR: C2960X Boot Loader (C2960X-HBOOT-M) Version 15.2(7r)E, RELEASE SOFTWARE (fc1)

{dev.hostname} uptime is {_uptime(dev.booted_at)}
System returned to ROM by power-on
System restarted at {self._stamp(dev.booted_at)}
System image file is "flash:c2960x-universalk9-mz.152-7.E.bin"
Last reload reason: power-on

cisco {MODEL} (APM86XXX) processor (revision D0) with 524288K bytes of memory.
Processor board ID {serial}
Last reset from power-on
1 Virtual Ethernet interface
28 Gigabit Ethernet interfaces
The password-recovery mechanism is enabled.

512K bytes of flash-simulated non-volatile configuration memory.
Model number                    : {MODEL}
System serial number            : {serial}

Switch Ports Model                     SW Version            SW Image
------ ----- -----                     ----------            ----------
*    1 28    {MODEL:<25} {VERSION:<21} C2960X-UNIVERSALK9-M


Configuration register is 0xF
"""
        return Reply(text, kind="show")

    def _show_clock(self, _args: list[str]) -> Reply:
        now, name = self._local(utcnow())
        mark = "" if self._ntp_servers() else "*"
        text = f"{mark}{now:%H:%M:%S}.{now.microsecond // 1000:03d} {name} {now:%a %b} {now.day} {now.year}"
        return Reply(text, kind="show")

    def _show_ntp_status(self, _args: list[str]) -> Reply:
        servers = self._ntp_servers()
        if not servers:
            return Reply("%NTP is not enabled.", kind="show")
        offset = _offset_ms(self.device.spec.name)
        text = f"""\
Clock is synchronized, stratum 3, reference is {servers[0]}
nominal freq is 286.1023 Hz, actual freq is 286.1020 Hz, precision is 2**21
ntp uptime is 1234500 (1/100 of seconds), resolution is 3496
reference time is E9A1B2C3.4D5E6F70 ({self._stamp(utcnow() - timedelta(seconds=33))})
clock offset is {offset:.4f} msec, root delay is 12.34 msec
root dispersion is 45.67 msec, peer dispersion is 1.23 msec
loopfilter state is 'CTRL' (Normal Controlled Loop), drift is 0.000001234 s/s
system poll interval is 64, last update was 33 sec ago."""
        return Reply(text, kind="show")

    def _show_ntp_associations(self, _args: list[str]) -> Reply:
        lines = ["  address         ref clock       st   when   poll reach  delay  offset   disp"]
        offset = _offset_ms(self.device.spec.name)
        for i, server in enumerate(self._ntp_servers()):
            mark = "*~" if i == 0 else "+~"
            lines.append(
                f"{mark}{server:<16}.GPS.            1     33     64   377 12.345  {offset:6.3f}  1.890"
            )
        lines.append(" * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured")
        return Reply("\n".join(lines), kind="show")

    def _show_ip_interface_brief(self, _args: list[str]) -> Reply:
        lines = [f"{'Interface':<27}{'IP-Address':<16}OK? Method Status                Protocol"]
        for block in self.device.running.blocks("interface"):
            name = block.text.split(" ", 1)[1]
            children = [c.text for c in block.children]
            address = next(
                (c.split()[2] for c in children if c.startswith("ip address ")), "unassigned"
            )
            method = "manual" if address != "unassigned" else "unset"
            if "shutdown" in children:
                status, protocol = "administratively down", "down"
            elif name.startswith("Vlan") or any(c.startswith("description") for c in children):
                status, protocol = "up", "up"
            else:
                status, protocol = "down", "down"
            lines.append(f"{name:<27}{address:<16}YES {method:<7}{status:<22}{protocol}")
        return Reply("\n".join(lines), kind="show")

    def _show_ip_ssh(self, _args: list[str]) -> Reply:
        version = "2.0" if self.device.running.value("ip ssh version") == "2" else "1.99"
        text = f"""\
SSH Enabled - version {version}
Authentication methods:publickey,keyboard-interactive,password
Authentication Publickey Algorithms:x509v3-ssh-rsa,ssh-rsa
Hostkey Algorithms:x509v3-ssh-rsa,ssh-rsa
Encryption Algorithms:aes128-ctr,aes192-ctr,aes256-ctr
MAC Algorithms:hmac-sha2-256,hmac-sha2-512,hmac-sha1
Authentication timeout: 120 secs; Authentication retries: 3
Minimum expected Diffie Hellman key size : 2048 bits"""
        return Reply(text, kind="show")

    # -- helpers ---------------------------------------------------------------------------------
    def _ntp_servers(self) -> list[str]:
        return [
            line.split()[2]
            for line in self.device.running.lines("ntp server")
            if len(line.split()) > 2
        ]

    def _local(self, when: datetime) -> tuple[datetime, str]:
        """``when`` in the device's ``clock timezone`` (UTC when none is set)."""
        zone = (self.device.running.value("clock timezone") or "").split()
        if len(zone) >= 2 and re.fullmatch(r"-?\d+", zone[1]):
            minutes = int(zone[2]) if len(zone) > 2 and zone[2].isdigit() else 0
            hours = int(zone[1])
            delta = timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes)
            return when.astimezone(timezone(delta)), zone[0]
        return when.astimezone(timezone.utc), "UTC"

    def _stamp(self, when: datetime) -> str:
        local, name = self._local(when)
        return f"{local:%H:%M:%S} {name} {local:%a %b} {local.day} {local.year}"


def _banner_text(line: str) -> str:
    return line.split("^C", 1)[1].rsplit("^C", 1)[0].strip("\n") if "^C" in line else ""


def _uptime(since: datetime) -> str:
    minutes = int((utcnow() - since).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} day{'s' * (days != 1)}"] if days else []
    if hours or days:
        parts.append(f"{hours} hour{'s' * (hours != 1)}")
    parts.append(f"{mins} minute{'s' * (mins != 1)}")
    return ", ".join(parts)


def _offset_ms(name: str) -> float:
    """A small, stable clock offset per device (milliseconds)."""
    return (zlib.crc32(name.encode()) % 4000) / 1000 - 2.0
