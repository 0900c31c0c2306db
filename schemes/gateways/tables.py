"""Tables of online payments: each tenant's accounts with its providers, the
checkouts started with them, and the events the providers sent.

A checkout becomes a payment (``schemes.contributions``) once its provider
says the money was received, by an event or by the status poll, whichever
comes first; the payment's idempotency key is the checkout's, so it is
recorded once whatever comes after.
"""

from enum import StrEnum

from piccolo.columns import JSONB, UUID, BigInt, Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique

from schemes.members.tables import Member
from tenants.tables import TenantTable


class CheckoutStatus(StrEnum):
    """Where an online payment stands."""

    OPEN = "open"
    """Started: the payer has not paid yet, or the provider has not said so."""
    SUCCEEDED = "succeeded"
    """Paid: the payment is recorded (``payment_id``)."""
    FAILED = "failed"
    """Refused, cancelled by the payer, or not started by the provider."""
    EXPIRED = "expired"
    """Not paid in the time the provider allows."""


class GatewayAccount(TenantTable, tablename="gateway_accounts"):
    """A tenant's account with a payment provider: the money goes to the tenant.
    Its keys are sealed (``tenants.sealing``) and bound to the tenant and provider."""

    provider = Varchar(length=32)
    """:class:`schemes.contributions.payments.Provider` value."""
    api_key_sealed = Text()
    webhook_secret_sealed = Text()
    key_hint = Varchar(length=8)
    """The API key's last characters, to tell accounts apart without the key."""
    enabled = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()

    gateway_accounts_tenant_id_provider_key = Unique(["tenant_id", "provider"])


class Checkout(TenantTable, tablename="checkouts"):
    """An online payment a member (or an application for them) started with a provider."""

    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    provider = Varchar(length=32)
    amount = BigInt()
    currency = Varchar(length=3)
    status = Varchar(length=16, choices=CheckoutStatus, default=CheckoutStatus.OPEN)
    session_id = Varchar(length=100, null=True, default=None)
    """The provider's id of the checkout (Wave's ``cos-…``, Stripe's ``pi_…``), once the provider answered."""
    launch_url = Text(null=True, default=None)
    """Where the payer goes to pay (Wave's app or page), if the provider gives one."""
    idempotency_key = Varchar(length=100)
    payment_id = UUID(null=True, default=None)
    """The payment recorded once the provider said the money was received."""
    failure = Varchar(length=100, default="")
    """The provider's word for why the checkout failed."""
    started_by_kind = Varchar(length=16)
    started_by_id = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()

    checkouts_tenant_id_idempotency_key_key = Unique(["tenant_id", "idempotency_key"])
    checkouts_tenant_id_provider_session_id_key = Unique(["tenant_id", "provider", "session_id"])


class GatewayEvent(TenantTable, tablename="gateway_events"):
    """An event a provider sent and Socle verified, kept once per provider event id."""

    provider = Varchar(length=32)
    event_id = Varchar(length=255)
    kind = Varchar(length=100)
    payload = JSONB()
    received_at = Timestamptz()
    processed_at = Timestamptz(null=True, default=None)

    gateway_events_tenant_id_provider_event_id_key = Unique(["tenant_id", "provider", "event_id"])
