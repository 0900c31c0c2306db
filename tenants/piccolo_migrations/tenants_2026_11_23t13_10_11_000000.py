"""Invitations row-level security and constraints: tenant-owned; accepting
one looks its token up at platform level."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

INVITATIONS_SQL = [
    *rls.tenant_owned_table("invitations", extra_read=rls.PLATFORM),
    *rls.require_audit("invitations"),
    "ALTER TABLE invitations ADD CONSTRAINT invitations_contact_check CHECK (email IS NOT NULL OR phone IS NOT NULL)",
    "ALTER TABLE invitations ADD CONSTRAINT invitations_role_check CHECK (role IN ("
    "'ministry_admin', 'oversight_officer', 'tenant_admin', 'manager', 'agent',"
    " 'claims_officer', 'auditor', 'member'))",
    # Looked up across tenants by the hash alone; 256 random bits need no unique constraint.
    "CREATE INDEX invitations_token_hash_idx ON invitations (token_hash)",
    # One open invitation per contact and tenant: inviting again replaces it.
    "CREATE UNIQUE INDEX invitations_tenant_id_email_open_key ON invitations (tenant_id, email)"
    " WHERE accepted_at IS NULL AND revoked_at IS NULL",
    "CREATE UNIQUE INDEX invitations_tenant_id_phone_open_key ON invitations (tenant_id, phone)"
    " WHERE accepted_at IS NULL AND revoked_at IS NULL",
    "CREATE INDEX invitations_tenant_id_created_at_idx ON invitations (tenant_id, created_at DESC, id DESC)",
]

ID = "2026-11-23T13:10:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "invitations row-level security and constraints"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def invitations_sql() -> None:
        await rls.run_statements(INVITATIONS_SQL)

    manager.add_raw(invitations_sql)
    return manager
