"""The demo shows the duplicates' rules: a pending probable duplicate in the
artisans' mutual, and a double affiliation Senegal's ministry sees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.demo import load_demo
from app.demo_members import artisans
from schemes.duplicates import affiliations
from schemes.duplicates import service as duplicate_service
from schemes.members import identity as ids
from schemes.members.tables import Member
from tenants.registry import service as tenant_service
from tenants.registry.tables import Tenant
from tenants.scoping import within
from tenants.tx import platform_tx, tenant_tx
from tests.factories import context

pytestmark = pytest.mark.usefixtures("migrated")


async def _tenant(slug: str) -> Tenant:
    async with platform_tx() as tx:
        tenant = await tenant_service.find_tenant_by_slug(tx, slug)
    assert tenant is not None
    return tenant


async def test_the_demo_has_a_probable_duplicate_and_a_double_affiliation() -> None:
    await load_demo()
    await load_demo()
    today = datetime.now(UTC).date()
    made = artisans(None, today)
    first = next(data for data in made if data.person.birth_date is not None)
    written = (first.person.last_name, first.person.first_names)
    swapped = (first.person.first_names, first.person.last_name)
    dakar = await context(await _tenant("artisans-dakar"))
    async with tenant_tx(dakar) as tx:
        pairs = await duplicate_service.pending_pairs(tx, dakar, after=None, limit=100)
        members = {
            member.id: member
            for member in await within(dakar, Member)
            .objects()
            .where(Member.normalized_name.is_in([ids.normalized_name(*names) for names in (written, swapped)]))
        }
    flagged = [pair for pair in pairs if {pair.first_member_id, pair.second_member_id} <= set(members)]
    assert len(members) == 2
    assert [(pair.same_birth_date, pair.same_phone, pair.similarity) for pair in flagged] == [(True, False, 1.0)]
    ministry = await context(await _tenant("dps-senegal"))
    async with tenant_tx(ministry) as tx:
        people = await affiliations.double_affiliations(tx, ministry, after=None, limit=100)
    twice = made[1].person
    found = [
        (person.matched_on, [membership.tenant_name for membership in person.memberships])
        for person in people
        if (person.first_names, person.last_name) == (twice.first_names, twice.last_name)
    ]
    assert found == [
        (
            (affiliations.AffiliationMatch.IDENTITY_DOCUMENT, affiliations.AffiliationMatch.NAME_BIRTH_DATE),
            ["Mutuelle de santé des travailleurs précaires de Thiès", "Mutuelle sociale des artisans de Dakar"],
        )
    ]
