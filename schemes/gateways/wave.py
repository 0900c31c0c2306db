"""Wave (Senegal, Côte d'Ivoire) through its checkout API, over HTTP.

Wave has no maintained Python SDK; its API is small: a checkout session
(``POST /v1/checkout/sessions`` with a bearer key) gives the payer a
``wave_launch_url`` to open in the Wave app; ``checkout.session.completed``
and ``checkout.session.payment_failed`` events are signed
``Wave-Signature: t=…,v1=…``, the HMAC-SHA256 of the timestamp and the raw
body run together; ``GET /v1/checkout/sessions/{id}`` says how one stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx

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

API_URL = "https://api.wave.com"
TIMEOUT_S = 15.0
"""Wave answers in a second or two; past this, the status poll finds out what happened."""
_CHECKOUT_EVENTS = {"checkout.session.completed", "checkout.session.payment_failed"}


def _amount(value: object) -> int | None:
    """Wave's amounts are decimal strings; francs have no minor unit."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(amount) if amount == amount.to_integral_value() else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def observed_session(session: Mapping[str, Any]) -> Observed:
    """How a Wave checkout session object stands."""
    checkout_status = session.get("checkout_status")
    payment_status = session.get("payment_status")
    if checkout_status == "complete" and payment_status == "succeeded":
        status = CheckoutStatus.SUCCEEDED
    elif checkout_status == "expired":
        status = CheckoutStatus.EXPIRED
    elif payment_status == "cancelled":
        status = CheckoutStatus.FAILED
    else:
        status = CheckoutStatus.OPEN
    error = session.get("last_payment_error")
    failure = str(error.get("code", "")) if isinstance(error, dict) else ""
    return Observed(
        session_id=str(session.get("id", "")),
        status=status,
        reference=session.get("client_reference") or None,
        transaction_id=session.get("transaction_id") or None,
        amount=_amount(session.get("amount")),
        currency=session.get("currency"),
        at=_time(session.get("when_completed")),
        failure=failure[:100],
    )


class Wave:
    """The Wave checkout API."""

    provider = Provider.WAVE
    name = "Wave"
    channel = Channel.MOBILE_MONEY

    def __init__(self, api_url: str = API_URL, *, timeout: float = TIMEOUT_S) -> None:
        self._api_url = api_url.rstrip("/")
        self._timeout = timeout

    async def _call(self, keys: AccountKeys, method: str, path: str, **options: Any) -> Any:
        headers = {"Authorization": f"Bearer {keys.api_key}", **options.pop("headers", {})}
        try:
            # One client per call: jobs and requests run on different event loops.
            async with httpx.AsyncClient(base_url=self._api_url, timeout=self._timeout) as client:
                answer = await client.request(method, path, headers=headers, **options)
        except httpx.HTTPError as error:
            raise ProviderUnavailable(f"wave: {type(error).__name__}") from error
        if answer.status_code >= 500 or answer.status_code == 429:
            raise ProviderUnavailable(f"wave: HTTP {answer.status_code}")
        body = answer.json() if answer.content else {}
        if answer.status_code >= 400:
            code = body.get("code") if isinstance(body, dict) else None
            raise ProviderRefused(str(code or f"http-{answer.status_code}")[:100])
        return body

    async def start(self, keys: AccountKeys, request: CheckoutRequest) -> Started:
        """Create a checkout session; its ``wave_launch_url`` is where the payer pays."""
        payload: dict[str, str] = {
            "amount": str(request.amount),
            "currency": request.currency,
            "client_reference": request.reference,
            "success_url": request.success_url,
            "error_url": request.error_url,
        }
        if request.payer_phone:
            payload["restrict_payer_mobile"] = request.payer_phone
        session = await self._call(
            keys,
            "POST",
            "/v1/checkout/sessions",
            json=payload,
            headers={"Idempotency-Key": request.idempotency_key},
        )
        return Started(session_id=str(session["id"]), launch_url=session.get("wave_launch_url"))

    async def reopen(self, keys: AccountKeys, session_id: str) -> Started:
        """The checkout session again, for its launch URL."""
        session = await self._call(keys, "GET", f"/v1/checkout/sessions/{quote(session_id, safe='')}")
        return Started(session_id=str(session["id"]), launch_url=session.get("wave_launch_url"))

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> VerifiedEvent:
        """The event, if ``Wave-Signature`` signs the body under the webhook secret."""
        verify_timestamped_hmac(headers.get("wave-signature"), body, secret, now, separator=b"")
        return parsed_event(body)

    def observed_in(self, event: VerifiedEvent) -> Observed | None:
        """The checkout session a checkout event carries; None for other events (payouts…)."""
        data = event.payload.get("data")
        if event.kind not in _CHECKOUT_EVENTS or not isinstance(data, dict):
            return None
        return observed_session(data)

    async def status(self, keys: AccountKeys, session_id: str) -> Observed:
        """Read the checkout session."""
        return observed_session(await self._call(keys, "GET", f"/v1/checkout/sessions/{quote(session_id, safe='')}"))

    async def refund(self, keys: AccountKeys, observed: Observed, idempotency_key: str) -> None:
        """Refund a completed checkout session in full."""
        await self._call(
            keys,
            "POST",
            f"/v1/checkout/sessions/{quote(observed.session_id, safe='')}/refund",
            headers={"Idempotency-Key": idempotency_key},
        )
