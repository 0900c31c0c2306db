"""Accounts, sessions, sign-in codes, signing keys and the tenants registry
change only with an audit event in the same transaction, like tenant rows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

AUDITED_TABLES = ("tenants", "users", "sessions", "refresh_tokens", "one_time_codes", "signing_keys")

ID = "2026-11-23T13:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit event required with every change to accounts, sessions and keys"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def audited_platform_sql() -> None:
        await rls.run_statements([statement for table in AUDITED_TABLES for statement in rls.require_audit(table)])

    manager.add_raw(audited_platform_sql)
    return manager
