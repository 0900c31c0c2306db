"""Sending SMS. The sender is chosen by `SOCLE_SMS_SENDER`; the default,
`log`, writes each message to the log (for the demo and tests) until an
operator's gateway is plugged in."""

from __future__ import annotations

from typing import Protocol

import structlog

from app.settings import Settings

log = structlog.get_logger("socle.sms")


class SmsSender(Protocol):
    """Something that delivers a text message to a phone number."""

    async def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` (E.164)."""


class LogSmsSender:
    """Writes messages to the log instead of sending them."""

    async def send(self, phone: str, text: str) -> None:
        log.info("sms.sent", phone=phone, text=text)


def make_sms_sender(settings: Settings) -> SmsSender:
    """The sender ``SOCLE_SMS_SENDER`` names."""
    return LogSmsSender()
