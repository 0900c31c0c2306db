"""Rule versions: effective dating, used versions frozen, validation with
field paths, other tenants' schemes not found, row-level security alone."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from schemes.rules import service as scheme_service
from schemes.rules.model import (
    Branch,
    CareCategory,
    ContributionBasis,
    FacilityLevel,
    MemberCategory,
    Payer,
    PayerShare,
    RuleDocument,
    WaitingPeriod,
    document_from_json,
    document_to_json,
)
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.schemes.rules.documents import CMU

pytestmark = pytest.mark.usefixtures("migrated")


async def _scheme(ctx: TenantContext, code: str = "CMU") -> Scheme:
    async with tenant_tx(ctx) as tx:
        return await scheme_service.create_scheme(
            tx,
            ctx,
            scheme_service.NewScheme(
                code=code, name="Couverture maladie", branch=Branch.HEALTH, categories=(MemberCategory.ARTISAN,)
            ),
        )


async def _version(
    ctx: TenantContext, scheme_id: UUID, on: date, document: RuleDocument = CMU
) -> scheme_service.RuleVersion:
    async with tenant_tx(ctx) as tx:
        return await scheme_service.create_version(
            tx, ctx, scheme_service.NewRuleVersion(scheme_id=scheme_id, effective_from=on, document=document)
        )


async def _error(call: Any) -> tuple[str, tuple[str, ...]]:
    with pytest.raises(DomainError) as raised:
        await call
    return raised.value.code, raised.value.path


def test_a_document_survives_its_json_form() -> None:
    assert document_from_json(json.loads(json.dumps(document_to_json(CMU)))) == CMU


async def test_a_new_version_applies_from_its_date_and_earlier_dates_keep_theirs() -> None:
    ctx = await context(await make_tenant())
    scheme = await _scheme(ctx)
    dearer = dataclasses.replace(CMU, contribution=dataclasses.replace(CMU.contribution, amount=8_000))
    first = await _version(ctx, scheme.id, date(2027, 1, 1))
    second = await _version(ctx, scheme.id, date(2027, 7, 1), dearer)
    async with tenant_tx(ctx) as tx:
        found = {
            on: await scheme_service.version_in_force(tx, ctx, scheme.id, on)
            for on in (date(2026, 12, 31), date(2027, 1, 1), date(2027, 6, 30), date(2027, 7, 1), date(2030, 1, 1))
        }
    assert {on: version and version.number for on, version in found.items()} == {
        date(2026, 12, 31): None,
        date(2027, 1, 1): 1,
        date(2027, 6, 30): 1,
        date(2027, 7, 1): 2,
        date(2030, 1, 1): 2,
    }
    assert (first.number, second.number, found[date(2027, 7, 1)]) == (1, 2, second)
    assert found[date(2027, 6, 30)] == first


async def test_versions_in_force_of_several_schemes_in_one_call() -> None:
    ctx = await context(await make_tenant())
    cmu, other, empty = await _scheme(ctx, "CMU"), await _scheme(ctx, "AUTRE"), await _scheme(ctx, "VIDE")
    await _version(ctx, cmu.id, date(2027, 1, 1))
    later = await _version(ctx, other.id, date(2027, 3, 1))
    async with tenant_tx(ctx) as tx:
        found = await scheme_service.versions_in_force(tx, ctx, [cmu.id, other.id, empty.id], date(2027, 3, 1))
    assert sorted(found) == sorted([cmu.id, other.id])
    assert found[other.id] == later


async def test_a_used_version_is_frozen_and_new_versions_follow_its_last_period() -> None:
    ctx = await context(await make_tenant())
    scheme = await _scheme(ctx)
    version = await _version(ctx, scheme.id, date(2027, 1, 1))
    async with tenant_tx(ctx) as tx:
        await scheme_service.mark_used(tx, ctx, version.id, date(2027, 12, 31))
        # A period ending earlier changes nothing.
        await scheme_service.mark_used(tx, ctx, version.id, date(2027, 3, 31))
    change = scheme_service.RuleVersionChange(version_id=version.id, effective_from=date(2027, 1, 1), document=CMU)
    async with tenant_tx(ctx) as tx:
        refused = await _error(scheme_service.update_version(tx, ctx, change))
    assert refused == ("schemes.RULE_VERSION_USED", ("input", "id"))
    for too_early in (date(2027, 12, 31), date(2027, 6, 1)):
        new = scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=too_early, document=CMU)
        async with tenant_tx(ctx) as tx:
            assert await _error(scheme_service.create_version(tx, ctx, new)) == (
                "schemes.EFFECTIVE_DATE_TOO_EARLY",
                ("input", "effectiveFrom"),
            )
    following = await _version(ctx, scheme.id, date(2028, 1, 1))
    async with tenant_tx(ctx) as tx:
        found = await scheme_service.version_in_force(tx, ctx, scheme.id, date(2027, 12, 31))
        assert await _error(scheme_service.mark_used(tx, ctx, following.id, date(2027, 12, 31))) == (
            "schemes.USED_BEFORE_EFFECTIVE_DATE",
            ("through",),
        )
    assert (found and found.used_through, following.number) == (date(2027, 12, 31), 2)


async def test_an_unused_version_can_be_edited() -> None:
    ctx = await context(await make_tenant())
    scheme = await _scheme(ctx)
    version = await _version(ctx, scheme.id, date(2027, 1, 1))
    dearer = dataclasses.replace(CMU, contribution=dataclasses.replace(CMU.contribution, amount=8_000))
    change = scheme_service.RuleVersionChange(version_id=version.id, effective_from=date(2027, 2, 1), document=dearer)
    async with tenant_tx(ctx) as tx:
        await scheme_service.update_version(tx, ctx, change)
    async with tenant_tx(ctx) as tx:
        assert await scheme_service.version_in_force(tx, ctx, scheme.id, date(2027, 1, 31)) is None
        found = await scheme_service.version_in_force(tx, ctx, scheme.id, date(2027, 2, 1))
    assert found == dataclasses.replace(version, effective_from=date(2027, 2, 1), document=dearer)


async def test_two_versions_cannot_take_effect_on_one_date() -> None:
    ctx = await context(await make_tenant())
    scheme = await _scheme(ctx)
    await _version(ctx, scheme.id, date(2027, 1, 1))
    new = scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=date(2027, 1, 1), document=CMU)
    async with tenant_tx(ctx) as tx:
        assert await _error(scheme_service.create_version(tx, ctx, new)) == (
            "schemes.EFFECTIVE_DATE_TAKEN",
            ("input", "effectiveFrom"),
        )


def _contribution(**changes: Any) -> RuleDocument:
    return dataclasses.replace(CMU, contribution=dataclasses.replace(CMU.contribution, **changes))


def _line(index: int, **changes: Any) -> RuleDocument:
    lines = list(CMU.benefits)
    lines[index] = dataclasses.replace(lines[index], **changes)
    return dataclasses.replace(CMU, benefits=tuple(lines))


def _dependents(**changes: Any) -> RuleDocument:
    return dataclasses.replace(CMU, dependents=dataclasses.replace(CMU.dependents, **changes))


INVALID = [
    (_contribution(amount=None), "schemes.AMOUNT_REQUIRED", "contribution.amount"),
    (_contribution(amount=0), "schemes.AMOUNT_NOT_POSITIVE", "contribution.amount"),
    (_contribution(rate=500), "schemes.NOT_APPLICABLE", "contribution.rate"),
    (_contribution(basis=ContributionBasis.SALARY_RATE, amount=None), "schemes.RATE_REQUIRED", "contribution.rate"),
    (
        _contribution(basis=ContributionBasis.INCOME_RATE, amount=None, rate=10_001),
        "schemes.RATE_OUT_OF_RANGE",
        "contribution.rate",
    ),
    (
        _contribution(
            basis=ContributionBasis.INCOME_RATE, amount=None, rate=700, income_floor=300_000, income_ceiling=37_000
        ),
        "schemes.FLOOR_ABOVE_CEILING",
        "contribution.incomeFloor",
    ),
    (
        _contribution(basis=ContributionBasis.INCOME_RATE, amount=None, rate=700, income_ceiling=-1),
        "schemes.AMOUNT_NOT_POSITIVE",
        "contribution.incomeCeiling",
    ),
    (_contribution(registration_fee=-1), "schemes.NEGATIVE_NUMBER", "contribution.registrationFee"),
    (
        _contribution(basis=ContributionBasis.SALARY_RATE, amount=None, rate=1_500, subsidy_groups=()),
        "schemes.STATE_SHARE_OF_SALARY",
        "contribution.shares.1.payer",
    ),
    (
        _contribution(shares=(PayerShare(Payer.MEMBER, 5_000), PayerShare(Payer.EMPLOYER, 5_000))),
        "schemes.EMPLOYER_SHARE_WITHOUT_SALARY",
        "contribution.shares.1.payer",
    ),
    (
        _contribution(shares=(PayerShare(Payer.MEMBER, 5_000), PayerShare(Payer.STATE, 4_999))),
        "schemes.SHARES_NOT_WHOLE",
        "contribution.shares",
    ),
    (
        _contribution(shares=(PayerShare(Payer.MEMBER, 5_000), PayerShare(Payer.MEMBER, 5_000))),
        "schemes.DUPLICATE_PAYER",
        "contribution.shares.1.payer",
    ),
    (
        _contribution(shares=(PayerShare(Payer.MEMBER, 0), PayerShare(Payer.STATE, 10_000))),
        "schemes.RATE_OUT_OF_RANGE",
        "contribution.shares.0.share",
    ),
    (_line(1, coverage_rate=10_500), "schemes.RATE_OUT_OF_RANGE", "benefits.1.coverageRate"),
    (_line(1, coverage_rate=-1), "schemes.RATE_OUT_OF_RANGE", "benefits.1.coverageRate"),
    (_line(1, coverage_rate=None), "schemes.COVERAGE_REQUIRED", "benefits.1.coverageRate"),
    (_line(1, fixed_amount=5_000), "schemes.COVERAGE_REQUIRED", "benefits.1.coverageRate"),
    (_line(1, ceiling_per_event=0), "schemes.AMOUNT_NOT_POSITIVE", "benefits.1.ceilingPerEvent"),
    (_line(1, ceiling_per_household_year=-5), "schemes.AMOUNT_NOT_POSITIVE", "benefits.1.ceilingPerHouseholdYear"),
    (_line(1, max_count_per_year=0), "schemes.AMOUNT_NOT_POSITIVE", "benefits.1.maxCountPerYear"),
    (
        _line(1, care_category=CareCategory.CONSULTATION, facility_level=FacilityLevel.PUBLIC),
        "schemes.DUPLICATE_BENEFIT_LINE",
        "benefits.1.careCategory",
    ),
    (
        dataclasses.replace(
            CMU,
            rights=dataclasses.replace(
                CMU.rights,
                waiting_periods=(WaitingPeriod(CareCategory.DRUGS, 30), WaitingPeriod(CareCategory.DRUGS, 60)),
            ),
        ),
        "schemes.DUPLICATE_WAITING_PERIOD",
        "rights.waitingPeriods.1.careCategory",
    ),
    (
        dataclasses.replace(CMU, rights=dataclasses.replace(CMU.rights, grace_days=-1)),
        "schemes.NEGATIVE_NUMBER",
        "rights.graceDays",
    ),
    (_dependents(child_age_limit=0), "schemes.INVALID_AGE_LIMIT", "dependents.childAgeLimit"),
    (_dependents(student_age_limit=18), "schemes.INVALID_STUDENT_AGE_LIMIT", "dependents.studentAgeLimit"),
    (_dependents(spouses_allowed=-1), "schemes.NEGATIVE_NUMBER", "dependents.spousesAllowed"),
]


@pytest.mark.parametrize(("document", "code", "path"), INVALID, ids=[f"{c}:{p}" for _, c, p in INVALID])
async def test_an_invalid_document_is_refused_naming_its_field(document: RuleDocument, code: str, path: str) -> None:
    ctx = await context(await make_tenant())
    scheme = await _scheme(ctx)
    new = scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=date(2027, 1, 1), document=document)
    async with tenant_tx(ctx) as tx:
        assert await _error(scheme_service.create_version(tx, ctx, new)) == (code, ("input", *path.split(".")))
    async with tenant_tx(ctx) as tx:
        assert await scheme_service.versions_by_scheme(tx, ctx, [scheme.id]) == {}


def test_a_benefit_line_with_a_fixed_amount_alone_is_valid() -> None:
    from schemes.rules.validation import validate_document

    validate_document(_line(1, coverage_rate=None, fixed_amount=15_000))


async def test_a_scheme_admits_at_least_one_category() -> None:
    ctx = await context(await make_tenant())
    data = scheme_service.NewScheme(code="VIDE", name="Sans catégorie", branch=Branch.HEALTH, categories=())
    async with tenant_tx(ctx) as tx:
        assert await _error(scheme_service.create_scheme(tx, ctx, data)) == (
            "schemes.CATEGORIES_REQUIRED",
            ("input", "categories"),
        )


async def test_another_tenants_scheme_and_versions_are_not_found() -> None:
    a, b = await context(await make_tenant()), await context(await make_tenant())
    scheme = await _scheme(b)
    version = await _version(b, scheme.id, date(2027, 1, 1))
    new = scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=date(2028, 1, 1), document=CMU)
    change = scheme_service.RuleVersionChange(version_id=version.id, effective_from=date(2027, 2, 1), document=CMU)
    async with tenant_tx(a) as tx:
        outcomes = [
            await _error(scheme_service.create_version(tx, a, new)),
            await _error(scheme_service.update_version(tx, a, change)),
            await _error(scheme_service.update_scheme(tx, a, scheme_service.SchemeChange(scheme.id, name="Pris"))),
            await _error(scheme_service.mark_used(tx, a, version.id, date(2027, 12, 31))),
        ]
        assert await scheme_service.versions_in_force(tx, a, [scheme.id], date(2027, 6, 1)) == {}
        assert await scheme_service.versions_by_scheme(tx, a, [scheme.id]) == {}
        assert await scheme_service.schemes_by_id(tx, a, [scheme.id]) == []
    assert outcomes == [
        ("schemes.SCHEME_NOT_FOUND", ("input", "schemeId")),
        ("schemes.RULE_VERSION_NOT_FOUND", ("input", "id")),
        ("schemes.SCHEME_NOT_FOUND", ("input", "id")),
        ("schemes.RULE_VERSION_NOT_FOUND", ("versionId",)),
    ]
    async with tenant_tx(b) as tx:
        assert (await scheme_service.version_in_force(tx, b, scheme.id, date(2027, 6, 1))) == version


async def test_row_level_security_alone_hides_and_protects_other_tenants_versions() -> None:
    """Plain SQL on the transaction's connection, no application filter: the
    policies alone keep tenant A out of tenant B's versions."""
    a, b = await context(await make_tenant()), await context(await make_tenant())
    mine, theirs = await _scheme(a), await _scheme(b)
    await _version(a, mine.id, date(2027, 1, 1))
    await _version(b, theirs.id, date(2027, 1, 1))
    async with tenant_tx(a) as tx:
        seen = await tx.connection.fetch("SELECT tenant_id FROM scheme_rule_versions")
        changed = await tx.connection.execute("UPDATE scheme_rule_versions SET used_through = '2027-12-31'")
        deleted = await tx.connection.execute("DELETE FROM scheme_rule_versions WHERE tenant_id = $1", b.tenant_id)
        await scheme_service.mark_used(
            tx, a, (await scheme_service.versions_by_scheme(tx, a, [mine.id]))[mine.id][0].id, date(2027, 12, 31)
        )
    assert ([row["tenant_id"] for row in seen], changed, deleted) == ([a.tenant_id], "UPDATE 1", "DELETE 0")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(a) as tx:
            await tx.connection.execute(
                "INSERT INTO scheme_rule_versions (id, tenant_id, scheme, number, effective_from, document, created_at)"
                " VALUES (gen_random_uuid(), $1, $2, 9, '2030-01-01', '{}', now())",
                b.tenant_id,
                theirs.id,
            )
    # A version may not point at another tenant's scheme, whatever its own tenant.
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with tenant_tx(a) as tx:
            await tx.connection.execute(
                "INSERT INTO scheme_rule_versions (id, tenant_id, scheme, number, effective_from, document, created_at)"
                " VALUES (gen_random_uuid(), $1, $2, 9, '2030-01-01', '{}', now())",
                a.tenant_id,
                theirs.id,
            )
    async with tenant_tx(b) as tx:
        (version,) = (await scheme_service.versions_by_scheme(tx, b, [theirs.id]))[theirs.id]
    assert version.used_through is None


async def test_a_change_without_its_audit_event_is_refused_at_commit() -> None:
    ctx = await context(await make_tenant())
    scheme = await _scheme(ctx)
    await _version(ctx, scheme.id, date(2027, 1, 1))
    with pytest.raises(asyncpg.IntegrityConstraintViolationError):
        async with tenant_tx(ctx) as tx:
            await tx.execute(
                "UPDATE scheme_rule_versions SET used_through = '2027-01-31' WHERE tenant_id = $1", ctx.tenant_id
            )
