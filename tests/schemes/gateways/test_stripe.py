"""Card payments with Stripe against localstripe, a real HTTP peer: a
PaymentIntent started with an idempotency key, confirmed with a test card,
its signed event delivered to Socle twice, one payment."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
import stripe

from tenants.registry.tables import Tenant
from tenants.roles import Role
from tests.factories import make_tenant
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done
from tests.schemes.contributions.ledger_check import check_ledger, gid
from tests.schemes.gateways.test_wave import CONFIGURE, NODE, REFUND, STATEMENT, _member, _start, _started

pytestmark = pytest.mark.usefixtures("migrated")

SECRET_KEY = "sk_test_socle_4eC39HqLyjWDarjtT1zdp7dc"
WEBHOOK_SECRET = "whsec_socle_tests_5f2a9c81d4e7b036"


async def _stripe_tenant(api: httpx.AsyncClient, localstripe: str, origin: str) -> Tenant:
    """A tenant with its Stripe account, whose endpoint localstripe sends its events to, twice."""
    tenant = await make_tenant()
    admin = await token_for(api, tenant, Role.TENANT_ADMIN)
    given = {"provider": "STRIPE", "apiKey": SECRET_KEY, "webhookSecret": WEBHOOK_SECRET}
    configured = (await graphql(api, CONFIGURE, token=admin, input=given))["data"]["paymentGatewayConfigure"]
    assert configured["webhookUrl"] == f"{origin}/webhooks/stripe/{tenant.id}"
    async with httpx.AsyncClient(base_url=localstripe) as ls:
        # Two endpoints with the same address: every event is delivered twice, as Stripe may.
        for name in ("socle", "socle-again"):
            answer = await ls.post(
                f"/_config/webhooks/{name}", data={"url": configured["webhookUrl"], "secret": WEBHOOK_SECRET}
            )
            assert answer.status_code == 200
    return tenant


async def _confirm(client: stripe.StripeClient, intent_id: str, card: str) -> stripe.PaymentIntent:
    """What the card form does with the client secret: attach the card, then confirm."""
    await asyncio.to_thread(client.v1.payment_intents.update, intent_id, {"payment_method": card})
    return await asyncio.to_thread(client.v1.payment_intents.confirm, intent_id)


async def _settled(api: httpx.AsyncClient, token: str, online_id: str) -> dict[str, Any]:
    """The online payment once localstripe's events (sent a second after the charge) are in."""
    for _ in range(100):
        await jobs_done()
        seen: dict[str, Any] = (await graphql(api, NODE, token=token, id=online_id))["data"]["node"]
        if seen["status"] != "OPEN":
            return seen
        await asyncio.sleep(0.1)
    return seen


async def test_a_card_payment_confirmed_is_recorded_once(
    stripe_origin: str, localstripe: str, owner: asyncpg.Connection
) -> None:
    async with httpx.AsyncClient(base_url=stripe_origin) as api:
        tenant = await _stripe_tenant(api, localstripe, stripe_origin)
        member = await _member(tenant)
        manager = await token_for(api, tenant, Role.MANAGER)
        given = _start(member, 5_500, provider="STRIPE")
        started = await _started(api, manager, given)
        online = started["onlinePayment"]
        assert (online["status"], online["launchUrl"], online["provider"]) == ("OPEN", None, "STRIPE")
        intent_id = str(started["clientSecret"]).split("_secret_")[0]
        replay = await _started(api, manager, given)
        assert (replay["alreadyStarted"], replay["clientSecret"]) == (True, started["clientSecret"])

        client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe})
        intent = await asyncio.to_thread(client.v1.payment_intents.retrieve, intent_id)
        assert (intent.amount, intent.currency, intent.metadata["socle_checkout"]) == (
            5_500,
            "xof",
            str(await owner.fetchval("SELECT id FROM checkouts WHERE session_id = $1", intent_id)),
        )
        confirmed = await _confirm(client, intent_id, "pm_card_visa")
        assert confirmed.status == "succeeded"

        charge = confirmed.latest_charge
        assert charge is not None
        seen = await _settled(api, manager, online["id"])
        assert seen["status"] == "SUCCEEDED"
        assert seen["payment"] == {
            "receiptNumber": f"{date.today().year}-000001",
            "amount": 5_500,
            "channel": "CARD",
            "provider": "STRIPE",
            "reference": charge if isinstance(charge, str) else charge.id,
            "recordedByName": "Stripe",
        }
        await asyncio.sleep(1.5)
        await jobs_done()
        events = await owner.fetch(
            "SELECT kind, count(*) AS n FROM gateway_events WHERE tenant_id = $1 GROUP BY kind ORDER BY kind",
            tenant.id,
        )
        assert [(row["kind"], row["n"]) for row in events] == [("payment_intent.succeeded", 1)]
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1
        statement = await graphql(api, STATEMENT, token=manager, member=gid("Member", member.id))
        assert statement["data"]["memberStatement"] == {"due": 5_500, "paid": 5_500, "outstanding": 0, "credit": 0}
        await check_ledger(owner, tenant.id)

        given = {"onlinePayment": online["id"], "reason": "Carte débitée par erreur", "idempotencyKey": "refund-1"}
        refunded = (await graphql(api, REFUND, token=manager, input=given))["data"]["onlinePaymentRefund"]
        assert (refunded["payment"]["amount"], refunded["payment"]["isReversal"]) == (-5_500, True)
        after = await asyncio.to_thread(client.v1.charges.retrieve, seen["payment"]["reference"])
        assert (after.amount_refunded, after.refunded) == (5_500, True)
        await check_ledger(owner, tenant.id)


async def test_a_declined_card_leaves_the_payment_open(
    stripe_origin: str, localstripe: str, owner: asyncpg.Connection
) -> None:
    async with httpx.AsyncClient(base_url=stripe_origin) as api:
        tenant = await _stripe_tenant(api, localstripe, stripe_origin)
        member = await _member(tenant)
        manager = await token_for(api, tenant, Role.MANAGER)
        started = await _started(api, manager, _start(member, 3_500, provider="STRIPE"))
        intent_id = str(started["clientSecret"]).split("_secret_")[0]
        client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe})
        with pytest.raises(stripe.CardError):
            await _confirm(client, intent_id, "pm_card_chargeCustomerFail")
        declined = await asyncio.to_thread(client.v1.payment_intents.retrieve, intent_id)
        assert (declined.status, declined.last_payment_error and declined.last_payment_error.code) == (
            "requires_payment_method",
            "card_declined",
        )
        await asyncio.sleep(1.5)
        await jobs_done()
        seen = (await graphql(api, NODE, token=manager, id=started["onlinePayment"]["id"]))["data"]["node"]
        # The payer may try another card on the same PaymentIntent.
        assert (seen["status"], seen["payment"]) == ("OPEN", None)
        kinds = await owner.fetch("SELECT kind FROM gateway_events WHERE tenant_id = $1", tenant.id)
        assert [row["kind"] for row in kinds] == ["payment_intent.payment_failed"]
