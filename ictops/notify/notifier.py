"""Send one message to every configured channel; one failing channel never stops the others."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ictops.notify.channels import Message, deliver
from ictops.notify.config import ChannelModel, NotifyConfig, SecretSpec, load_config
from ictops.notify.filechannel import FileChannel, write_message
from ictops.secrets import MASK

log = logging.getLogger("ictops.notify")


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome on one channel. ``error`` is empty when ``ok``; it never holds a secret."""

    channel: str
    ok: bool
    error: str = ""
    type: str = ""


class Notifier:
    """The configured channels of a project (``inventory/notify.yaml``)."""

    def __init__(self, config: NotifyConfig, project_root: str | os.PathLike[str]):
        self.config = config
        self.project_root = Path(project_root)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], project_root: str | os.PathLike[str]
    ) -> Notifier:
        """Load and validate the channels file; NotifyConfigError (file:line) when it is wrong."""
        root = Path(project_root)
        file = Path(path)
        if not file.is_absolute():
            file = root / file
        try:
            shown = str(file.resolve().relative_to(root.resolve()))
        except ValueError:
            shown = str(file)
        return cls(load_config(file, shown), root)

    @property
    def channel_names(self) -> list[str]:
        return list(self.config.channels)

    def send(
        self,
        subject: str,
        text_th: str,
        html: str | None = None,
        attachments: Sequence[str | os.PathLike[str]] = (),
        only: Iterable[str] | None = None,
    ) -> list[DeliveryResult]:
        """Send to all channels (or the ``only`` ones) at once; one result per channel, in order."""
        message = Message(subject, text_th, html, tuple(Path(a) for a in attachments))
        wanted = set(only) if only is not None else None
        targets = [(n, c) for n, c in self.config.channels.items() if wanted is None or n in wanted]
        if not targets:
            return []
        with ThreadPoolExecutor(
            max_workers=min(8, len(targets)), thread_name_prefix="notify"
        ) as pool:
            futures = [pool.submit(self._send_one, name, ch, message) for name, ch in targets]
            return [f.result() for f in futures]

    def _send_one(self, name: str, channel: ChannelModel, message: Message) -> DeliveryResult:
        secrets: list[str] = []
        lock = threading.Lock()

        def resolve(spec: SecretSpec, key: str) -> str:
            value = spec.ref(f"{self.config.source}: channel '{name}' {key}").resolve(
                self.project_root
            )
            with lock:
                secrets.append(value)
            return value

        try:
            if isinstance(channel, FileChannel):
                write_message(channel, message, self.project_root)
            else:
                deliver(channel, message, resolve)
        except Exception as exc:  # noqa: BLE001 - any failure is this channel's result
            error = _scrub(str(exc) or type(exc).__name__, secrets)
            log.warning("notification via %s (%s) failed: %s", name, channel.type, error)
            return DeliveryResult(name, False, error, channel.type)
        log.info("notification sent via %s (%s)", name, channel.type)
        return DeliveryResult(name, True, "", channel.type)


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value (longest first) by the mask."""
    for value in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
