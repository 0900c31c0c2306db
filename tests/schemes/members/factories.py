"""Builders for the members' tests: schemes with a CMU-like rule version,
enrolments through the service, and the GraphQL operations the tests send."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from strawberry.relay import to_base64

from schemes.members import enrolment
from schemes.members import identity as ids
from schemes.members.tables import DocumentKind, Member
from schemes.rules import service as scheme_service
from schemes.rules.model import Branch, MemberCategory, Relationship, Sex
from schemes.rules.tables import Scheme, SchemeStatus
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.schemes.rules.documents import CMU

ALL_CATEGORIES = (
    MemberCategory.ARTISAN,
    MemberCategory.PRECARIOUS_WORKER,
    MemberCategory.MIGRANT,
    MemberCategory.SALARIED,
    MemberCategory.SELF_EMPLOYED,
)


async def make_scheme(
    ctx: TenantContext,
    *,
    categories: tuple[MemberCategory, ...] = ALL_CATEGORIES,
    effective_from: date | None = date(2020, 1, 1),
) -> Scheme:
    """A scheme of ``ctx``'s tenant admitting ``categories``, with the CMU
    rule version (children to 21, students to 25, four spouses) from ``effective_from``."""
    async with tenant_tx(ctx) as tx:
        scheme = await scheme_service.create_scheme(
            tx,
            ctx,
            scheme_service.NewScheme(
                code=f"CMU-{secrets.token_hex(3).upper()}",
                name="Couverture maladie universelle",
                branch=Branch.HEALTH,
                categories=categories,
                status=SchemeStatus.ACTIVE,
            ),
        )
    if effective_from is not None:
        async with tenant_tx(ctx) as tx:
            await scheme_service.create_version(
                tx, ctx, scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=effective_from, document=CMU)
            )
    return scheme


def artisan(scheme: Scheme, **overrides: Any) -> enrolment.Enrolment:
    """An artisan's enrolment: a tailor of Dakar with a national ID card."""
    values: dict[str, Any] = {
        "scheme_id": scheme.id,
        "category": MemberCategory.ARTISAN,
        "person": ids.Person(
            first_names="Moussa", last_name="Diop", sex=Sex.MALE, birth_date=date(1980, 5, 12), nationality="SN"
        ),
        "phone": "+221 77 123 45 67",
        "address": enrolment.Address(country="SN", region="SN-DK", department="Pikine", locality="Thiaroye"),
        "documents": (
            ids.Document(
                kind=DocumentKind.NATIONAL_ID_CARD, number=f"1 751 {secrets.randbelow(10**9):09d}", issuing_country="SN"
            ),
        ),
        "artisan": enrolment.ArtisanDetails(
            trade="Tailleur", trades_register_number="RM-DK-2019-0042", chamber_of_trades="Chambre des métiers de Dakar"
        ),
    }
    values.update(overrides)
    return enrolment.Enrolment(**values)


def child(first_names: str, birth: date, **overrides: Any) -> enrolment.NewBeneficiary:
    """A child of the household."""
    person = ids.Person(first_names=first_names, last_name="Diop", sex=Sex.FEMALE, birth_date=birth, nationality="SN")
    return enrolment.NewBeneficiary(relationship=Relationship.CHILD, person=person, **overrides)


def spouse(first_names: str, **overrides: Any) -> enrolment.NewBeneficiary:
    """A wife of the household."""
    person = ids.Person(first_names=first_names, last_name="Ndiaye", sex=Sex.FEMALE, birth_year=1985, nationality="SN")
    return enrolment.NewBeneficiary(relationship=Relationship.SPOUSE, person=person, **overrides)


async def enrol(ctx: TenantContext, data: enrolment.Enrolment, today: date | None = None) -> Member:
    """Enrol through the service; the member made."""
    async with tenant_tx(ctx) as tx:
        (outcome,) = await enrolment.enrol_many(tx, ctx, [data], today or date.today())
    assert outcome.member is not None, outcome.errors
    return outcome.member


MEMBER_FIELDS = """
  id number status statusSince category enrolledOn firstNames lastName sex birthDate birthDateApproximate
  birthYear nationality phone address { country region department departmentName locality }
  artisan { trade tradesRegisterNumber chamberOfTrades }
  migrant { originCountry residenceCountry status consularRegistration }
  documents { kind number issuingCountry expiresOn }
  beneficiaries { relationship firstNames lastName sex birthDate birthDateApproximate studying addedOn removedOn }
  employments { staffNumber salary currency contractKind sector employer { name } }
  statusHistory { fromStatus toStatus effectiveOn reason }
  scheme { code }
"""

ENROL = (
    """
mutation ($input: MemberEnrolInput!) {
  memberEnrol(input: $input) {
    __typename
    ... on MemberEnrolment { alreadyThere member { """
    + MEMBER_FIELDS
    + """ } }
    ... on MemberEnrolError { code path message }
  }
}
"""
)


def artisan_input(scheme_id: str, **overrides: Any) -> dict[str, Any]:
    """A memberEnrol input for an artisan (the scheme's global id)."""
    values: dict[str, Any] = {
        "scheme": scheme_id,
        "category": "ARTISAN",
        "person": {
            "firstNames": "Awa",
            "lastName": "Sène",
            "sex": "FEMALE",
            "birthDate": "1990-03-04",
            "nationality": "SN",
        },
        "phone": "+221 76 555 12 34",
        "address": {"country": "SN", "region": "SN-TH", "department": "Mbour", "locality": "Saly"},
        "documents": [
            {"kind": "NATIONAL_ID_CARD", "number": f"2 {secrets.randbelow(10**12):012d}", "issuingCountry": "SN"}
        ],
        "artisan": {
            "trade": "Coiffeuse",
            "tradesRegisterNumber": "RM-TH-2021-0107",
            "chamberOfTrades": "Chambre des métiers de Thiès",
        },
    }
    values.update(overrides)
    return values


def unique_phone() -> str:
    """A Senegalese mobile number no other test uses (accounts' phones are unique)."""
    return f"+22177{secrets.randbelow(10**7):07d}"


async def household_with_phone(phone: str | None = None, **overrides: Any) -> tuple[Tenant, Member, str]:
    """A mutual with a member, Moussa Diop (a wife, a child of 2015), whose phone is ``phone``: the
    tenant, the member and their global id."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(
        ctx,
        artisan(scheme, phone=phone, beneficiaries=(spouse("Aïssatou"), child("Binta", date(2015, 2, 2))), **overrides),
        today=date(2024, 3, 1),
    )
    return tenant, member, to_base64("Member", member.id)
