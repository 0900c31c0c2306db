"""Sessions and signing keys row-level security: what Piccolo cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

# Sign-in, token refresh and key management run at platform level only: no
# tenant context ever sees sessions, refresh tokens or private keys.
AUTH_SQL = [
    *[
        statement
        for table in ("signing_keys", "sessions", "refresh_tokens")
        for statement in (
            *rls.enable_rls(table, "SELECT, INSERT, UPDATE"),
            f"CREATE POLICY {table}_platform ON {table} USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
        )
    ],
    "CREATE INDEX sessions_tenant_id_idx ON sessions (tenant_id)",
    "ALTER TABLE sessions ADD CONSTRAINT sessions_revoked_reason_check"
    " CHECK (revoked_reason IN ('logout', 'reuse', 'deactivated', 'role_changed'))",
]

ID = "2026-11-23T11:03:25:000000"
VERSION = "1.38.0"
DESCRIPTION = "sessions and signing keys row-level security"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def auth_sql() -> None:
        await rls.run_statements(AUTH_SQL)

    manager.add_raw(auth_sql)
    return manager
