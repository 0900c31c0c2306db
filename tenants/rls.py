"""Row-level security as SQL, for migrations.

Policies compare ``tenant_id`` with transaction-scoped settings written by
:mod:`tenants.tx`. Each setting sits in a sub-select so PostgreSQL evaluates it
once per statement rather than once per row, and ``NULLIF`` turns the empty
string a connection keeps after a reset into NULL, so an unset tenant matches
nothing (fail closed).
"""

from piccolo.engine import engine_finder

APPLICATION_ROLE = "socle_application"
"""Group role granted to the login role the application connects with."""

CURRENT_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
READ_TENANTS = "CAST((SELECT NULLIF(current_setting('app.read_tenant_ids', true), '')) AS uuid[])"
"""Version 1, kept for the migrations that used it: the cast sits outside the
sub-select, so PostgreSQL parses the array again for every row."""
READ_TENANTS_ONCE = "(SELECT CAST(NULLIF(current_setting('app.read_tenant_ids', true), '') AS uuid[]))::uuid[]"
"""Version 2: the sub-select yields the parsed array, computed once per
statement. The trailing cast changes nothing (the type is already
``uuid[]``, so PostgreSQL drops it); it only keeps ``= ANY (...)`` from
reading the sub-select as a set of rows."""
CURRENT_USER_ID = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid)"
PLATFORM = "(SELECT current_setting('app.platform', true) = 'on')"


def _read(read_tenants: str, extra_read: str | None) -> str:
    read = f"tenant_id = {CURRENT_TENANT} OR tenant_id = ANY ({read_tenants})"
    return f"{read} OR {extra_read}" if extra_read else read


def _tenant_owned(table: str, read: str) -> list[str]:
    own = f"tenant_id = {CURRENT_TENANT}"
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_tenant_id_id_key UNIQUE (tenant_id, id)",
        *enable_rls(table),
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({read})",
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({own})",
        f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING ({own}) WITH CHECK ({own})",
        f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING ({own})",
    ]


def tenant_owned_table(table: str, *, extra_read: str | None = None) -> list[str]:
    """Statements that make ``table`` tenant-owned (policy version 1, kept
    for the migrations that used it; new tables use :func:`tenant_owned_table_v2`).

    A context reads the rows of its tenant and of the tenants it supervises
    (``app.read_tenant_ids``, the ministry's), and writes only its own
    tenant's rows. ``extra_read`` widens reading only.
    """
    return _tenant_owned(table, _read(READ_TENANTS, extra_read))


def tenant_owned_table_v2(table: str, *, extra_read: str | None = None) -> list[str]:
    """Statements that make ``table`` tenant-owned (policy version 2): as
    version 1, with the supervised tenants' array parsed once per statement."""
    return _tenant_owned(table, _read(READ_TENANTS_ONCE, extra_read))


def tenant_read_policy_v2(table: str, *, extra_read: str | None = None) -> list[str]:
    """Statements that bring the read policy of a table made by
    :func:`tenant_owned_table` to version 2, keeping its ``extra_read``."""
    return [
        f"DROP POLICY {table}_read ON {table}",
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING ({_read(READ_TENANTS_ONCE, extra_read)})",
    ]


REQUIRE_AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION socle_require_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('app.audited', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'change to % without an audit event in its transaction', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$
"""
"""Refuses, at commit, a transaction that changed an audited table without
writing an audit event (:func:`tenants.audit.record` sets ``app.audited``)."""


def require_audit(table: str) -> list[str]:
    """Statements that make every change to ``table`` need an audit event in
    the same transaction. The check is deferred to the commit, so a service
    may write the event before or after its change."""
    return [
        f"CREATE CONSTRAINT TRIGGER {table}_audited AFTER INSERT OR UPDATE OR DELETE ON {table}"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION socle_require_audit()"
    ]


def enable_rls(table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> list[str]:
    """Turn row-level security on (also for the owner) and grant ``privileges``
    to the application role. Without a policy, nothing is visible."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"GRANT {privileges} ON {table} TO {APPLICATION_ROLE}",
    ]


async def run_statements(statements: list[str]) -> None:
    """Run raw statements on the connection of the migration's transaction
    (``Table.raw`` would read ``{}`` in regular expressions as placeholders)."""
    engine = engine_finder()
    transaction = engine.current_transaction.get() if engine else None
    if transaction is None:
        raise RuntimeError("raw migration statements must run inside the migration's transaction")
    for statement in statements:
        await transaction.connection.execute(statement)
