"""The ``file`` channel: each message written into a directory (default ``state/outbox/``).

For offline demos and for offices without a mail server yet: ``format: eml`` writes a
complete RFC 5322 message (open it in any mail client), ``format: txt`` the subject and
text. Files are named ``<UTC time>-<subject slug>.<ext>`` and never overwritten.

```yaml
channels:
  outbox:
    type: file
    directory: state/outbox     # relative to the project
    format: eml                 # eml | txt
    to: [it-team@example.go.th] # only for the To: header of .eml files
```
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from ictops import clock

if TYPE_CHECKING:
    from ictops.notify.channels import Message


class FileChannel(BaseModel):
    """Write each message as a file into ``directory``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: Literal["file"]
    directory: str = "state/outbox"
    format: Literal["eml", "txt"] = "eml"
    sender: str = Field("ictops@localhost", alias="from")
    to: list[str] = Field(default_factory=lambda: ["it-team@localhost"])


def _slug(subject: str) -> str:
    ascii_words = re.findall(r"[A-Za-z0-9]+", subject)
    return "-".join(ascii_words)[:40].lower() or "message"


def write_message(channel: FileChannel, message: Message, project_root: Path) -> Path:
    """Write ``message`` into the channel's directory; return the file written."""
    # imported here: config.py imports this module to know the channel type
    from ictops.notify.channels import DeliveryError, build_email
    from ictops.notify.config import EmailChannel

    folder = Path(channel.directory)
    if not folder.is_absolute():
        folder = project_root / folder
    stamp = clock.compact(micro=True)
    base = f"{stamp}-{_slug(message.subject)}"
    if channel.format == "eml":
        mail = EmailChannel.model_validate(
            {"type": "email", "host": "localhost", "from": channel.sender, "to": channel.to}
        )
        payload = bytes(build_email(mail, message))
    else:
        payload = message.as_text().encode("utf-8") + b"\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1000):
            target = folder / f"{base}{'-' + str(n) if n else ''}.{channel.format}"
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            return target
    except OSError as exc:
        raise DeliveryError(f"cannot write into {folder} ({exc.strerror or exc})") from None
    raise DeliveryError(f"cannot find a free file name in {folder}")
