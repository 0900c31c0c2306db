"""Double affiliation: a person enrolled in several tenants of a country, as
a ministry sees it across the tenants it supervises.

Two members of different tenants are the same person when their own
identity documents are the same (kind, issuing country, normalized number)
or by the probable-duplicate rule of :mod:`schemes.duplicates.detection`
(alike names and the same exact date of birth). Each person is listed once,
from the member first by (normalized name, id) among those matched: that
member's matches are the person's other memberships. Terminated members are
left out. The tenants' rows are read through row-level security (the
ministry's supervised tenants), and each tenant a page shows is an
oversight read in the ministry's log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from schemes.duplicates.detection import SIMILARITY_THRESHOLD
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.tx import Transaction


class AffiliationMatch(StrEnum):
    """Why two memberships are taken for one person."""

    IDENTITY_DOCUMENT = "identity_document"
    NAME_BIRTH_DATE = "name_birth_date"


@dataclass(frozen=True)
class Membership:
    """One of the person's memberships."""

    tenant_id: UUID
    tenant_name: str
    member_id: UUID
    number: str
    status: str


@dataclass(frozen=True)
class DoubleAffiliation:
    """A person enrolled in several of the supervised tenants."""

    member_id: UUID
    """The member the person is listed from (the page's key, with the name)."""
    normalized_name: str
    first_names: str
    last_name: str
    birth_date: date
    matched_on: tuple[AffiliationMatch, ...]
    memberships: tuple[Membership, ...]


_MATCHES = """
WITH matches AS (
  SELECT da.member_id AS member_id, db.member_id AS other_id, 'identity_document' AS rule
  FROM identity_documents da
  JOIN identity_documents db ON db.tenant_id = ANY($1::uuid[]) AND db.tenant_id <> da.tenant_id
   AND db.beneficiary_id IS NULL AND db.kind = da.kind AND db.issuing_country = da.issuing_country
   AND db.normalized_number = da.normalized_number
  WHERE da.tenant_id = ANY($1::uuid[]) AND da.beneficiary_id IS NULL
  UNION
  SELECT a.id, b.id, 'name_birth_date'
  FROM members a
  JOIN members b ON b.tenant_id = ANY($1::uuid[]) AND b.tenant_id <> a.tenant_id
   AND b.birth_date = a.birth_date AND NOT b.birth_date_approximate
   AND similarity(a.normalized_name, b.normalized_name) >= $2
  WHERE a.tenant_id = ANY($1::uuid[]) AND NOT a.birth_date_approximate
),
people AS (
  SELECT a.id, a.normalized_name, a.first_names, a.last_name, a.birth_date,
         array_agg(DISTINCT b.id) AS other_ids, array_agg(DISTINCT x.rule) AS rules
  FROM matches x
  JOIN members a ON a.tenant_id = ANY($1::uuid[]) AND a.id = x.member_id AND a.status <> 'terminated'
  JOIN members b ON b.tenant_id = ANY($1::uuid[]) AND b.id = x.other_id AND b.status <> 'terminated'
  GROUP BY a.id
  HAVING bool_and((a.normalized_name, a.id) < (b.normalized_name, b.id))
)
"""

_PAGE = (
    _MATCHES + "SELECT * FROM people p WHERE $3::text IS NULL OR (p.normalized_name, p.id) > ($3, $4::uuid)"
    " ORDER BY p.normalized_name, p.id LIMIT $5"
)

_MEMBERSHIPS = (
    "SELECT m.id, m.tenant_id, t.name AS tenant_name, m.number, m.status FROM members m"
    " JOIN tenants t ON t.id = m.tenant_id WHERE m.tenant_id = ANY($1::uuid[]) AND m.id = ANY($2::uuid[])"
)


def _supervised(ctx: TenantContext) -> list[UUID]:
    return sorted(ctx.supervised_tenant_ids)


async def double_affiliations(
    tx: Transaction, ctx: TenantContext, *, after: tuple[str, UUID] | None, limit: int
) -> list[DoubleAffiliation]:
    """Up to ``limit`` people enrolled in several tenants the context
    supervises, by normalized name and id after ``after``, each with their
    memberships; an oversight read is recorded per tenant shown."""
    tenant_ids = _supervised(ctx)
    if not tenant_ids:
        return []
    name, member_id = after or (None, None)
    rows = await tx.fetch(_PAGE, tenant_ids, SIMILARITY_THRESHOLD, name, member_id, limit)
    if not rows:
        return []
    wanted = {member for row in rows for member in (row["id"], *row["other_ids"])}
    memberships = {
        found["id"]: Membership(
            tenant_id=found["tenant_id"],
            tenant_name=found["tenant_name"],
            member_id=found["id"],
            number=found["number"],
            status=found["status"],
        )
        for found in await tx.fetch(_MEMBERSHIPS, tenant_ids, list(wanted))
    }
    people = [
        DoubleAffiliation(
            member_id=row["id"],
            normalized_name=row["normalized_name"],
            first_names=row["first_names"],
            last_name=row["last_name"],
            birth_date=row["birth_date"],
            matched_on=tuple(AffiliationMatch(rule) for rule in sorted(row["rules"])),
            memberships=tuple(
                sorted(
                    (memberships[member] for member in (row["id"], *row["other_ids"])),
                    key=lambda membership: (membership.tenant_name, membership.number),
                )
            ),
        )
        for row in rows
    ]
    for tenant_id in sorted({membership.tenant_id for person in people for membership in person.memberships}):
        await audit.record_oversight_read(tx, ctx, tenant_id, "oversight.double_affiliations_read")
    return people


async def count_double_affiliations(tx: Transaction, ctx: TenantContext) -> int:
    """How many people are enrolled in several tenants the context supervises."""
    tenant_ids = _supervised(ctx)
    if not tenant_ids:
        return 0
    count: int = await tx.fetchval(_MATCHES + "SELECT count(*) FROM people", tenant_ids, SIMILARITY_THRESHOLD)
    return count
