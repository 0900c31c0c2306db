"""The job that sends a password reset link, by email or SMS, in the
account's language."""

from __future__ import annotations

from uuid import UUID

import dramatiq

from app.i18n import translate
from tenants.identity import recovery
from tenants.tx import platform_tx
from workers.messaging import once, outbound


@dramatiq.actor(actor_name=recovery.SEND_ACTOR, max_retries=5)
async def send_password_reset(reset_id: str, channel: str) -> None:
    """Send the reset's link; nothing once it was used or has expired, or
    when a delivery of this message already sent it."""
    senders = outbound()
    async with platform_tx() as tx:
        to_send = await recovery.reset_to_send(tx, UUID(reset_id), channel, senders.link_secret)
    if to_send is None:
        return
    text = translate("auth.PASSWORD_RESET_MESSAGE", to_send.locale, link=senders.link("/password/reset", to_send.token))
    subject = translate("auth.PASSWORD_RESET_SUBJECT", to_send.locale)
    await once(lambda: senders.send(channel, to_send.address, subject, text))
