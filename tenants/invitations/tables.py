"""Invitations' table."""

from __future__ import annotations

from piccolo.columns import UUID, Integer, Timestamptz, Varchar

from tenants.roles import Role
from tenants.tables import TenantTable


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
