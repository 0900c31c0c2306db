"""Password resets row-level security: platform level only, audited."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

PASSWORD_RESETS_SQL = [
    *rls.enable_rls("password_resets", "SELECT, INSERT, UPDATE"),
    f"CREATE POLICY password_resets_platform ON password_resets USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
    *rls.require_audit("password_resets"),
    "CREATE UNIQUE INDEX password_resets_token_hash_key ON password_resets (token_hash)",
    "CREATE INDEX password_resets_user_id_created_at_idx ON password_resets (user_id, created_at DESC)",
    # A new password ends every session of the account.
    "ALTER TABLE sessions DROP CONSTRAINT sessions_revoked_reason_check",
    "ALTER TABLE sessions ADD CONSTRAINT sessions_revoked_reason_check"
    " CHECK (revoked_reason IN ('logout', 'reuse', 'deactivated', 'role_changed', 'password_changed'))",
]

ID = "2026-11-23T14:13:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "password resets row-level security"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def password_resets_sql() -> None:
        await rls.run_statements(PASSWORD_RESETS_SQL)

    manager.add_raw(password_resets_sql)
    return manager
