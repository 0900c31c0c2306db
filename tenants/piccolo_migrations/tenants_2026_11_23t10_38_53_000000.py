"""Tenancy row-level security, grants and constraints: what Piccolo cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

_TENANT_READ = (f"platform OR id = {rls.CURRENT_TENANT} OR id = ANY ({rls.READ_TENANTS})").replace(
    "platform", rls.PLATFORM
)

TENANCY_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"""
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{rls.APPLICATION_ROLE}') THEN
            CREATE ROLE {rls.APPLICATION_ROLE} NOLOGIN NOBYPASSRLS;
        END IF;
    END $$
    """,
    f"GRANT USAGE ON SCHEMA public TO {rls.APPLICATION_ROLE}",
    # Tenants: the registry. Readable by the platform, by the tenant itself and by
    # its ministry; written by the platform only.
    "ALTER TABLE tenants ADD CONSTRAINT tenants_kind_check CHECK (kind IN ('ministry', 'mutual', 'ipm'))",
    "ALTER TABLE tenants ADD CONSTRAINT tenants_status_check"
    " CHECK (status IN ('pending', 'approved', 'suspended', 'withdrawn'))",
    "ALTER TABLE tenants ADD CONSTRAINT tenants_country_check CHECK (country ~ '^[A-Z]{2}$')",
    "ALTER TABLE tenants ADD CONSTRAINT tenants_currency_check CHECK (currency ~ '^[A-Z]{3}$')",
    "ALTER TABLE tenants ADD CONSTRAINT tenants_slug_check CHECK (slug ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$')",
    "CREATE UNIQUE INDEX tenants_one_ministry_per_country ON tenants (country) WHERE kind = 'ministry'",
    "CREATE INDEX tenants_country_idx ON tenants (country)",
    *rls.enable_rls("tenants", "SELECT, INSERT, UPDATE"),
    f"CREATE POLICY tenants_read ON tenants FOR SELECT USING ({_TENANT_READ})",
    f"CREATE POLICY tenants_insert ON tenants FOR INSERT WITH CHECK ({rls.PLATFORM})",
    f"CREATE POLICY tenants_update ON tenants FOR UPDATE USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
    # Users: global accounts. A user sees itself; a tenant sees the users that
    # are members of the tenants it may read (memberships' own policy filters
    # the sub-query); the platform sees all.
    "ALTER TABLE users ADD CONSTRAINT users_contact_check CHECK (email IS NOT NULL OR phone IS NOT NULL)",
    "ALTER TABLE users ADD CONSTRAINT users_email_lower_check CHECK (email = lower(email))",
    "ALTER TABLE users ADD CONSTRAINT users_phone_e164_check CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$')",
    *rls.enable_rls("users", "SELECT, INSERT, UPDATE"),
    "CREATE POLICY users_read ON users FOR SELECT USING ("
    f"{rls.PLATFORM} OR id = {rls.CURRENT_USER_ID}"
    " OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id))",
    f"CREATE POLICY users_insert ON users FOR INSERT WITH CHECK ({rls.PLATFORM})",
    "CREATE POLICY users_update ON users FOR UPDATE"
    f" USING ({rls.PLATFORM} OR id = {rls.CURRENT_USER_ID})"
    f" WITH CHECK ({rls.PLATFORM} OR id = {rls.CURRENT_USER_ID})",
    # Memberships: tenant-owned; also readable by their user and by the
    # platform, which resolves a user's tenants at sign-in.
    *rls.tenant_owned_table("memberships", extra_read=f"{rls.PLATFORM} OR user_id = {rls.CURRENT_USER_ID}"),
    "ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ("
    "'ministry_admin', 'oversight_officer', 'tenant_admin', 'manager', 'agent',"
    " 'claims_officer', 'auditor', 'member'))",
    "CREATE UNIQUE INDEX memberships_tenant_id_user_id_key ON memberships (tenant_id, user_id)",
    "CREATE INDEX memberships_user_id_idx ON memberships (user_id)",
    # Outbox: jobs of a tenant are written in its transactions; the platform
    # relay reads and deletes all of them.
    # UPDATE is granted for the row locks of the relay (SELECT ... FOR UPDATE).
    *rls.enable_rls("outbox", "SELECT, INSERT, UPDATE, DELETE"),
    f"CREATE POLICY outbox_read ON outbox FOR SELECT USING ({rls.PLATFORM} OR tenant_id = {rls.CURRENT_TENANT})",
    "CREATE POLICY outbox_insert ON outbox FOR INSERT WITH CHECK ("
    f"tenant_id = {rls.CURRENT_TENANT} OR (tenant_id IS NULL AND {rls.PLATFORM}))",
    f"CREATE POLICY outbox_update ON outbox FOR UPDATE USING ({rls.PLATFORM}) WITH CHECK ({rls.PLATFORM})",
    f"CREATE POLICY outbox_delete ON outbox FOR DELETE USING ({rls.PLATFORM} OR tenant_id = {rls.CURRENT_TENANT})",
    "CREATE INDEX outbox_created_at_idx ON outbox (created_at)",
]

ID = "2026-11-23T10:38:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "tenancy row-level security, grants and constraints"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def tenancy_sql() -> None:
        await rls.run_statements(TENANCY_SQL)

    manager.add_raw(tenancy_sql)
    return manager
