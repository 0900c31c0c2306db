"""The one small interface every payment provider sits behind, and what
flows through it.

A provider starts a checkout and answers what the payer's client needs (a
URL to open, a secret for a card form, or nothing but to wait for the push
to the phone); it signs the events it sends, which Socle verifies on the raw
body; it says how a checkout stands when asked, for the events that come
late or never; and it refunds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from schemes.contributions.payments import Provider
from schemes.contributions.tables import Channel
from schemes.gateways.tables import CheckoutStatus

SIGNATURE_TOLERANCE_S = 300
"""How old, or how far ahead, a signed event's timestamp may be: an older one is a replay."""


@dataclass(frozen=True)
class AccountKeys:
    """A tenant's keys with a provider, once opened."""

    api_key: str
    webhook_secret: str


@dataclass(frozen=True)
class CheckoutRequest:
    """What Socle asks a provider to collect."""

    reference: str
    """Socle's id of the checkout, given to the provider as its client reference."""
    amount: int
    currency: str
    success_url: str
    error_url: str
    idempotency_key: str
    """The same for every attempt to start one checkout: the provider starts it once."""
    payer_phone: str | None = None
    """The phone (E.164) that must pay, where the provider can hold the payment to it."""


@dataclass(frozen=True)
class Started:
    """A checkout the provider started, and what the payer's client needs."""

    session_id: str
    launch_url: str | None = None
    """Where the payer goes to pay (Wave)."""
    client_secret: str | None = None
    """What a card form confirms the payment with (Stripe); never stored."""


@dataclass(frozen=True)
class Observed:
    """How a provider says a checkout stands, from an event or a status call."""

    session_id: str
    status: CheckoutStatus
    reference: str | None = None
    """The client reference Socle gave, when the provider repeats it."""
    transaction_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    at: datetime | None = None
    """When the money was received."""
    failure: str = ""


@dataclass(frozen=True)
class VerifiedEvent:
    """An event whose signature held: its id, its type and its body."""

    event_id: str
    kind: str
    payload: dict[str, Any]


class SignatureInvalid(ValueError):
    """An event that is not the provider's, or not now: no signature, a wrong
    one, a stale or future timestamp, or a body that is not an event."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProviderUnavailable(RuntimeError):
    """The provider could not be reached, or failed on its side: try again later."""


class ProviderRefused(RuntimeError):
    """The provider refused the request (a wrong key, an amount it does not take…)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Gateway(Protocol):
    """A payment provider, as Socle uses it."""

    provider: Provider
    name: str
    """How receipts name the provider that recorded a payment."""
    channel: Channel

    async def start(self, keys: AccountKeys, request: CheckoutRequest) -> Started:
        """Start collecting ``request``; the same idempotency key starts it once."""

    async def reopen(self, keys: AccountKeys, session_id: str) -> Started:
        """What the payer's client needs for a checkout already started (a replay)."""

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> VerifiedEvent:
        """The event in ``body`` if its signature holds; :class:`SignatureInvalid` otherwise."""

    def observed_in(self, event: VerifiedEvent) -> Observed | None:
        """How the checkout an event is about stands; None for an event about something else."""

    async def status(self, keys: AccountKeys, session_id: str) -> Observed:
        """Ask the provider how a checkout stands."""

    async def refund(self, keys: AccountKeys, observed: Observed, idempotency_key: str) -> None:
        """Give the payer back the money of a checkout that succeeded."""


def parsed_event(body: bytes) -> VerifiedEvent:
    """The event a verified body holds: a JSON object with an ``id`` and a
    ``type``, as Stripe and Wave send; :class:`SignatureInvalid` otherwise."""
    try:
        event = json.loads(body)
    except ValueError:
        raise SignatureInvalid("not-json") from None
    if not (isinstance(event, dict) and isinstance(event.get("id"), str) and isinstance(event.get("type"), str)):
        raise SignatureInvalid("not-an-event")
    return VerifiedEvent(event_id=event["id"][:255], kind=event["type"][:100], payload=event)


def verify_timestamped_hmac(header: str | None, body: bytes, secret: str, now: datetime, *, separator: bytes) -> None:
    """Check a ``t=<unix time>,v1=<hex HMAC-SHA256>[,v1=…]`` signature header,
    the scheme Stripe and Wave share: one of the ``v1`` values must be the
    HMAC, under ``secret``, of the timestamp, ``separator`` and the raw
    ``body``, and the timestamp within :data:`SIGNATURE_TOLERANCE_S` of ``now``."""
    if not header:
        raise SignatureInvalid("missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureInvalid("malformed")
    if abs(now.timestamp() - timestamp) > SIGNATURE_TOLERANCE_S:
        raise SignatureInvalid("stale")
    expected = hmac.new(secret.encode(), str(timestamp).encode() + separator + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise SignatureInvalid("mismatch")
