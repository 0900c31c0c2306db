"""The job that makes a password reset link and sends it, by email or SMS,
in the account's language."""

from __future__ import annotations

from uuid import UUID

import dramatiq

from app.i18n import translate
from tenants.context import SYSTEM, Viewer
from tenants.identity import recovery
from tenants.tx import platform_tx
from workers.messaging import once, outbound


@dramatiq.actor(actor_name=recovery.SEND_ACTOR, max_retries=5)
async def send_password_reset(
    reset_id: str, channel: str, identifier: str, request_id: str, source_address: str | None
) -> None:
    """Make the link asked for ``identifier`` and send it by ``channel``;
    nothing when no active account has it, it had its links for this hour, or
    the link was used or has expired, or when a delivery of this message
    already sent it."""
    senders = outbound()
    origin = Viewer(principal=SYSTEM, tenant=None, locale="fr", request_id=request_id, source_address=source_address)
    async with platform_tx() as tx:
        to_send = await recovery.prepare_reset(tx, UUID(reset_id), channel, identifier, origin, senders.link_secret)
    if to_send is None:
        return
    text = translate("auth.PASSWORD_RESET_MESSAGE", to_send.locale, link=senders.link("/password/reset", to_send.token))
    subject = translate("auth.PASSWORD_RESET_SUBJECT", to_send.locale)
    await once(lambda: senders.send(channel, to_send.address, subject, text))
