"""Notify those concerned (step 4 of the work manual): email over SMTP, webhooks, Telegram, LINE."""

from __future__ import annotations

from ictops.notify.config import NotifyConfig, NotifyConfigError, load_config
from ictops.notify.notifier import DeliveryResult, Notifier

__all__ = ["DeliveryResult", "Notifier", "NotifyConfig", "NotifyConfigError", "load_config"]
