"""One-time codes row-level security: platform level only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

ONE_TIME_CODES_SQL = [
    *rls.enable_rls("one_time_codes", "SELECT, INSERT, UPDATE"),
    f"CREATE POLICY one_time_codes_platform ON one_time_codes USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
    "CREATE INDEX one_time_codes_user_id_created_at_idx ON one_time_codes (user_id, created_at DESC)",
]

ID = "2026-11-23T12:29:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "one-time codes row-level security"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def one_time_codes_sql() -> None:
        await rls.run_statements(ONE_TIME_CODES_SQL)

    manager.add_raw(one_time_codes_sql)
    return manager
