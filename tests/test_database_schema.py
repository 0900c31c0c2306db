"""The database schema keeps the tenancy rules: every table under row-level
security, tenant-owned tables keyed by tenant first, the app role powerless
to bypass them."""

from __future__ import annotations

import re
import uuid

import asyncpg
import pytest

from app.db import APP_REGISTRY
from tenants.tables import TenantTable

pytestmark = pytest.mark.usefixtures("migrated")

TENANT_OWNED = sorted(
    table._meta.tablename
    for app in APP_REGISTRY.app_configs.values()
    for table in app.table_classes
    if issubclass(table, TenantTable)
)

TALLIED = {"members", "beneficiaries"}
"""Tables whose changes PostgreSQL adds to ``member_tallies``."""
TALLY_EVENTS = ("delete", "insert", "update")
UNAUDITED = {"gateway_events"}
"""Tenant tables whose rows are a record of their own, written without an audit event."""


async def test_tenant_owned_tables_are_known(owner: asyncpg.Connection) -> None:
    assert TENANT_OWNED == [
        "api_clients",
        "beneficiaries",
        "call_reminders",
        "checkouts",
        "contribution_calls",
        "documents",
        "duplicate_pairs",
        "employer_declaration_lines",
        "employer_declarations",
        "employers",
        "gateway_accounts",
        "gateway_events",
        "identity_documents",
        "import_jobs",
        "import_row_problems",
        "invitations",
        "member_employments",
        "member_status_changes",
        "member_tallies",
        "members",
        "membership_numberings",
        "memberships",
        "payment_allocations",
        "payment_receipts",
        "payments",
        "receipt_sequences",
        "scheme_rule_versions",
        "schemes",
        "subsidy_payments",
        "subsidy_statement_calls",
        "subsidy_statements",
    ]


async def test_every_table_has_rls_enabled_and_forced(owner: asyncpg.Connection) -> None:
    rows = await owner.fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
        " WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'migration'"
        " ORDER BY relname"
    )
    assert [tuple(row) for row in rows] == [
        ("administrative_divisions", True, True),
        ("api_clients", True, True),
        ("audit_events", True, True),
        ("beneficiaries", True, True),
        ("call_reminders", True, True),
        ("checkouts", True, True),
        ("contribution_calls", True, True),
        ("documents", True, True),
        ("duplicate_pairs", True, True),
        ("employer_declaration_lines", True, True),
        ("employer_declarations", True, True),
        ("employers", True, True),
        ("gateway_accounts", True, True),
        ("gateway_events", True, True),
        ("identity_documents", True, True),
        ("import_jobs", True, True),
        ("import_row_problems", True, True),
        ("invitations", True, True),
        ("job_deliveries", True, True),
        ("member_employments", True, True),
        ("member_status_changes", True, True),
        ("member_tallies", True, True),
        ("members", True, True),
        ("membership_numberings", True, True),
        ("memberships", True, True),
        ("one_time_codes", True, True),
        ("outbox", True, True),
        ("password_resets", True, True),
        ("payment_allocations", True, True),
        ("payment_receipts", True, True),
        ("payments", True, True),
        ("receipt_sequences", True, True),
        ("refresh_tokens", True, True),
        ("scheme_rule_versions", True, True),
        ("schemes", True, True),
        ("sessions", True, True),
        ("sign_in_throttles", True, True),
        ("signing_keys", True, True),
        ("subsidy_payments", True, True),
        ("subsidy_statement_calls", True, True),
        ("subsidy_statements", True, True),
        ("tenants", True, True),
        ("users", True, True),
    ]


async def test_changes_need_an_audit_event_everywhere_but_in_bookkeeping(owner: asyncpg.Connection) -> None:
    rows = await owner.fetch(
        """
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> 'migration'
          AND NOT EXISTS (
            SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = c.oid AND p.proname = 'socle_require_audit' AND t.tginitdeferred
          )
        ORDER BY c.relname
        """
    )
    # The log itself, the job outbox, the record of job deliveries, the providers' events as they
    # came, and the failed sign-in counters.
    assert [row["relname"] for row in rows] == [
        "audit_events",
        "gateway_events",
        "job_deliveries",
        "outbox",
        "sign_in_throttles",
    ]


