"""Partner applications' table."""

from __future__ import annotations

from piccolo.columns import Timestamptz, Varchar

from tenants.tables import TenantTable


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
