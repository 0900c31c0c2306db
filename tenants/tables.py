"""Tables of the tenancy kernel: tenants, users, memberships, and the base of
every tenant-owned table."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tenants.ids import new_id
from tenants.roles import Role, TenantKind, TenantStatus


class Tenant(Table, tablename="tenants"):
    """A ministry, mutual or IPM: the unit of isolation."""

    id = UUID(primary_key=True, default=new_id)
    kind = Varchar(length=16, choices=TenantKind)
    name = Varchar(length=200)
    slug = Varchar(length=63, unique=True)
    country = Varchar(length=2)
    currency = Varchar(length=3)
    status = Varchar(length=16, choices=TenantStatus, default=TenantStatus.PENDING)
    created_at = Timestamptz()


class TenantTable(Table):
    """Base of every tenant-owned table: a ``tenant_id`` that leads its keys.

    Rows are read and written only through :mod:`tenants.scoping`, which adds
    the tenant to every query; row-level security enforces the same below.
    """

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=False, index=False)


class User(Table, tablename="users"):
    """A person who signs in. A user may belong to several tenants."""

    id = UUID(primary_key=True, default=new_id)
    email = Varchar(length=254, null=True, default=None, unique=True)
    phone = Varchar(length=16, null=True, default=None, unique=True)
    full_name = Varchar(length=200)
    password_hash = Varchar(length=255, null=True, default=None, secret=True)
    locale = Varchar(length=5, default="fr")
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class Membership(TenantTable, tablename="memberships"):
    """A user's role in one tenant."""

    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=False)
    role = Varchar(length=32, choices=Role)
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class OutboxJob(Table, tablename="outbox"):
    """A job written in the same transaction as the change that asked for it,
    relayed to the broker after commit and deleted once sent."""

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    actor_name = Varchar(length=100)
    kwargs = JSONB(default="{}")
    created_at = Timestamptz()
    attempts = Integer(default=0)
    """Sweeps that failed to hand the job to the broker."""
    last_error = Text(null=True, default=None)
    parked_at = Timestamptz(null=True, default=None)
    """Set once the job failed too often: the sweep skips it until an
    operator re-queues it (``socle outbox retry``)."""


class JobDelivery(Table, tablename="job_deliveries"):
    """A job message whose outside effect (an SMS, an email) is under way or
    done, keyed by the message id: a second delivery of the message sends
    nothing."""

    message_id = UUID(primary_key=True)
    actor_name = Varchar(length=100)
    claimed_until = Timestamptz()
    """Until when the delivery that claimed the message may send it; past
    this, another delivery takes over (the first one died)."""
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class SigningKey(Table, tablename="signing_keys"):
    """A key that signs access tokens. The newest one signs; older ones stay
    published in the JWKS until every token they signed has expired."""

    id = Varchar(length=64, primary_key=True)
    """The key id (``kid``)."""
    public_jwk = JSONB()
    private_jwk = Varchar(length=4000, secret=True)
    """The private JWK, encrypted with a key derived from ``SOCLE_SECRET_KEY``."""
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)
    """When a newer key took over signing."""


class Session(Table, tablename="sessions"):
    """A user's signed-in session in one tenant: the family of its refresh tokens."""

    id = UUID(primary_key=True, default=new_id)
    user_id = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.cascade, null=False, index=False)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=32, null=True, default=None)


class RefreshToken(Table, tablename="refresh_tokens"):
    """An opaque refresh token, stored as its SHA-256; each is used once."""

    id = UUID(primary_key=True, default=new_id)
    session_id = ForeignKey(Session, on_delete=OnDelete.cascade, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_events"):
    """One entry of a tenant's audit log. Each tenant's entries form a hash
    chain: ``hash`` covers the entry and the ``previous_hash``, so changing,
    removing or inserting an entry breaks every hash after it. Entries of
    Socle itself (no tenant) form one more chain."""

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    seq = BigInt()
    occurred_at = Timestamptz()
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    actor_name = Varchar(length=200, default="")
    action = Varchar(length=64)
    target_type = Varchar(length=64, null=True, default=None)
    target_id = Varchar(length=64, null=True, default=None)
    request_id = Varchar(length=64, null=True, default=None)
    source_address = Varchar(length=64, null=True, default=None)
    summary = JSONB(default="{}")
    previous_hash = Varchar(length=64)
    hash = Varchar(length=64)


class SignInThrottle(Table, tablename="sign_in_throttles"):
    """Failed sign-ins counted per account and per source address, to slow
    down and then stop password guessing."""

    id = UUID(primary_key=True, default=new_id)
    key = Varchar(length=320, unique=True)
    """``account:<identifier>`` or ``address:<ip>``."""
    failures = Integer(default=0)
    window_started_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)


class ApiClient(TenantTable, tablename="api_clients"):
    """A partner application of one tenant (OAuth2 client credentials). Its
    ``client_id`` is its id; its secret is shown once and kept as SHA-256."""

    name = Varchar(length=200)
    scopes = Varchar(length=1000)
    """Granted scopes, space-separated."""
    secret_hash = Varchar(length=64, secret=True)
    created_at = Timestamptz()
    secret_rotated_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Invitation(TenantTable, tablename="invitations"):
    """An invitation to join a tenant with a role, sent by email or by SMS (one
    contact). Its token is in the link sent and is kept as SHA-256; sending
    again replaces it. Accepting it creates the account (or proves an
    existing one) and the membership together."""

    full_name = Varchar(length=200)
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=16, null=True, default=None)
    role = Varchar(length=32, choices=Role)
    locale = Varchar(length=5, default="fr")
    token_hash = Varchar(length=64, null=True, default=None, secret=True)
    send_count = Integer(default=0)
    """How many times it was sent; the link's token derives from it."""
    invited_by = UUID(null=True, default=None)
    """The user who invited; null when Socle itself did."""
    created_at = Timestamptz()
    expires_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = UUID(null=True, default=None)
    """The account that accepted."""
    revoked_at = Timestamptz(null=True, default=None)


class PasswordReset(Table, tablename="password_resets"):
    """A link to choose a new password, sent to an account's email or phone:
    valid one hour, single use, kept as SHA-256."""

    id = UUID(primary_key=True, default=new_id)
    user_id = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=False)
    token_hash = Varchar(length=64, secret=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class OneTimeCode(Table, tablename="one_time_codes"):
    """A sign-in code sent by SMS: short-lived, single use, few attempts."""

    id = UUID(primary_key=True, default=new_id)
    user_id = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=False)
    code_hash = Varchar(length=64, secret=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    attempts = Integer(default=0)
    used_at = Timestamptz(null=True, default=None)
