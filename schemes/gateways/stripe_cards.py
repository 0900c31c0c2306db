"""Card payments through Stripe PaymentIntents, with Stripe's own library.

Stripe serves tenants (or the operator) who can hold a Stripe account, and
members of the diaspora paying by card; merchants established in Senegal
or Côte d'Ivoire cannot hold one. A checkout is a PaymentIntent created
with an idempotency key; the payer's card form confirms it with its client
secret. Its ``payment_intent.*`` events are signed ``Stripe-Signature:
t=…,v1=…``, the HMAC-SHA256 of the timestamp, a dot and the raw body.
XOF and XAF are zero-decimal currencies: amounts are whole francs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import stripe

from schemes.contributions.payments import Provider
from schemes.contributions.tables import Channel
from schemes.gateways.providers import (
    AccountKeys,
    CheckoutRequest,
    Observed,
    ProviderRefused,
    ProviderUnavailable,
    Started,
    VerifiedEvent,
    parsed_event,
    verify_timestamped_hmac,
)
from schemes.gateways.tables import CheckoutStatus

API_URL = "https://api.stripe.com"
TIMEOUT_S = 20.0
METADATA_KEY = "socle_checkout"
_EVENTS = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"}


def observed_intent(intent: Mapping[str, Any]) -> Observed:
    """How a PaymentIntent object stands. A refused card leaves it open: the payer may try another."""
    status = intent.get("status")
    error = intent.get("last_payment_error")
    failure = str(error.get("code") or error.get("decline_code") or "") if isinstance(error, Mapping) else ""
    metadata = intent.get("metadata")
    reference = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
    charge = intent.get("latest_charge")
    charge_id = charge.get("id") if isinstance(charge, Mapping) else charge
    received = intent.get("amount_received") or intent.get("amount")
    currency = intent.get("currency")
    return Observed(
        session_id=str(intent.get("id", "")),
        status={
            "succeeded": CheckoutStatus.SUCCEEDED,
            "canceled": CheckoutStatus.FAILED,
        }.get(str(status), CheckoutStatus.OPEN),
        reference=str(reference) if reference else None,
        transaction_id=str(charge_id) if charge_id else None,
        amount=received if isinstance(received, int) else None,
        currency=currency.upper() if isinstance(currency, str) else None,
        at=None,
        failure=("canceled" if status == "canceled" else failure)[:100],
    )


class StripeCards:
    """Stripe's PaymentIntents API."""

    provider = Provider.STRIPE
    name = "Stripe"
    channel = Channel.CARD

    def __init__(self, api_url: str = API_URL, *, timeout: float = TIMEOUT_S) -> None:
        self._api_url = api_url.rstrip("/")
        self._timeout = timeout

    def _client(self, keys: AccountKeys) -> stripe.StripeClient:
        # One client per call: jobs and requests run on different event loops.
        return stripe.StripeClient(
            keys.api_key,
            base_addresses={"api": self._api_url},
            http_client=stripe.HTTPXClient(timeout=self._timeout),
            max_network_retries=1,
        )

    async def _call(self, action: Any) -> Any:
        try:
            return await action
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise ProviderUnavailable(f"stripe: {type(error).__name__}") from error
        except stripe.StripeError as error:
            if (error.http_status or 0) >= 500:
                raise ProviderUnavailable(f"stripe: HTTP {error.http_status}") from error
            raise ProviderRefused(str(error.code or f"http-{error.http_status}")[:100]) from error

    async def start(self, keys: AccountKeys, request: CheckoutRequest) -> Started:
        """Create the PaymentIntent; its client secret is for the card form."""
        intent = await self._call(
            self._client(keys).v1.payment_intents.create_async(
                params={
                    "amount": request.amount,
                    "currency": request.currency.lower(),
                    "metadata": {METADATA_KEY: request.reference},
                },
                options={"idempotency_key": request.idempotency_key},
            )
        )
        return Started(session_id=intent.id, client_secret=intent.client_secret)

    async def reopen(self, keys: AccountKeys, session_id: str) -> Started:
        """The PaymentIntent again, for its client secret."""
        intent = await self._call(self._client(keys).v1.payment_intents.retrieve_async(session_id))
        return Started(session_id=intent.id, client_secret=intent.client_secret)

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> VerifiedEvent:
        """The event, if ``Stripe-Signature`` signs the body under the endpoint's secret."""
        verify_timestamped_hmac(headers.get("stripe-signature"), body, secret, now, separator=b".")
        return parsed_event(body)

    def observed_in(self, event: VerifiedEvent) -> Observed | None:
        """The PaymentIntent a ``payment_intent.*`` event carries; None for other events."""
        data = event.payload.get("data")
        intent = data.get("object") if isinstance(data, dict) else None
        if event.kind not in _EVENTS or not isinstance(intent, dict):
            return None
        observed = observed_intent(intent)
        created = event.payload.get("created")
        if observed.status is CheckoutStatus.SUCCEEDED and isinstance(created, int):
            return replace(observed, at=datetime.fromtimestamp(created, UTC))
        return observed

    async def status(self, keys: AccountKeys, session_id: str) -> Observed:
        """Read the PaymentIntent."""
        intent = await self._call(self._client(keys).v1.payment_intents.retrieve_async(session_id))
        return observed_intent(intent)

    async def refund(self, keys: AccountKeys, observed: Observed, idempotency_key: str) -> None:
        """Refund a PaymentIntent that succeeded, in full."""
        await self._call(
            self._client(keys).v1.refunds.create_async(
                params={"payment_intent": observed.session_id}, options={"idempotency_key": idempotency_key}
            )
        )
