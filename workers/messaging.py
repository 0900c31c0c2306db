"""Messages to people: SMS (sign-in codes, invitations) and email
(invitations). Senders are chosen by `SOCLE_SMS_SENDER` and
`SOCLE_MAIL_SENDER`; the default, `log`, writes each message to the log (for
the demo and tests) until an operator's gateway is plugged in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode
from uuid import UUID

import structlog
from dramatiq.middleware import CurrentMessage

from app.settings import Environment, Settings, SettingsError
from tenants import deliveries

log = structlog.get_logger("socle.messaging")


class SmsSender(Protocol):
    """Something that delivers a text message to a phone number."""

    async def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` (E.164)."""


class MailSender(Protocol):
    """Something that delivers an email."""

    async def send(self, address: str, subject: str, text: str) -> None:
        """Deliver a plain-text email to ``address``."""


class LogSmsSender:
    """Writes text messages to the log instead of sending them."""

    async def send(self, phone: str, text: str) -> None:
        log.info("sms.sent", phone=phone, text=text)


class LogMailSender:
    """Writes emails to the log instead of sending them."""

    async def send(self, address: str, subject: str, text: str) -> None:
        log.info("mail.sent", address=address, subject=subject, text=text)


def check_senders(settings: Settings) -> None:
    """Refuse the `log` senders in production: they would write sign-in codes
    and reset links, which open accounts, to the log."""
    if settings.env is not Environment.PRODUCTION:
        return
    for name, sender in (("SMS_SENDER", settings.sms_sender), ("MAIL_SENDER", settings.mail_sender)):
        if sender == "log":
            raise SettingsError(
                f"invalid setting SOCLE_{name}: `log` writes sign-in codes and links to the log and is refused "
                "when SOCLE_ENV=production; Socle has no other sender yet: plug an operator's gateway into "
                "workers/messaging.py"
            )


def make_sms_sender(settings: Settings) -> SmsSender:
    """The sender ``SOCLE_SMS_SENDER`` names."""
    return LogSmsSender()


def make_mail_sender(settings: Settings) -> MailSender:
    """The sender ``SOCLE_MAIL_SENDER`` names."""
    return LogMailSender()


@dataclass(frozen=True)
class Outbound:
    """How Socle reaches people: the senders, the address links point to and
    the key the tokens in those links derive from."""

    sms: SmsSender
    mail: MailSender
    public_url: str
    link_secret: str
    """Socle's secret key: links' tokens and sign-in codes derive from it."""

    def link(self, path: str, token: str) -> str:
        """A link to Socle carrying ``token``. The token rides in the query
        string, which Socle's access log leaves out."""
        return f"{self.public_url}{path}?{urlencode({'token': token})}"

    async def send(self, channel: str, address: str, subject: str, text: str) -> None:
        """Send ``text`` by ``channel`` (``email``, with ``subject``, or ``phone``)."""
        if channel == "email":
            await self.mail.send(address, subject, text)
        else:
            await self.sms.send(address, text)


_outbound: Outbound | None = None


def configure(settings: Settings) -> Outbound:
    """Make this process's senders from ``settings``; requests and jobs share them."""
    global _outbound
    check_senders(settings)
    _outbound = Outbound(
        sms=make_sms_sender(settings),
        mail=make_mail_sender(settings),
        public_url=settings.public_address,
        link_secret=settings.secret(),
    )
    return _outbound


def outbound() -> Outbound:
    """The senders :func:`configure` made (when the process's runtime was built)."""
    if _outbound is None:
        raise RuntimeError("messaging is not configured: build the runtime first")
    return _outbound


async def once(send: Callable[[], Awaitable[None]]) -> bool:
    """Run ``send`` unless a delivery of the current job message already did
    (delivery is at least once); return whether this one sent.

    The job's message id is its outbox row id, so a job relayed twice is
    recognised too.
    """
    message = CurrentMessage.get_current_message()
    if message is None:
        raise RuntimeError("messaging.once runs inside an actor, under the CurrentMessage middleware")
    return await deliveries.once(UUID(message.message_id), message.actor_name, send)
