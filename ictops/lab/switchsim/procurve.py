"""The simulated HP ProCurve / ArubaOS-Switch command line (2530-24G, YA.16.10), as netmiko's
hp_procurve driver expects it: a copyright banner and "Press any key to continue", the prompt
``HOSTNAME# `` (a space after it), ``no page`` to stop paging, ``configure`` with
``HOSTNAME(config)# `` and contexts such as ``HOSTNAME(vlan-10)# ``, ``write memory``, and a
logout that asks whether to save and whether to log out."""

from __future__ import annotations

import zlib
from datetime import timedelta, timezone
from typing import ClassVar

from ictops.lab.switchsim.cli import Cli, Command, Reply
from ictops.lab.switchsim.device import utcnow

PRODUCT = "J9773A"
MODEL = "2530-24G-PoEP"
RELEASE = "YA.16.10.0009"
PAGE_LINES = 22  # lines of output before "-- MORE --" (a 24-line terminal)
MORE = "-- MORE --, next page: Space, next line: Enter, quit: Control-C"


class ProCurveCli(Cli):
    """A manager-level login: ``HOSTNAME# `` at once (an operator would see ``HOSTNAME> ``)."""

    exit_word = "exit"
    end_word = "end"
    invalid_message = "Invalid input: {line}"
    incomplete_message = "Invalid input: {line}"
    ambiguous_message = "Ambiguous input: {line}"
    press_any_key: ClassVar[bool] = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.privileged = True
        self.page_lines: int | None = PAGE_LINES  # until "no page"

    def exec_commands(self) -> list[Command]:
        return [
            Command(("enable",), lambda _a: Reply()),
            Command(("no", "page"), self._no_page),
            Command(("page",), self._page),
            Command(("terminal",), lambda _a: Reply(), takes_args=True),
            Command(("show", "running-config"), self._show_running, takes_args=True),
            Command(("show", "config"), self._show_startup, takes_args=True),
            Command(("show", "version"), self._show_version),
            Command(("show", "time"), self._show_time),
            Command(("configure",), self._configure, takes_args=True),
            Command(("write", "memory"), self._write),
            Command(("logout",), self._logout),
            Command(("exit",), self._logout),
        ]

    def greeting(self) -> str:
        return (
            f"HP {PRODUCT} {MODEL} Switch\nSoftware revision {RELEASE}\n\n"
            "(C) Copyright 2020 Hewlett Packard Enterprise Development LP\n\n"
            "                   RESTRICTED RIGHTS LEGEND\n"
            " Confidential computer software. Valid license from HPE required for possession,\n"
            " use or copying. Consistent with FAR 12.211 and 12.212, Commercial Computer\n"
            " Software, Computer Software Documentation, and Technical Data for Commercial\n"
            " Items are licensed to the U.S. Government under vendor's standard commercial\n"
            " license.\n\n"
            "We'd like to keep you up to date about:\n"
            "  * Software feature updates\n  * New product announcements\n  * Special events\n\n"
            "Please register your products now at:  www.hpe.com/networking/register\n\n\n"
            "Press any key to continue"
        )

    def after_key(self) -> str:
        """What follows the key press: the scroll region set, the banner motd if any."""
        banner = self.device.running.value("banner motd")
        text = "\x1b[1;24r\x1b[24;1H"
        if banner:
            text += "\n" + banner.strip('"').replace("\\n", "\n") + "\n"
        return text

    # -- config mode -------------------------------------------------------------------------
    def config_exec(self, words: list[str]) -> Reply | None:
        """``show ...`` and ``write memory`` work in every context, as on the device."""
        if "show".startswith(words[0].lower()) and len(words[0]) >= 2 or words[0] == "write":
            return self.run_exec(" ".join(words))
        return None

    # -- exec commands -------------------------------------------------------------------------
    def _no_page(self, _args: list[str]) -> Reply:
        self.page_lines = None
        return Reply()

    def _page(self, _args: list[str]) -> Reply:
        self.page_lines = PAGE_LINES
        return Reply()

    def _configure(self, args: list[str]) -> Reply:
        if args and not "terminal".startswith(args[0].lower()):
            return self.error(self.invalid_message, " ".join(["configure", *args]), 0)
        self.enter_config()
        return Reply()

    def _write(self, _args: list[str]) -> Reply:
        self.device.save()
        return Reply()

    def _logout(self, _args: list[str]) -> Reply:
        def log_out(answer: str) -> Reply:
            if answer.strip().lower().startswith("y"):
                return Reply(close=True)
            return Reply()

        def save_first(answer: str) -> Reply:
            if answer.strip().lower().startswith("y"):
                self.device.save()
            self.pending = log_out
            return Reply("Do you want to log out [y/n]? ")

        if self._unsaved():
            self.pending = save_first
            return Reply("Do you want to save the current configuration [y/n/^C]? ")
        self.pending = log_out
        return Reply("Do you want to log out [y/n]? ")

    def _unsaved(self) -> bool:
        style = self.grammar.style
        return self.device.running.render(style) != self.device.startup.render(style)

    def _show_running(self, _args: list[str]) -> Reply:
        body = self.device.running.render(self.grammar.style)
        return Reply("\n".join(["", "Running configuration:", "", *self._header(), *body]) + "\n",
                     kind="config")

    def _show_startup(self, _args: list[str]) -> Reply:
        body = self.device.startup.render(self.grammar.style)
        return Reply("\n".join(["", "Startup configuration: 1", "", *self._header(), *body]) + "\n",
                     kind="config")

    @staticmethod
    def _header() -> list[str]:
        return [
            f"; {PRODUCT} Configuration Editor; Created on release #{RELEASE}",
            "; Ver #14:01.4c.59.f4.7b.ff.ff.fc.ff.ff.3f.ef:05",
        ]

    def _show_version(self, _args: list[str]) -> Reply:
        build = zlib.crc32(self.device.spec.name.encode()) % 900 + 100
        text = f"""\
Image stamp:    /ws/swbuildm/rel_yakima_qaoff/code/build/lvm(swbuildm_rel_yakima_qaoff_rel_yakima)
                Mar 20 2020 10:47:23
                {RELEASE}
                {build}
Boot Image:     Primary

Boot ROM Version:    YA.15.20
Active Boot ROM:     Primary"""
        return Reply(text, kind="show")

    def _show_time(self, _args: list[str]) -> Reply:
        zone = self.device.running.value("time timezone")
        minutes = int(zone) if zone and zone.lstrip("-").isdigit() else 0
        now = utcnow().astimezone(timezone(timedelta(minutes=minutes)))
        return Reply(f"{now:%a %b} {now.day} {now:%H:%M:%S} {now.year}", kind="show")
