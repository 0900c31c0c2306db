"""Members and households: row-level security, audit, composite keys, checks
and the indexes of the members' filters and search."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

TABLES = ["membership_numberings", "members", "beneficiaries", "identity_documents", "member_status_changes"]

STATUSES = "('pending', 'active', 'suspended', 'terminated')"
COUNTRY = "'^[A-Z]{2}$'"

MEMBERS_SQL = [
    # Trusted extensions shipped with PostgreSQL: trigram indexes for name
    # searches now, unaccent for the probable-duplicate rule.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    *(statement for table in TABLES for statement in [*rls.tenant_owned_table_v2(table), *rls.require_audit(table)]),
    "ALTER TABLE membership_numberings ADD CONSTRAINT membership_numberings_format_check"
    " CHECK (prefix ~ '^[A-Z0-9-]{0,12}$' AND width BETWEEN 1 AND 12 AND last_value >= 0"
    " AND check_digit IN ('none', 'luhn', 'iso7064_mod_97_10'))",
    "ALTER TABLE members ADD CONSTRAINT members_tenant_id_sequence_key UNIQUE (tenant_id, sequence)",
    "ALTER TABLE members ADD CONSTRAINT members_scheme_fkey"
    " FOREIGN KEY (tenant_id, scheme_id) REFERENCES schemes (tenant_id, id)",
    f"ALTER TABLE members ADD CONSTRAINT members_status_check CHECK (status IN {STATUSES})",
    "ALTER TABLE members ADD CONSTRAINT members_values_check CHECK ("
    f"number <> '' AND sequence > 0 AND nationality ~ {COUNTRY} AND address_country ~ {COUNTRY}"
    r" AND (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$')"
    " AND (address_region IS NULL OR address_region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$')"
    " AND btrim(first_names) <> '' AND btrim(last_name) <> '')",
    "ALTER TABLE beneficiaries ADD CONSTRAINT beneficiaries_member_fkey"
    " FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE beneficiaries ADD CONSTRAINT beneficiaries_values_check CHECK ("
    f"(nationality IS NULL OR nationality ~ {COUNTRY}) AND (removed_on IS NULL OR removed_on >= added_on)"
    " AND btrim(first_names) <> '' AND btrim(last_name) <> '')",
    "ALTER TABLE identity_documents ADD CONSTRAINT identity_documents_member_fkey"
    " FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE identity_documents ADD CONSTRAINT identity_documents_beneficiary_fkey"
    " FOREIGN KEY (tenant_id, beneficiary_id) REFERENCES beneficiaries (tenant_id, id)",
    "ALTER TABLE identity_documents ADD CONSTRAINT identity_documents_values_check CHECK ("
    "kind IN ('national_id_card', 'passport', 'consular_card', 'birth_certificate', 'residence_permit')"
    f" AND issuing_country ~ {COUNTRY} AND normalized_number ~ '^[A-Z0-9]+$')",
    "ALTER TABLE member_status_changes ADD CONSTRAINT member_status_changes_member_fkey"
    " FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)",
    "ALTER TABLE member_status_changes ADD CONSTRAINT member_status_changes_values_check CHECK ("
    f"to_status IN {STATUSES} AND (from_status IS NULL OR from_status IN {STATUSES})"
    " AND (reason IS NULL OR reason IN ('death', 'resignation', 'transfer', 'fraud'))"
    " AND ((to_status = 'terminated') = (reason IS NOT NULL)))",
    # The default order of the members' list, then one index per filter.
    "CREATE INDEX members_tenant_id_name_idx ON members (tenant_id, normalized_name, id)",
    "CREATE INDEX members_name_trgm_idx ON members USING gin (normalized_name gin_trgm_ops)",
    "CREATE INDEX members_tenant_id_status_idx ON members (tenant_id, status)",
    "CREATE INDEX members_tenant_id_category_idx ON members (tenant_id, category)",
    "CREATE INDEX members_tenant_id_scheme_id_idx ON members (tenant_id, scheme_id)",
    "CREATE INDEX members_tenant_id_region_idx ON members (tenant_id, address_region)",
    "CREATE INDEX members_tenant_id_sex_birth_date_idx ON members (tenant_id, sex, birth_date)",
    "CREATE INDEX members_tenant_id_birth_date_idx ON members (tenant_id, birth_date)",
    "CREATE INDEX members_tenant_id_enrolled_on_idx ON members (tenant_id, enrolled_on)",
    "CREATE INDEX members_tenant_id_phone_idx ON members (tenant_id, phone)",
    "CREATE INDEX beneficiaries_tenant_id_member_id_idx ON beneficiaries (tenant_id, member_id)",
    "CREATE INDEX identity_documents_tenant_id_member_id_idx ON identity_documents (tenant_id, member_id)",
    "CREATE INDEX identity_documents_tenant_id_number_idx ON identity_documents (tenant_id, normalized_number)",
    "CREATE INDEX member_status_changes_tenant_id_member_id_idx"
    " ON member_status_changes (tenant_id, member_id, created_at)",
]

ID = "2026-12-01T22:53:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "members and households: row-level security, keys, checks, indexes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def members_sql() -> None:
        await rls.run_statements(MEMBERS_SQL)

    manager.add_raw(members_sql)
    return manager
