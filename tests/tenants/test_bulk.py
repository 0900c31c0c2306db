"""A scope's insert writes a batch in one statement, with the values Piccolo
would have written, and refuses what the columns refuse; its reads by keys
give what Piccolo's queries give, in the scope only."""

from __future__ import annotations

import asyncpg
import pytest

from schemes.employers.tables import Employer, EmployerStatus
from tenants.audit import service as audit
from tenants.scoping import within
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, make_tenant

pytestmark = pytest.mark.usefixtures("migrated")


def _values(row: Employer) -> dict[str, object]:
    return {column._meta.name: getattr(row, column._meta.name) for column in Employer._meta.columns}


async def test_a_batch_is_one_statement_and_reads_back_as_written(statements: StatementCounter) -> None:
    ctx = await context(await make_tenant())
    scope = within(ctx, Employer)
    rows = [
        scope.new(name="Sonatel", registration_number="005012345", region="SN-DK", contact_email="rh@sonatel.sn"),
        scope.new(name="Dakar Dem Dikk", registration_number="007654321", status=EmployerStatus.CLOSED),
        scope.new(name="Société des Eaux", registration_number="001112223", sector="Eau"),
    ]
    async with tenant_tx(ctx) as tx:
        statements.statements.clear()
        await scope.insert(*rows)
        await audit.record_change(tx, ctx, "employer.create", "employer", rows[0].id)
        read = await scope.objects().order_by(Employer.registration_number)
    inserts = [s for s in statements.of_application() if s.startswith('INSERT INTO "employers"')]
    assert len(inserts) == 1
    assert [row._exists_in_db for row in rows] == [True, True, True]
    assert [_values(row) for row in read] == [_values(rows[i]) for i in (2, 0, 1)]
    assert [row.status for row in read] == ["active", "active", "closed"]


async def test_a_text_too_long_for_its_column_is_refused_not_cut() -> None:
    ctx = await context(await make_tenant())
    scope = within(ctx, Employer)
    rows = [
        scope.new(name="Sonatel", registration_number="005012345"),
        scope.new(name="Kirène", registration_number="005012346", region="SN-DK-TOO-LONG"),
    ]
    with pytest.raises(asyncpg.StringDataRightTruncationError):
        async with tenant_tx(ctx):
            await scope.insert(*rows)
    async with tenant_tx(ctx):
        assert await scope.count() == 0


async def test_nothing_to_insert_sends_nothing(statements: StatementCounter) -> None:
    ctx = await context(await make_tenant())
    async with tenant_tx(ctx):
        statements.statements.clear()
        await within(ctx, Employer).insert()
    assert [s for s in statements.of_application() if s.startswith("INSERT")] == []


async def test_rows_among_keys_are_the_scopes_in_order() -> None:
    mine, theirs = await context(await make_tenant()), await context(await make_tenant())
    made = {}
    for ctx, names in ((mine, ("Sonatel", "Kirène", "SDE")), (theirs, ("Sonatel",))):
        scope = within(ctx, Employer)
        rows = [scope.new(name=name, registration_number=f"00{index}012345") for index, name in enumerate(names)]
        async with tenant_tx(ctx) as tx:
            await scope.insert(*rows)
            await audit.record_change(tx, ctx, "employer.create", "employer", rows[0].id)
        made[ctx.tenant_id] = rows
    ids = [row.id for rows in made.values() for row in rows]
    async with tenant_tx(mine):
        scope = within(mine, Employer)
        found = await scope.among(Employer.id, ids, Employer.name)
        by_piccolo = await scope.objects().where(Employer.id.is_in(ids)).order_by(Employer.name)
        by_name = await scope.among(Employer.name, ["Sonatel", "SDE"], Employer.name)
        none = await scope.among(Employer.id, [])
    assert [_values(row) for row in found] == [_values(row) for row in by_piccolo]
    assert [row.name for row in found] == ["Kirène", "SDE", "Sonatel"]
    assert [row.name for row in by_name] == ["SDE", "Sonatel"]
    assert {row.tenant_id for row in [*found, *by_name]} == {mine.tenant_id}
    assert [row._exists_in_db for row in found] == [True, True, True]
    assert none == []
