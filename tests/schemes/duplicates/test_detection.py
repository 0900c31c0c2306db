"""Probable duplicates flagged at enrolment: alike names (accents, case,
word order and apostrophes ignored) with the same exact date of birth or
the same phone, against the tenant's members and within the batch, in one
statement per batch, on indexes among many members."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from schemes.duplicates import detection
from schemes.members import enrolment
from tenants.context import TenantContext
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, make_tenant
from tests.schemes.duplicates.factories import person
from tests.schemes.members.factories import make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


async def _enrol(ctx: TenantContext, batch: list[enrolment.Enrolment]) -> list[Any]:
    async with tenant_tx(ctx) as tx:
        outcomes = await enrolment.enrol_many(tx, ctx, batch, date(2025, 3, 1))
    assert all(outcome.member is not None for outcome in outcomes), outcomes
    return [outcome.member for outcome in outcomes]


async def _pairs(owner: asyncpg.Connection, tenant_id: Any) -> list[tuple[Any, ...]]:
    rows = await owner.fetch(
        "SELECT e.first_names || ' ' || e.last_name AS earlier, l.first_names || ' ' || l.last_name AS later,"
        " p.same_birth_date, p.same_phone, round(p.similarity::numeric, 2) AS similarity, p.status"
        " FROM duplicate_pairs p"
        " JOIN members f ON f.id = p.first_member_id JOIN members s ON s.id = p.second_member_id"
        " JOIN members e ON e.id = CASE WHEN f.sequence < s.sequence THEN f.id ELSE s.id END"
        " JOIN members l ON l.id = CASE WHEN f.sequence < s.sequence THEN s.id ELSE f.id END"
        " WHERE p.tenant_id = $1 ORDER BY e.sequence, l.sequence",
        tenant_id,
    )
    return [tuple(row) for row in rows]


@pytest.fixture
async def mutual() -> tuple[TenantContext, Any]:
    tenant = await make_tenant()
    ctx = await context(tenant)
    return ctx, await make_scheme(ctx)


async def test_senegalese_names_match_in_any_order_with_or_without_the_apostrophe(
    mutual: tuple[TenantContext, Any], owner: asyncpg.Connection
) -> None:
    ctx, scheme = mutual
    await _enrol(ctx, [person(scheme, "Mamadou", "Ndiaye")])
    await _enrol(ctx, [person(scheme, "NDIAYE", "Mamadou"), person(scheme, "Mamadou", "N'Diaye")])
    await _enrol(ctx, [person(scheme, "Mamadou", "Ndiay")])
    assert await _pairs(owner, ctx.tenant_id) == [
        ("Mamadou Ndiaye", "NDIAYE Mamadou", True, False, 1, "pending"),
        ("Mamadou Ndiaye", "Mamadou N'Diaye", True, False, 1, "pending"),
        ("Mamadou Ndiaye", "Mamadou Ndiay", True, False, Decimal("0.81"), "pending"),
        ("NDIAYE Mamadou", "Mamadou N'Diaye", True, False, 1, "pending"),
        ("NDIAYE Mamadou", "Mamadou Ndiay", True, False, Decimal("0.81"), "pending"),
        ("Mamadou N'Diaye", "Mamadou Ndiay", True, False, Decimal("0.81"), "pending"),
    ]


async def test_a_phone_matches_as_a_birth_date_does(
    mutual: tuple[TenantContext, Any], owner: asyncpg.Connection
) -> None:
    ctx, scheme = mutual
    await _enrol(ctx, [person(scheme, "Aïssatou", "Diallo", birth_year=1979, birth_date=None, phone="+221771112233")])
    await _enrol(ctx, [person(scheme, "Aissatou", "DIALLO", birth_date=date(1979, 4, 2), phone="77 111 22 33")])
    assert await _pairs(owner, ctx.tenant_id) == [("Aïssatou Diallo", "Aissatou DIALLO", False, True, 1, "pending")]


async def test_namesakes_are_not_flagged(mutual: tuple[TenantContext, Any], owner: asyncpg.Connection) -> None:
    """Another first name on the same day, the same name on another day with
    another phone, the same name with a birth year alone: no pair."""
    ctx, scheme = mutual
    await _enrol(ctx, [person(scheme, "Mamadou", "Ndiaye", phone="+221771112233")])
    await _enrol(
        ctx,
        [
            person(scheme, "Moussa", "Ndiaye"),
            person(scheme, "Mamadou", "Ndiaye", birth_date=date(1990, 1, 9), phone="+221765554433"),
            person(scheme, "Mamadou", "Ndiaye", birth_date=None, birth_year=1984),
        ],
    )
    await _enrol(ctx, [person(scheme, "Mamadou", "Ndiaye", birth_date=None, birth_year=1984)])
    assert await _pairs(owner, ctx.tenant_id) == []
    moussa = await owner.fetchval("SELECT round(similarity('ndiaye mamadou', 'ndiaye moussa')::numeric, 2)")
    assert moussa == Decimal("0.38") < Decimal(str(detection.SIMILARITY_THRESHOLD))


async def test_terminated_members_are_not_compared_and_a_pair_is_kept_once(
    mutual: tuple[TenantContext, Any], owner: asyncpg.Connection
) -> None:
    ctx, scheme = mutual
    (gone,) = await _enrol(ctx, [person(scheme, "Fatou", "Sow")])
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.audited', 'on', true)")
        await owner.execute("UPDATE members SET status = 'terminated' WHERE id = $1", gone.id)
    first, second = await _enrol(ctx, [person(scheme, "Fatou", "Sow"), person(scheme, "Fatou", "Sow")])
    async with tenant_tx(ctx) as tx:
        again = await detection.flag(tx, ctx, [first.id, second.id])
    assert (again, await _pairs(owner, ctx.tenant_id)) == (0, [("Fatou Sow", "Fatou Sow", True, False, 1, "pending")])


async def test_a_batch_is_compared_in_one_statement(
    mutual: tuple[TenantContext, Any], owner: asyncpg.Connection, statements: StatementCounter
) -> None:
    """A batch of 50 (three people enrolled before, one person twice, 45
    others) is compared with the register and with itself by one statement."""
    ctx, scheme = mutual
    known = [("Awa", "Diop"), ("Cheikh", "Fall"), ("Binta", "Sarr")]
    await _enrol(ctx, [person(scheme, first, last) for first, last in known])
    statements.statements.clear()
    others = [
        person(scheme, f"Personne{i}", "Gueye", birth_date=date(1950, 1, 1) + timedelta(days=40 * i)) for i in range(45)
    ]
    batch = [*(person(scheme, first, last) for first, last in known), *others]
    await _enrol(ctx, [*batch, person(scheme, "Ousmane", "Ba"), person(scheme, "Ousmane", "Bâ")])
    flagged = [sql for sql in statements.statements if "INSERT INTO duplicate_pairs" in sql]
    assert len(flagged) == 1
    assert [pair[:2] for pair in await _pairs(owner, ctx.tenant_id)] == [
        ("Awa Diop", "Awa Diop"),
        ("Cheikh Fall", "Cheikh Fall"),
        ("Binta Sarr", "Binta Sarr"),
        ("Ousmane Ba", "Ousmane Bâ"),
    ]


async def test_the_detection_uses_the_indexes_among_many_members(
    mutual: tuple[TenantContext, Any], owner: asyncpg.Connection
) -> None:
    """Among 30,000 members, the candidates come from the birth date's and the
    phone's indexes, not from reading every member."""
    ctx, scheme = mutual
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.audited', 'on', true)")
        await owner.execute(
            """
            INSERT INTO members (id, tenant_id, scheme_id, category, number, sequence, status, status_on, enrolled_on,
                                 first_names, last_name, normalized_name, sex, birth_date, birth_date_approximate,
                                 nationality, phone, address_country, category_data, created_at, updated_at)
            SELECT gen_random_uuid(), $1, $2, 'artisan', 'N' || n, n, 'active', '2024-01-01', '2024-01-01',
                   'Prenom' || n, 'Nom' || n, 'nom' || md5(n::text) || ' prenom' || n, 'female',
                   date '1940-01-01' + n, n % 5 = 0, 'SN', '+22177' || lpad(n::text, 7, '0'), 'SN', '{}', now(), now()
            FROM generate_series(1, 30000) AS n
            """,
            ctx.tenant_id,
            scheme.id,
        )
    await owner.execute("ANALYZE members")
    new_ids = [
        row["id"] for row in await owner.fetch("SELECT id FROM members WHERE tenant_id = $1 LIMIT 500", ctx.tenant_id)
    ]
    plan = "\n".join(
        row[0]
        for row in await owner.fetch(
            f"EXPLAIN {detection._FLAG}", ctx.tenant_id, new_ids, detection.SIMILARITY_THRESHOLD
        )
    )
    assert "members_tenant_id_birth_date_idx" in plan, plan
    assert "members_tenant_id_phone_idx" in plan, plan
    assert "Seq Scan on members" not in plan, plan


async def test_one_phone_missing_is_no_phone_match_and_the_birth_date_still_counts(
    mutual: tuple[TenantContext, Any], owner: asyncpg.Connection
) -> None:
    ctx, scheme = mutual
    await _enrol(ctx, [person(scheme, "Awa", "Sarr", phone="+221771112244")])
    await _enrol(ctx, [person(scheme, "Awa", "SARR")])
    assert await _pairs(owner, ctx.tenant_id) == [("Awa Sarr", "Awa SARR", True, False, 1, "pending")]
