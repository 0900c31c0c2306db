"""Sign-in throttles row-level security: platform level only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

THROTTLE_SQL = [
    *rls.enable_rls("sign_in_throttles", "SELECT, INSERT, UPDATE, DELETE"),
    f"CREATE POLICY sign_in_throttles_platform ON sign_in_throttles USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
]

ID = "2026-11-23T12:05:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "sign-in throttles row-level security"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def throttle_sql() -> None:
        await rls.run_statements(THROTTLE_SQL)

    manager.add_raw(throttle_sql)
    return manager
