"""Delivery over each channel type: SMTP (smtplib) and HTTPS JSON POST (urllib).

Telegram (Bot API sendMessage) and LINE (Messaging API push) are webhook presets: a URL,
headers and a JSON body, sent with the standard library; no extra dependency.
"""

from __future__ import annotations

import json
import mimetypes
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Callable

from ictops.notify.config import (
    ChannelModel,
    EmailChannel,
    LineChannel,
    SecretSpec,
    TelegramChannel,
    WebhookChannel,
)

TELEGRAM_MAX_CHARS = 4096
LINE_MAX_CHARS = 5000
USER_AGENT = "ictops-notify/1"

Resolve = Callable[[SecretSpec, str], str]  # (secret spec, "which field") -> value


class DeliveryError(Exception):
    """A channel refused or could not take the message (text never holds a secret)."""


@dataclass(frozen=True)
class Message:
    """What is sent: a subject, plain Thai text, optional HTML and files."""

    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Path, ...] = field(default_factory=tuple)

    def as_text(self) -> str:
        """Subject and text in one block, for chat channels."""
        return f"{self.subject}\n\n{self.text}" if self.subject else self.text


@dataclass(frozen=True)
class HttpRequest:
    """One JSON POST. ``url`` and ``headers`` may hold secrets: never show them."""

    url: str
    headers: dict[str, str]
    body: Any
    timeout: float


def deliver(channel: ChannelModel, message: Message, resolve: Resolve) -> None:
    """Send ``message`` over ``channel``; DeliveryError (or OSError) when it fails."""
    if isinstance(channel, EmailChannel):
        send_email(channel, message, resolve)
    else:
        post_json(http_request(channel, message, resolve))


def build_email(channel: EmailChannel, message: Message) -> EmailMessage:
    """The MIME message: UTF-8 text (+ HTML alternative) and attachments; Thai headers RFC 2047."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.to)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=channel.sender.rpartition("@")[2] or None)
    mail.set_content(message.text, charset="utf-8")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    for path in message.attachments:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DeliveryError(f"attachment {path} cannot be read ({exc.strerror})") from None
        ctype, encoding = mimetypes.guess_type(path.name)
        if ctype is None or encoding is not None:
            ctype = "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    return mail


def send_email(channel: EmailChannel, message: Message, resolve: Resolve) -> None:
    """Send over SMTP, with STARTTLS, implicit TLS or plain, and login when configured."""
    mail = build_email(channel, message)
    password = resolve(channel.password, "password") if channel.password else None
    context = ssl.create_default_context()
    try:
        if channel.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                channel.host, channel.port, timeout=channel.timeout, context=context
            )
        else:
            client = smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout)
        with client:
            if channel.security == "starttls":
                client.starttls(context=context)
            if channel.username and password is not None:
                client.login(channel.username, password)
            refused = client.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP login as {channel.username} refused ({exc.smtp_code})") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP error from {channel.host}:{channel.port}: {exc}") from None
    except OSError as exc:
        raise DeliveryError(
            f"cannot reach SMTP server {channel.host}:{channel.port} ({exc.strerror or exc})"
        ) from None
    if refused:
        raise DeliveryError(f"SMTP server refused recipients: {', '.join(sorted(refused))}")


def http_request(channel: ChannelModel, message: Message, resolve: Resolve) -> HttpRequest:
    """The POST for a webhook, Telegram or LINE channel."""
    if isinstance(channel, WebhookChannel):
        headers = {
            name: resolve(value, f"headers.{name}") if isinstance(value, SecretSpec) else value
            for name, value in channel.headers.items()
        }
        fields = {"subject": message.subject, "text": message.text, "html": message.html or ""}
        body = (
            _fill(channel.body, fields)
            if channel.body is not None
            else {
                "subject": message.subject,
                "text": message.text,
            }
        )
        return HttpRequest(channel.url, headers, body, channel.timeout)
    if isinstance(channel, TelegramChannel):
        token = resolve(channel.bot_token, "bot_token")
        return HttpRequest(
            f"{channel.api_url.rstrip('/')}/bot{token}/sendMessage",
            {},
            {
                "chat_id": channel.chat_id,
                "text": _clip(message.as_text(), TELEGRAM_MAX_CHARS),
                "disable_web_page_preview": True,
            },
            channel.timeout,
        )
    if isinstance(channel, LineChannel):
        token = resolve(channel.channel_access_token, "channel_access_token")
        return HttpRequest(
            channel.api_url,
            {"Authorization": f"Bearer {token}"},
            {
                "to": channel.to,
                "messages": [{"type": "text", "text": _clip(message.as_text(), LINE_MAX_CHARS)}],
            },
            channel.timeout,
        )
    raise TypeError(f"not an HTTP channel: {type(channel).__name__}")


def post_json(request: HttpRequest) -> None:
    """POST the JSON body; DeliveryError unless the answer is 2xx. Errors never show the URL."""
    data = json.dumps(request.body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    headers.update(request.headers)
    req = urllib.request.Request(request.url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=request.timeout) as response:  # noqa: S310
            response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        raise DeliveryError(
            f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
        ) from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"cannot reach {_host_of(request.url)} ({exc.reason})") from None
    except OSError as exc:  # timeouts, resets
        raise DeliveryError(f"connection to {_host_of(request.url)} failed ({exc})") from None


def _host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc.rpartition("@")[2]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fill(template: Any, fields: dict[str, str]) -> Any:
    """Replace {subject}, {text}, {html} in every string of a JSON body template."""
    if isinstance(template, str):
        for key, value in fields.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, list):
        return [_fill(item, fields) for item in template]
    if isinstance(template, dict):
        return {key: _fill(value, fields) for key, value in template.items()}
    return template
