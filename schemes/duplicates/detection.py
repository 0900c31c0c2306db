"""Probable duplicates flagged at enrolment: two members of a tenant whose
normalized names are alike (accents, case and word order ignored) and who
share a date of birth or a phone.

The names compare by trigram similarity (``pg_trgm``) of the normalized
name, at :data:`SIMILARITY_THRESHOLD`: « Mamadou Ndiaye », « NDIAYE
Mamadou » and « Mamadou N'Diaye » have the same trigrams (1.0), « Mamadou
Ndiaye » and « Moussa Ndiaye » share the family name only (0.38). A birth
date counts when both are exact: a year alone (stored as 1 January,
approximate) is shared by too many namesakes to say anything, and it would
make every member born « en 1980 » a candidate of every other.
The candidates come from the indexes on (tenant, birth date) and (tenant,
phone), so a batch costs its members times the few people born that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from tenants.context import TenantContext
from tenants.tx import Transaction

SIMILARITY_THRESHOLD = 0.6
"""Lowest trigram similarity of two normalized names taken as the same name:
one changed or missing letter in a name of two words stays above it, a
different first name with the same family name falls well below."""

# A UUIDv7 made by PostgreSQL (a random UUID whose first 48 bits are the
# time in milliseconds and whose version is 7), as tenants.ids makes them:
# the pairs of a batch are found and inserted by the same statement.
NEW_ID = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing"
    " substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)"
    " FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid"
)

_FLAG = f"""
INSERT INTO duplicate_pairs
  (id, tenant_id, first_member_id, second_member_id, same_birth_date, same_phone, similarity, status, created_at)
SELECT {NEW_ID}, $1, found.first_id, found.second_id, found.same_birth_date, found.same_phone,
       found.similarity, 'pending', now()
FROM (
  SELECT least(n.id, o.id) AS first_id, greatest(n.id, o.id) AS second_id,
         bool_or(o.birth_date = n.birth_date AND NOT o.birth_date_approximate AND NOT n.birth_date_approximate)
           AS same_birth_date,
         bool_or(coalesce(o.phone = n.phone, false)) AS same_phone,
         max(similarity(o.normalized_name, n.normalized_name)) AS similarity
  FROM members n
  JOIN members o ON o.tenant_id = $1 AND o.id <> n.id AND o.status <> 'terminated'
   AND ((o.birth_date = n.birth_date AND NOT o.birth_date_approximate) OR o.phone = n.phone)
   AND similarity(o.normalized_name, n.normalized_name) >= $3
  WHERE n.tenant_id = $1 AND n.id = ANY($2::uuid[])
   AND (NOT n.birth_date_approximate OR n.phone IS NOT NULL)
  GROUP BY 1, 2
) AS found
WHERE found.same_birth_date OR found.same_phone
ON CONFLICT (tenant_id, first_member_id, second_member_id) DO NOTHING
"""


async def flag(tx: Transaction, ctx: TenantContext, member_ids: Sequence[UUID]) -> int:
    """Keep as pending pairs the probable duplicates of ``member_ids`` (just
    enrolled) among the tenant's members not terminated, the new ones
    included, in one statement whatever their number; a pair already known
    (pending or decided) is left as it is. How many pairs were added."""
    if not member_ids:
        return 0
    status = await tx.execute(_FLAG, ctx.tenant_id, list(member_ids), SIMILARITY_THRESHOLD)
    return int(status.rsplit(" ", 1)[-1])
