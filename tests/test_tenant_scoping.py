"""Tenant-owned tables are queried only through ``tenants.scoping``: a direct
``Table.select()`` (or objects, update, delete, insert, count, exists, raw) on
one of them anywhere in the code fails this test, and so does raw SQL sent on
a connection instead of through the transaction, whose methods check every
statement for a tenant filter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.db import APP_REGISTRY
from tenants.scoping import MissingTenantFilter, check_tenant_filters
from tenants.tables import TENANT_OWNED_TABLES, TenantTable

ROOT = Path(__file__).parent.parent
PACKAGES = ("app", "tenants", "schemes", "workers")
QUERY_METHODS = {"select", "objects", "update", "delete", "insert", "count", "exists", "raw", "get", "get_or_create"}
RAW_METHODS = {"fetch", "fetchrow", "fetchval", "execute", "executemany"}
ALLOWED = {Path("tenants/scoping.py")}
RAW_ALLOWED = {
    Path("tenants/tx.py"),  # the checked methods themselves
    Path("tenants/rls.py"),  # migrations run as the owner, on the migration's connection
}

TENANT_TABLES = {
    table.__name__
    for app in APP_REGISTRY.app_configs.values()
    for table in app.table_classes
    if issubclass(table, TenantTable)
}


def _direct_queries(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in TENANT_TABLES
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    return found


def _unchecked_raw_sql(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(root)}:{node.lineno} connection.{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RAW_METHODS
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "connection"
    ]


def _sources(allowed: set[Path]) -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "piccolo_migrations" not in path.parts and path.relative_to(ROOT) not in allowed
    ]


def test_tenant_tables_are_only_queried_through_the_scoping_helper() -> None:
    assert [offence for path in _sources(ALLOWED) for offence in _direct_queries(path)] == []


def test_raw_sql_goes_through_the_checked_transaction_methods() -> None:
    assert [offence for path in _sources(RAW_ALLOWED) for offence in _unchecked_raw_sql(path)] == []


def test_the_check_sees_a_direct_query(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from schemes.rules.tables import Scheme\n\nScheme.select().where(Scheme.code == 'X')\n")
    assert _direct_queries(sample, tmp_path) == ["sample.py:3 Scheme.select()"]


def test_the_check_sees_raw_sql_on_a_connection(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("async def f(tx):\n    await tx.connection.fetch('SELECT * FROM schemes')\n")
    assert _unchecked_raw_sql(sample, tmp_path) == ["sample.py:2 connection.fetch()"]


def test_every_tenant_table_is_known_to_the_raw_sql_check() -> None:
    tablenames = {
        table._meta.tablename
        for app in APP_REGISTRY.app_configs.values()
        for table in app.table_classes
        if issubclass(table, TenantTable)
    }
    assert tablenames <= TENANT_OWNED_TABLES
    assert {"memberships", "invitations", "api_clients", "schemes"} <= tablenames


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1",
        "SELECT count(*) FROM invitations WHERE tenant_id = $1 AND accepted_at IS NULL",
        "SELECT * FROM api_clients c WHERE c.id = $1 AND c.tenant_id = ANY($2::uuid[])",
        "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2",
        "DELETE FROM schemes WHERE tenant_id = $1 AND id = $2",
        "INSERT INTO schemes (id, tenant_id, code) VALUES ($1, $2, $3)",
        "SELECT * FROM users WHERE email = $1",
        "SELECT m.role FROM memberships m WHERE memberships.user_id = $2 AND m.tenant_id = $1",
        "WITH open AS (SELECT i.id FROM invitations i WHERE i.tenant_id = $1) SELECT * FROM open",
        "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2 RETURNING role",
    ],
)
def test_statements_filtered_by_tenant_pass(statement: str) -> None:
    check_tenant_filters(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.user_id = $1",
        "SELECT * FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.tenant_id = $1",
        "UPDATE invitations SET revoked_at = now() WHERE id = $1",
        "DELETE FROM api_clients WHERE id = $1",
        "INSERT INTO schemes (id, code) VALUES ($1, $2)",
        "SELECT * FROM invitations i WHERE i.token_hash = $1 AND tenant_id IS NULL",
        "SELECT * FROM users u, memberships m WHERE m.user_id = u.id AND u.tenant_id = $1",
        "SELECT * FROM public.memberships WHERE tenant_id = $1",
        'SELECT * FROM "memberships" WHERE tenant_id = $1',
        "SELECT * FROM ONLY memberships WHERE tenant_id = $1",
        "UPDATE memberships SET tenant_id = $1 WHERE user_id = $2",
        "SELECT id FROM schemes WHERE tenant_id = $1 UNION SELECT id FROM api_clients",
        "WITH open AS (SELECT id FROM invitations WHERE revoked_at IS NULL) SELECT * FROM open",
    ],
)
def test_a_forgotten_tenant_filter_is_refused(statement: str) -> None:
    with pytest.raises(MissingTenantFilter):
        check_tenant_filters(statement)
