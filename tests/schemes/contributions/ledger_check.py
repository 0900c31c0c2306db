"""Builders and checks for the contributions' tests: a CMU mutual with its
members, the GraphQL operations, and the ledger's invariants read straight
from the tables (as the schema owner, beneath row-level security)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from strawberry.relay import to_base64

from schemes.contributions import schedule
from schemes.contributions.periods import ContributionPeriod
from schemes.rules.model import Period
from tenants.context import TenantContext

YEAR_2026 = ContributionPeriod(date(2026, 1, 1), Period.YEARLY)


def gid(type_name: str, value: UUID) -> str:
    """A Relay global id."""
    return to_base64(type_name, str(value))


async def call_year(ctx: TenantContext, scheme_id: UUID, period: ContributionPeriod = YEAR_2026) -> schedule.PeriodRun:
    """Run the calls of ``period`` for the scheme, as the manager's mutation does."""
    versions = await schedule.scheme_versions(ctx, scheme_id)
    return await schedule.run_period(ctx, scheme_id, versions, period)


async def check_ledger(owner: asyncpg.Connection, tenant_id: UUID) -> dict[str, int]:
    """Assert the ledger of the tenant adds up, and return its totals.

    No call is settled beyond its amount nor below zero; no standing payment
    settles more than it brought; a reversal undoes exactly its payment; for
    every payer, called − paid = left to pay − credit; receipts run 1..n
    in each year without a gap. The call of a declaration a correction
    replaced counts for nothing and keeps none of the money that settled it.
    """
    over = await owner.fetch(
        "SELECT c.id FROM contribution_calls c LEFT JOIN payment_allocations a ON a.call_id = c.id"
        " WHERE c.tenant_id = $1 GROUP BY c.id HAVING coalesce(sum(a.amount), 0) NOT BETWEEN 0 AND c.amount",
        tenant_id,
    )
    assert over == []
    void_settled = await owner.fetch(
        f"SELECT c.id FROM contribution_calls c LEFT JOIN payment_allocations a ON a.call_id = c.id"
        f" WHERE c.tenant_id = $1 AND NOT {_LIVE} GROUP BY c.id HAVING coalesce(sum(a.amount), 0) <> 0",
        tenant_id,
    )
    assert void_settled == []
    payments = await owner.fetch(
        "SELECT p.id, p.amount, p.reverses_id, coalesce(sum(a.amount), 0) AS allocated FROM payments p"
        " LEFT JOIN payment_allocations a ON a.payment_id = p.id WHERE p.tenant_id = $1 GROUP BY p.id",
        tenant_id,
    )
    by_id = {row["id"]: row for row in payments}
    reversed_ids = {row["reverses_id"] for row in payments if row["reverses_id"]}
    for row in payments:
        if row["reverses_id"] is not None:
            original = by_id[row["reverses_id"]]
            assert (row["amount"] + original["amount"], row["allocated"] + original["allocated"]) == (0, 0)
        elif row["id"] not in reversed_ids:
            assert 0 <= row["allocated"] <= row["amount"]
    payers = await owner.fetch(
        f"SELECT payer, {_party('')} AS party FROM contribution_calls WHERE tenant_id = $1"
        f" UNION SELECT payer, {_party('')} FROM payments WHERE tenant_id = $1",
        tenant_id,
    )
    totals = {"due": 0, "paid": 0, "outstanding": 0, "credit": 0}
    for payer in payers:
        figures = await _payer_figures(owner, tenant_id, payer["payer"], payer["party"])
        assert figures["due"] - figures["paid"] == figures["outstanding"] - figures["credit"], (dict(payer), figures)
        for name in totals:
            totals[name] += figures[name]
    receipts = await owner.fetch(
        "SELECT extract(year FROM received_at)::int AS year, array_agg(receipt_sequence ORDER BY receipt_sequence)"
        " AS sequence, count(DISTINCT receipt_number) AS numbers FROM payments WHERE tenant_id = $1 GROUP BY 1",
        tenant_id,
    )
    for row in receipts:
        assert row["sequence"] == list(range(1, len(row["sequence"]) + 1))
        assert row["numbers"] == len(row["sequence"])
    return totals


_LIVE = (
    "NOT EXISTS (SELECT 1 FROM employer_declarations d WHERE d.tenant_id = c.tenant_id"
    " AND d.replaces_id = c.declaration_id)"
)


def _party(alias: str) -> str:
    """Who pays a call or a payment: its member or employer; the State is one payer, whoever its call is for."""
    return f"CASE WHEN {alias}payer = 'state' THEN NULL ELSE coalesce({alias}member_id, {alias}employer_id) END"


async def _payer_figures(owner: asyncpg.Connection, tenant_id: UUID, payer: str, party: UUID | None) -> dict[str, int]:
    party_condition = f"{_party('')} IS NOT DISTINCT FROM $3"
    due = await owner.fetchval(
        f"SELECT coalesce(sum(c.amount), 0) FROM contribution_calls c WHERE c.tenant_id = $1 AND c.payer = $2"
        f" AND {_party('c.')} IS NOT DISTINCT FROM $3 AND {_LIVE}",
        tenant_id,
        payer,
        party,
    )
    outstanding = await owner.fetchval(
        "SELECT coalesce(sum(c.amount - coalesce((SELECT sum(a.amount) FROM payment_allocations a"
        " WHERE a.call_id = c.id), 0)), 0) FROM contribution_calls c WHERE c.tenant_id = $1 AND c.payer = $2"
        f" AND {_party('c.')} IS NOT DISTINCT FROM $3 AND {_LIVE}",
        tenant_id,
        payer,
        party,
    )
    paid = await owner.fetchval(
        f"SELECT coalesce(sum(amount), 0) FROM payments WHERE tenant_id = $1 AND payer = $2 AND {party_condition}",
        tenant_id,
        payer,
        party,
    )
    credit = await owner.fetchval(
        "SELECT coalesce(sum(p.amount - coalesce((SELECT sum(a.amount) FROM payment_allocations a"
        " WHERE a.payment_id = p.id), 0)), 0) FROM payments p WHERE p.tenant_id = $1 AND p.payer = $2"
        f" AND {_party('p.')} IS NOT DISTINCT FROM $3 AND p.reverses_id IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reverses_id = p.id)",
        tenant_id,
        payer,
        party,
    )
    return {"due": due, "paid": paid, "outstanding": outstanding, "credit": credit}


def amounts_of(calls: list[dict[str, Any]]) -> list[tuple[str, str, str, int, int]]:
    """(period, kind, payer, amount, remaining) of each call, as a test compares them."""
    return [(c["period"], c["kind"], c["payer"], c["amount"], c["remaining"]) for c in calls]
