"""``inventory/notify.yaml``: the notification channels, validated at the door.

```yaml
channels:
  it-team-mail:
    type: email
    host: smtp.example.go.th
    port: 587
    security: starttls          # starttls | ssl | none
    from: ictops@example.go.th
    to: [it-team@example.go.th]
    username: ictops
    password: {env: ICTOPS_SMTP_PASSWORD}
  ops-webhook:
    type: webhook
    url: https://chat.example.go.th/hooks/ictops
    headers: {Authorization: {env: ICTOPS_HOOK_AUTH}}
    body: {text: "{subject}\n{text}"}   # optional; {subject} {text} {html} are filled in
  team-telegram:
    type: telegram
    bot_token: {file: secrets/telegram.token}
    chat_id: "-1001234567890"
  team-line:
    type: line
    channel_access_token: {env: ICTOPS_LINE_TOKEN}
    to: Cxxxxxxxx                 # user, group or room id (LINE Messaging API push)
witness:                          # optional: the audit trail's head, kept outside this machine
  syslog: udp://10.1.0.5:514      # udp:// or tcp://; after every command that wrote to the trail
```
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ictops.errors import InputError, InputErrors
from ictops.notify.filechannel import FileChannel
from ictops.secrets import SecretRef
from ictops.validation import pydantic_errors, suggest
from ictops.yamlfile import load_yaml


class NotifyConfigError(InputError):
    """``notify.yaml`` is invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SecretSpec(_Strict):
    """``{env: NAME}`` or ``{file: PATH}`` (path relative to the project)."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretSpec:
        if bool(self.env) == bool(self.file):
            raise ValueError("a secret is {env: NAME} or {file: PATH}, exactly one of them")
        return self

    def ref(self, source: str) -> SecretRef:
        return SecretRef(env=self.env, file=self.file, source=source)


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"url {value!r} must start with https:// (or http://)")
    return value


class EmailChannel(_Strict):
    """Mail over SMTP."""

    type: Literal["email"]
    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    username: str | None = None
    password: SecretSpec | None = None
    timeout: float = Field(20.0, gt=0)

    @model_validator(mode="after")
    def _password_with_username(self) -> EmailChannel:
        if self.password and not self.username:
            raise ValueError("password given without username; add username: or drop password:")
        return self


class WebhookChannel(_Strict):
    """A generic HTTP(S) POST with a JSON body."""

    type: Literal["webhook"]
    url: str
    headers: dict[str, Union[str, SecretSpec]] = Field(default_factory=dict)
    body: dict[str, Any] | None = None
    timeout: float = Field(20.0, gt=0)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _http_url(value)


class TelegramChannel(_Strict):
    """Telegram Bot API sendMessage (a webhook preset)."""

    type: Literal["telegram"]
    bot_token: SecretSpec
    chat_id: Union[int, str]
    api_url: str = "https://api.telegram.org"
    timeout: float = Field(20.0, gt=0)

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _http_url(value)


class LineChannel(_Strict):
    """LINE Messaging API push message (a webhook preset; LINE Notify closed in 2025)."""

    type: Literal["line"]
    channel_access_token: SecretSpec
    to: str
    api_url: str = "https://api.line.me/v2/bot/message/push"
    timeout: float = Field(20.0, gt=0)

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _http_url(value)


class WitnessSettings(_Strict):
    """Where the trail's head goes after every command that wrote to the trail."""

    syslog: str | None = None
    timeout: float = Field(5.0, gt=0)

    @field_validator("syslog")
    @classmethod
    def _check_syslog(cls, value: str | None) -> str | None:
        if value is not None:
            syslog_address(value)
        return value


def syslog_address(url: str) -> tuple[str, str, int]:
    """(protocol, host, port) of ``udp://host:514`` or ``tcp://host:port``; ValueError if not."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("udp", "tcp") or not parts.hostname:
        raise ValueError(f"syslog {url!r} must be udp://HOST[:PORT] or tcp://HOST[:PORT]")
    try:
        port = parts.port or 514
    except ValueError:
        raise ValueError(f"syslog {url!r}: the port must be a number 1-65535") from None
    return parts.scheme, parts.hostname, port


ChannelModel = Union[EmailChannel, WebhookChannel, TelegramChannel, LineChannel, FileChannel]
CHANNEL_TYPES: dict[str, type[BaseModel]] = {
    "email": EmailChannel,
    "webhook": WebhookChannel,
    "telegram": TelegramChannel,
    "line": LineChannel,
    "file": FileChannel,
}


@dataclass(frozen=True)
class NotifyConfig:
    """All channels, by name, in file order."""

    channels: dict[str, ChannelModel]
    source: str = ""
    witness: WitnessSettings = WitnessSettings()


def load_config(path: Path, shown_as: str | None = None) -> NotifyConfig:
    """Read and validate ``path``; NotifyConfigError (file:line: ...) when it is wrong."""
    doc = load_yaml(path, shown_as, NotifyConfigError)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping with a 'channels:' key", NotifyConfigError)
    unknown = [k for k in data if k not in ("channels", "witness")]
    if unknown:
        raise doc.error(
            (unknown[0],),
            f"unknown key '{unknown[0]}'{suggest(str(unknown[0]), ['channels', 'witness'])}; "
            "the file holds a 'channels:' mapping and an optional 'witness:'",
            NotifyConfigError,
        )
    raw = data.get("channels") or {}
    if not isinstance(raw, dict):
        raise doc.error(
            ("channels",), "'channels' must be a mapping: name -> channel", NotifyConfigError
        )
    channels: dict[str, ChannelModel] = {}
    errors: list[InputError] = []
    for name, spec in raw.items():
        where = ("channels", name)
        what = f"channel '{name}'"
        if not isinstance(spec, dict):
            errors.append(
                doc.error(where, f"{what}: expected a mapping of settings", NotifyConfigError)
            )
            continue
        kind = spec.get("type")
        model = CHANNEL_TYPES.get(str(kind)) if kind is not None else None
        if model is None:
            hint = suggest(str(kind), list(CHANNEL_TYPES)) if kind else ""
            problem = f"unknown type '{kind}'{hint}" if kind else "'type:' is missing"
            errors.append(
                doc.error(
                    where + (("type",) if kind else ()),
                    f"{what}: {problem}; use one of {', '.join(CHANNEL_TYPES)}",
                    NotifyConfigError,
                )
            )
            continue
        try:
            channels[str(name)] = model.model_validate(spec)  # type: ignore[assignment]
        except ValidationError as exc:
            errors.extend(pydantic_errors(exc, model, doc, where, what, NotifyConfigError))
    witness = WitnessSettings()
    if data.get("witness") is not None:
        try:
            witness = WitnessSettings.model_validate(data["witness"])
        except ValidationError as exc:
            errors.extend(pydantic_errors(exc, WitnessSettings, doc, ("witness",), "witness",
                                          NotifyConfigError))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return NotifyConfig(channels=channels, source=doc.file, witness=witness)
