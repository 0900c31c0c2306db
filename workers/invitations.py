"""The job that sends an invitation's link, by email or SMS, in the
invitee's language."""

from __future__ import annotations

from uuid import UUID

import dramatiq

from app.i18n import translate
from tenants.context import SYSTEM
from tenants.invitations import service as invitations
from tenants.registry import service as tenant_service
from tenants.tx import platform_tx, tenant_tx
from workers.messaging import once, outbound

_DATE_FORMATS = {"fr": "%d/%m/%Y", "en": "%Y-%m-%d"}


@dramatiq.actor(actor_name=invitations.SEND_ACTOR, max_retries=5)
async def send_invitation(tenant_id: str, invitation_id: str) -> None:
    """Send the invitation's current link; nothing once it is no longer
    pending, or when a delivery of this message already sent it. Sent again
    (a resend), it sends the same link."""
    senders = outbound()
    async with platform_tx() as tx:
        ctx = await tenant_service.context_for(tx, SYSTEM, UUID(tenant_id))
    async with tenant_tx(ctx) as tx:
        delivery = await invitations.delivery(tx, ctx, UUID(invitation_id), senders.link_secret)
    if delivery is None:
        return
    locale = delivery.locale
    text = translate(
        "invitations.MESSAGE",
        locale,
        tenant=delivery.tenant_name,
        expires=delivery.expires_at.strftime(_DATE_FORMATS.get(locale, _DATE_FORMATS["fr"])),
        link=senders.link("/invitations/accept", delivery.token),
    )
    subject = translate("invitations.SUBJECT", locale, tenant=delivery.tenant_name)
    if await once(lambda: senders.send(delivery.contact.column, delivery.contact.value, subject, text)):
        async with tenant_tx(ctx) as tx:
            await invitations.mark_sent(tx, ctx, UUID(invitation_id), delivery.contact)