@pytest.mark.parametrize("table", TENANT_OWNED)
async def test_tenant_owned_table_shape(owner: asyncpg.Connection, table: str) -> None:
    tenant_id = await owner.fetchrow(
        "SELECT data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 AND column_name = 'tenant_id'",
        table,
    )
    assert tuple(tenant_id) == ("uuid", "NO")
    unique_indexes = await owner.fetch(
        """
        SELECT i.relname AS name, a.attname AS first_column
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
        WHERE x.indrelid = $1::regclass AND x.indisunique AND NOT x.indisprimary
        """,
        table,
    )
    assert unique_indexes, f"{table} has no unique index on (tenant_id, id)"
    assert {row["name"]: row["first_column"] for row in unique_indexes} == {
        row["name"]: "tenant_id" for row in unique_indexes
    }
    policies = await owner.fetch("SELECT cmd FROM pg_policies WHERE tablename = $1 ORDER BY cmd", table)
    assert [row["cmd"] for row in policies] == ["DELETE", "INSERT", "SELECT", "UPDATE"]
    triggers = await owner.fetch(
        """
        SELECT t.tgname, t.tgdeferrable, t.tginitdeferred, p.proname
        FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE t.tgrelid = $1::regclass AND NOT t.tgisinternal
        ORDER BY t.tgname
        """,
        table,
    )
    tallies = [(f"{table}_tally_{event}", False, False, f"socle_tally_{table}") for event in TALLY_EVENTS]
    audited = [(f"{table}_audited", True, True, "socle_require_audit")] if table not in UNAUDITED else []
    assert [tuple(row) for row in triggers] == [*audited, *(tallies if table in TALLIED else [])]


async def test_application_role_cannot_bypass_rls(owner: asyncpg.Connection, settings: object) -> None:
    from app.settings import Settings

    assert isinstance(settings, Settings) and settings.database_url
    connection = await asyncpg.connect(settings.database_url)
    try:
        row = await connection.fetchrow("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        owned = await connection.fetchval("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("ALTER TABLE schemes DISABLE ROW LEVEL SECURITY")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.fetch("SELECT * FROM migration")  # Piccolo's record of applied migrations
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(statement)
    finally:
        await connection.close()
    assert (row["rolsuper"], row["rolbypassrls"], owned) == (False, False, 0)


@pytest.mark.parametrize("table", [*TENANT_OWNED, "audit_events", "tenants"])
async def test_a_ministry_read_parses_its_supervised_tenants_once(settings: object, table: str) -> None:
    """Read policies compute the supervised tenants' array once per statement
    (an InitPlan yielding ``uuid[]``), not cast it again for every row."""
    from app.settings import Settings

    assert isinstance(settings, Settings) and settings.database_url
    supervised = "{" + ",".join(str(uuid.uuid4()) for _ in range(3)) + "}"
    connection = await asyncpg.connect(settings.database_url)
    try:
        async with connection.transaction():
            await connection.execute(
                "SELECT set_config('app.tenant_id', $1, true), set_config('app.read_tenant_ids', $2, true)",
                str(uuid.uuid4()),
                supervised,
            )
            plan = [row[0].strip() for row in await connection.fetch(f"EXPLAIN (VERBOSE) SELECT * FROM {table}")]
    finally:
        await connection.close()
    # A sequential scan filters rows; a bitmap scan of the tenant index rechecks them.
    (row_filter,) = (line for line in plan if line.startswith(("Filter: ", "Recheck Cond: ")))
    column = "id" if table == "tenants" else "tenant_id"
    found = re.search(rf"\({table}\.{column} = ANY \(\(InitPlan (\d+)\)\.col1\)\)", row_filter)
    assert found, row_filter
    assert "::uuid[]" not in row_filter
    computed = plan[plan.index(f"InitPlan {found.group(1)}") + 2]
    assert computed == "Output: (NULLIF(current_setting('app.read_tenant_ids'::text, true), ''::text))::uuid[]"
