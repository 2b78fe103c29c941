"""notify.yaml validation: one file:line error per problem, with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.errors import InputError
from ictops.notify import Notifier, NotifyConfigError, load_config
from ictops.notify.channels import Message, build_email, http_request
from ictops.notify.config import EmailChannel, WebhookChannel

GOOD = """\
channels:
  mail:
    type: email
    host: smtp.example.go.th
    from: ictops@example.go.th
    to: [it@example.go.th]
    username: ictops
    password: {env: SMTP_PW}
  hook:
    type: webhook
    url: https://chat.example.go.th/hook
    headers: {Authorization: {file: secrets/hook.txt}, X-Team: ict}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    mail, hook = config.channels.values()
    assert isinstance(mail, EmailChannel) and mail.port == 587 and mail.security == "starttls"
    assert isinstance(hook, WebhookChannel)
    assert "SMTP_PW" in repr(mail.password)


@pytest.mark.parametrize(
    "text, line, words",
    [
        (
            GOOD.replace("    host: smtp", "    hots: smtp"),
            4,
            ["unknown key 'hots'", "did you mean 'host'"],
        ),
        (
            GOOD.replace("    type: webhook", "    type: webhok"),
            10,
            ["unknown type 'webhok'", "webhook"],
        ),
        (GOOD.replace("    to: [it@example.go.th]\n", ""), 2, ["channel 'mail'", "'to'"]),
        (GOOD.replace("url: https://", "url: ftp://"), 11, ["must start with https://"]),
        (GOOD.replace("{env: SMTP_PW}", "{env: A, file: b}"), 8, ["exactly one"]),
        (
            GOOD.replace("channels:", "chanels:"),
            1,
            ["unknown key 'chanels'", "did you mean 'channels'"],
        ),
        (GOOD + "  bad: [\n", 14, ["YAML"]),
        ("witness:\n  syslog: 10.1.0.5:514\n" + GOOD, 2, ["must be udp://HOST[:PORT] or tcp://"]),
        ("witness:\n  syslg: udp://10.1.0.5\n" + GOOD, 2, ["unknown key 'syslg'", "did you mean 'syslog'"]),
        ("witnes:\n  syslog: udp://h\n" + GOOD, 1, ["unknown key 'witnes'", "did you mean 'witness'"]),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_config(path, "inventory/notify.yaml")
    prefix = f"inventory/notify.yaml:{line}: "
    matching = [m for m in str(info.value).splitlines() if m.startswith(prefix)]
    assert matching, str(info.value)
    assert all(word in matching[0] for word in words), matching[0]


def test_witness_syslog_setting(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "witness:\n  syslog: tcp://10.1.0.5:1514\n" + GOOD))
    assert config.witness.syslog == "tcp://10.1.0.5:1514" and config.witness.timeout == 5.0
    assert load_config(_write(tmp_path, GOOD)).witness.syslog is None


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(NotifyConfigError, match="not found"):
        Notifier.from_file("inventory/notify.yaml", tmp_path)


def test_email_headers_are_encoded(tmp_path: Path) -> None:
    channel = load_config(_write(tmp_path, GOOD)).channels["mail"]
    assert isinstance(channel, EmailChannel)
    mail = build_email(channel, Message("รายงานประจำวัน", "ข้อความภาษาไทย"))
    raw = mail.as_bytes()
    assert b"Subject: =?utf-8?" in raw
    assert "ข้อความภาษาไทย".encode() not in raw.split(b"\n\n", 1)[0]


def test_webhook_secret_header_resolved_only_at_send(tmp_path: Path) -> None:
    channel = load_config(_write(tmp_path, GOOD)).channels["hook"]
    request = http_request(channel, Message("s", "t"), lambda spec, key: f"<{spec.file}:{key}>")
    assert request.headers == {
        "Authorization": "<secrets/hook.txt:headers.Authorization>",
        "X-Team": "ict",
    }
    assert request.body == {"subject": "s", "text": "t"}
