"""Tables of probable duplicates: pairs of a tenant's members that may be
one person, kept for a manager's review."""

from enum import StrEnum

from piccolo.columns import UUID, Boolean, ForeignKey, Real, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique

from schemes.members.tables import Member
from tenants.tables import TenantTable


class PairStatus(StrEnum):
    """Where a pair stands in its review."""

    PENDING = "pending"
    """Flagged, waiting for a manager's decision."""
    DUPLICATE = "duplicate"
    """One person: the members were merged into the one kept."""
    NOT_DUPLICATE = "not_duplicate"
    """Two people: closed with the reason given."""
    SUPERSEDED = "superseded"
    """Closed by another decision: one of its members was merged into a third
    member, whose own pair with the other member replaces it."""


class DuplicatePair(TenantTable, tablename="duplicate_pairs"):
    """Two members of the tenant whose names are alike and who share a date
    of birth or a phone. Each unordered pair is kept once: the first member's
    id is the smaller."""

    first_member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    second_member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    same_birth_date = Boolean()
    same_phone = Boolean()
    similarity = Real()
    """Trigram similarity of the normalized names (0 to 1)."""
    status = Varchar(length=16, choices=PairStatus, default=PairStatus.PENDING)
    kept_member_id = UUID(null=True, default=None)
    """The member the other was merged into, for a duplicate."""
    reason = Text(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decided_by_name = Varchar(length=200, default="")
    created_at = Timestamptz()

    duplicate_pairs_tenant_id_members_key = Unique(["tenant_id", "first_member_id", "second_member_id"])
