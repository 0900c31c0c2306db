"""The job that sends a sign-in code by SMS, in the account's language."""

from __future__ import annotations

from uuid import UUID

import dramatiq

from app.i18n import translate
from tenants.identity import codes
from tenants.tx import platform_tx
from workers.messaging import once, outbound


@dramatiq.actor(actor_name=codes.SEND_ACTOR, max_retries=3)
async def send_sign_in_code(code_id: str) -> None:
    """Send the code; nothing once it was used or has expired, or when a
    delivery of this message already sent it."""
    senders = outbound()
    async with platform_tx() as tx:
        to_send = await codes.code_to_send(tx, senders.link_secret, UUID(code_id))
    if to_send is None:
        return
    text = translate("auth.SIGN_IN_CODE_SMS", to_send.locale, code=to_send.code)
    await once(lambda: senders.sms.send(to_send.phone, text))
