"""An invitation has exactly one contact: the one its token proves."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

ONE_CONTACT_SQL = [
    # Invitations made before: keep the email of those with both contacts;
    # count one send for each (the sending job stores the link of one never sent).
    "SELECT set_config('app.audited', 'on', true)",
    "UPDATE invitations SET phone = NULL WHERE email IS NOT NULL AND phone IS NOT NULL",
    "UPDATE invitations SET send_count = 1 WHERE send_count = 0",
    "ALTER TABLE invitations DROP CONSTRAINT invitations_contact_check",
    "ALTER TABLE invitations ADD CONSTRAINT invitations_one_contact_check CHECK ((email IS NULL) <> (phone IS NULL))",
    "ALTER TABLE invitations ADD CONSTRAINT invitations_send_count_check CHECK (send_count >= 0)",
]

ID = "2026-11-23T14:06:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "invitations have one contact"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def one_contact_sql() -> None:
        await rls.run_statements(ONE_CONTACT_SQL)

    manager.add_raw(one_contact_sql)
    return manager
