"""Tables of identity: accounts, memberships, sessions and what signing in
needs (keys, throttles, codes, password resets)."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tenants.ids import new_id
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tables import TenantTable


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
    """An opaque refresh token, derived from its id under the secret key and
    stored as its SHA-256; each is used once."""

    id = UUID(primary_key=True, default=new_id)
    session_id = ForeignKey(Session, on_delete=OnDelete.cascade, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    replaced_by = UUID(null=True, default=None)
    """The token its use issued, which a retry within the grace period gets again."""


class SignInThrottle(Table, tablename="sign_in_throttles"):
    """Attempts counted per key (an account, a phone, a source address), to
    slow down and then stop password and code guessing, and requests for
    codes and links (``tenants.identity.throttle``)."""

    id = UUID(primary_key=True, default=new_id)
    key = Varchar(length=320, unique=True)
    """``account:<identifier>``, ``address:<ip>``, ``code:phone:<number>``,
    ``code:address:<ip>``, ``code_request:...``, ``reset_request:...``."""
    failures = Integer(default=0)
    window_started_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)


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
