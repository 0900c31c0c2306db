"""Tenant-owned tables are queried only through ``tenants.scoping``: a direct
``Table.select()`` (or objects, update, delete, insert, count, exists, raw) on
one of them anywhere in the code fails this test."""

from __future__ import annotations

import ast
from pathlib import Path

from app.db import APP_REGISTRY
from tenants.tables import TenantTable

ROOT = Path(__file__).parent.parent
PACKAGES = ("app", "tenants", "schemes", "workers")
QUERY_METHODS = {"select", "objects", "update", "delete", "insert", "count", "exists", "raw", "get", "get_or_create"}
ALLOWED = {Path("tenants/scoping.py")}

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


def test_tenant_tables_are_only_queried_through_the_scoping_helper() -> None:
    offenders = [
        offence
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "piccolo_migrations" not in path.parts and path.relative_to(ROOT) not in ALLOWED
        for offence in _direct_queries(path)
    ]
    assert offenders == []


def test_the_check_sees_a_direct_query(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from schemes.rules.tables import Scheme\n\nScheme.select().where(Scheme.code == 'X')\n")
    assert _direct_queries(sample, tmp_path) == ["sample.py:3 Scheme.select()"]
