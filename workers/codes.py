"""The job that makes a sign-in code and sends it by SMS, in the account's language."""

from __future__ import annotations

from uuid import UUID

import dramatiq

from app.i18n import translate
from tenants.context import SYSTEM, Viewer
from tenants.identity import codes
from tenants.tx import platform_tx
from workers.messaging import once, outbound


@dramatiq.actor(actor_name=codes.SEND_ACTOR, max_retries=3)
async def send_sign_in_code(code_id: str, phone: str, request_id: str, source_address: str | None) -> None:
    """Make the code asked for ``phone`` and send it; nothing when no active
    account has the number, it had its codes for now, or the code was used or
    has expired, or when a delivery of this message already sent it."""
    senders = outbound()
    origin = Viewer(principal=SYSTEM, tenant=None, locale="fr", request_id=request_id, source_address=source_address)
    async with platform_tx() as tx:
        to_send = await codes.prepare_code(tx, senders.link_secret, UUID(code_id), phone, origin)
    if to_send is None:
        return
    text = translate("auth.SIGN_IN_CODE_SMS", to_send.locale, code=to_send.code)
    await once(lambda: senders.sms.send(to_send.phone, text))
