"""The rows the benchmark copies, by table and column, and the audit
events of the load chained as the application chains them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from infra.bench.draws import Ids
from tenants.audit import service as audit
from tenants.context import Principal


@dataclass
class Chain:
    """The head of one audit chain, which events are appended to."""

    tenant_id: UUID | None
    chain: int
    seq: int = 0
    previous: str = audit.GENESIS


class Events:
    """Audit events of the load, chained as :func:`tenants.audit.service.record_many` chains them."""

    def __init__(self, new_id: Ids, heads: dict[tuple[UUID | None, int], Chain]) -> None:
        self.new_id = new_id
        self.heads = heads
        self.rows: list[tuple[Any, ...]] = []

    def add(
        self,
        actor: Principal,
        tenant_id: UUID | None,
        action: str,
        target_type: str,
        target_id: object,
        occurred_at: datetime,
        **summary: str,
    ) -> None:
        event = audit.Event(
            action=action,
            actor=actor,
            tenant_id=tenant_id,
            target_type=target_type,
            target_id=str(target_id),
            summary=summary,
        )
        key = (tenant_id, audit.chain_of(event))
        head = self.heads.setdefault(key, Chain(tenant_id, key[1]))
        head.seq += 1
        hashed = audit.chain_hash(head.previous, head.seq, occurred_at, event)
        self.rows.append(
            (
                self.new_id(),
                tenant_id,
                head.chain,
                head.seq,
                occurred_at,
                actor.kind.value,
                actor.id,
                actor.name,
                action,
                target_type,
                event.target_id,
                None,
                None,
                json.dumps(summary, sort_keys=True),
                head.previous,
                hashed,
            )
        )
        head.previous = hashed

    def take(self) -> list[tuple[Any, ...]]:
        rows, self.rows = self.rows, []
        return rows


COLUMNS: dict[str, tuple[str, ...]] = {
    "tenants": ("id", "kind", "name", "slug", "country", "currency", "status", "created_at"),
    "users": ("id", "email", "full_name", "password_hash", "locale", "is_active", "created_at"),
    "memberships": ("id", "tenant_id", "user_id", "role", "is_active", "created_at"),
    "schemes": ("id", "tenant_id", "code", "name", "status", "created_at", "categories", "branch"),
    "scheme_rule_versions": ("id", "tenant_id", "scheme", "number", "effective_from", "document", "created_at"),
    "employers": (
        "id", "tenant_id", "name", "registration_number", "trade_register", "sector", "region", "address",
        "contact_name", "contact_phone", "contact_email", "status", "created_at", "updated_at",
    ),
    "membership_numberings": ("id", "tenant_id", "prefix", "width", "check_digit", "last_value", "updated_at"),
    "members": (
        "id", "tenant_id", "scheme_id", "category", "number", "sequence", "status", "status_on", "enrolled_on",
        "subsidy_group", "first_names", "last_name", "normalized_name", "sex", "birth_date",
        "birth_date_approximate", "nationality", "phone", "address_country", "address_region",
        "address_department", "address_locality", "category_data", "created_at", "updated_at",
    ),
    "beneficiaries": (
        "id", "tenant_id", "member_id", "relationship", "first_names", "last_name", "normalized_name", "sex",
        "birth_date", "birth_date_approximate", "nationality", "studying", "added_on", "created_at",
    ),
    "identity_documents": (
        "id", "tenant_id", "member_id", "beneficiary_id", "kind", "number", "normalized_number",
        "issuing_country", "expires_on", "created_at",
    ),
    "member_employments": (
        "id", "tenant_id", "member_id", "employer_id", "staff_number", "salary", "currency", "contract_kind",
        "sector", "started_on", "created_at",
    ),
    "member_status_changes": (
        "id", "tenant_id", "member_id", "from_status", "to_status", "effective_on", "reason", "changed_by_kind",
        "changed_by_id", "changed_by_name", "created_at",
    ),
    "audit_events": (
        "id", "tenant_id", "chain", "seq", "occurred_at", "actor_kind", "actor_id", "actor_name", "action",
        "target_type", "target_id", "request_id", "source_address", "summary", "previous_hash", "hash",
    ),
}  # fmt: skip
"""The columns each table is copied with, in the order of the rows made here."""


@dataclass
class Rows:
    """Rows of one transaction, by table."""

    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {table: [] for table in COLUMNS})

    def __getitem__(self, table: str) -> list[tuple[Any, ...]]:
        return self.tables[table]
