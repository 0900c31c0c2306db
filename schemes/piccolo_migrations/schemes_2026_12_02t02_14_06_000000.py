"""Member tallies: row-level security, audit, checks, the triggers on
members and beneficiaries that keep them, and their backfill."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from tenants import rls

STATUSES = "('pending', 'active', 'suspended', 'terminated')"


def _add(changes: str) -> str:
    """One statement adding ``changes`` (rows of tenant_id, status, category,
    member_count and beneficiary_count, 1 or -1 each) to the tallies: summed
    per tally first, locked in key order so that two statements never wait
    for each other's rows crosswise, nothing written where they cancel out."""
    return (
        "INSERT INTO member_tallies AS tally (id, tenant_id, status, category, member_count, beneficiary_count)"
        " SELECT gen_random_uuid(), tenant_id, status, category, sum(member_count), sum(beneficiary_count)"
        f" FROM ({changes}) AS change GROUP BY tenant_id, status, category"
        " HAVING sum(member_count) <> 0 OR sum(beneficiary_count) <> 0"
        " ORDER BY tenant_id, status, category"
        " ON CONFLICT (tenant_id, status, category) DO UPDATE"
        " SET member_count = tally.member_count + EXCLUDED.member_count,"
        " beneficiary_count = tally.beneficiary_count + EXCLUDED.beneficiary_count"
    )


def _tally_function(name: str, rows: str) -> str:
    """A trigger function adding a statement's rows of a table to the tallies:
    ``rows`` selects the rows of a transition table (``{table}``) as changes
    of ``{sign}``, 1 for the new rows and -1 for the old."""
    new, old = rows.format(sign=1, table="new_rows"), rows.format(sign=-1, table="old_rows")
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_add(new)};
    ELSIF TG_OP = 'UPDATE' THEN
        {_add(f"{old} UNION ALL {new}")};
    ELSE
        {_add(old)};
    END IF;
    RETURN NULL;
END $$
"""


MEMBERS = "SELECT tenant_id, status, category, {sign} AS member_count, 0 AS beneficiary_count FROM {table}"
BENEFICIARIES = (
    "SELECT tenant_id, NULL::varchar AS status, NULL::varchar AS category, 0 AS member_count,"
    " {sign} AS beneficiary_count FROM {table} WHERE removed_on IS NULL"
)


def _triggers(table: str, function: str) -> list[str]:
    """Statement triggers with transition tables on ``table``: PostgreSQL
    allows one event per trigger when it keeps them."""
    return [
        f"CREATE TRIGGER {table}_tally_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_tally_update AFTER UPDATE ON {table}"
        f" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_tally_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


TALLIES_SQL = [
    *rls.tenant_owned_table_v2("member_tallies"),
    *rls.require_audit("member_tallies"),
    # The triggers add to tallies and never remove one.
    f"REVOKE DELETE ON member_tallies FROM {rls.APPLICATION_ROLE}",
    # No CHECK keeps counts from going below zero: PostgreSQL checks the row
    # an upsert proposes before it finds the conflict, and a statement taking
    # members out of a tally proposes a negative count to add.
    "ALTER TABLE member_tallies ADD CONSTRAINT member_tallies_values_check CHECK ("
    f"(status IS NULL) = (category IS NULL) AND (status IS NULL OR status IN {STATUSES})"
    " AND (status IS NULL OR beneficiary_count = 0) AND (status IS NOT NULL OR member_count = 0))",
    _tally_function("socle_tally_members", MEMBERS),
    _tally_function("socle_tally_beneficiaries", BENEFICIARIES),
    *_triggers("members", "socle_tally_members"),
    *_triggers("beneficiaries", "socle_tally_beneficiaries"),
    # The triggers' statements locked both tables until this migration
    # commits: no change can come between the backfill and the triggers.
    # The owner reads and writes every tenant's rows with row-level security
    # forced off for these statements only (no tenant is set during a
    # migration), and says the change is audited: it is this migration's.
    *(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY" for table in ("members", "beneficiaries", "member_tallies")),
    "SELECT set_config('app.audited', 'on', true)",
    "INSERT INTO member_tallies (id, tenant_id, status, category, member_count, beneficiary_count)"
    " SELECT gen_random_uuid(), tenant_id, status, category, count(*), 0 FROM members"
    " GROUP BY tenant_id, status, category"
    " UNION ALL SELECT gen_random_uuid(), tenant_id, NULL, NULL, 0, count(*) FROM beneficiaries"
    " WHERE removed_on IS NULL GROUP BY tenant_id",
    # The backfill's audit checks are deferred to the commit, and a table with
    # pending trigger events cannot be altered: they run now (and pass).
    "SET CONSTRAINTS ALL IMMEDIATE",
    *(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY" for table in ("members", "beneficiaries", "member_tallies")),
]

ID = "2026-12-02T02:14:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "member tallies: row-level security, checks, the triggers that keep them, backfill"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    async def tallies_sql() -> None:
        await rls.run_statements(TALLIES_SQL)

    manager.add_raw(tallies_sql)
    return manager
