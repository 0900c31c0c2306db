"""Members' status following their rights: the daily pass suspends a member
whose year is unpaid past the CMU's 30 days of grace and leaves the others;
a payment reinstates at once and its reversal suspends again; a manager's
own suspension is left to the manager; a pass racing payments never undoes
one; the member reads their account and rights, on their page too."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest

from schemes.contributions import enforcement, payments
from schemes.contributions.rights import RightsStatus, Standing
from schemes.contributions.tables import Channel
from schemes.members import lifecycle
from schemes.members.tables import Member, MemberStatus, SuspensionReason
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant, make_user
from tests.graphql_client import code_token, graphql, token_for
from tests.pages import HTML, Browser, sign_in, sign_in_with_code, texts_of
from tests.schemes.contributions.ledger_check import YEAR_2026, call_year, check_ledger, gid
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")

JANUARY_31, FEBRUARY_1 = date(2026, 1, 31), date(2026, 2, 1)
"""The last day of the year's grace (due 1 January, 30 days) and the first without rights."""
YEAR_DUE = 2_000 + 3_500
"""The registration fee and a person's yearly share."""


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


async def _active(ctx: TenantContext, scheme: Scheme, phone: str | None = None) -> Member:
    """An artisan enrolled and admitted on 1 January 2026."""
    member = await enrol(ctx, artisan(scheme, phone=phone or unique_phone()), today=YEAR_2026.start)
    change = lifecycle.StatusChange(member.id, MemberStatus.ACTIVE, YEAR_2026.start)
    async with tenant_tx(ctx) as tx:
        return await lifecycle.change_status(tx, ctx, change, YEAR_2026.start)


async def _register(members: int) -> tuple[Tenant, TenantContext, list[Member]]:
    """A CMU mutual whose ``members`` active artisans are called for 2026."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    enrolled = [await _active(ctx, scheme) for _ in range(members)]
    await call_year(ctx, scheme.id)
    return tenant, ctx, enrolled


async def _pay(ctx: TenantContext, member: Member, amount: int, day: date) -> payments.Recorded:
    data = payments.NewPayment(
        member_id=member.id, amount=amount, currency="XOF", channel=Channel.CASH, idempotency_key=str(uuid.uuid4())
    )
    async with tenant_tx(ctx) as tx:
        return await payments.record_payment(tx, ctx, data, _at(day))


async def _history(owner: asyncpg.Connection, member: Member) -> list[tuple[str | None, str, date, str | None, str]]:
    rows = await owner.fetch(
        "SELECT from_status, to_status, effective_on, reason, changed_by_name FROM member_status_changes"
        " WHERE member_id = $1 ORDER BY created_at, id",
        member.id,
    )
    return [tuple(row.values()) for row in rows]


ENROLLED = [(None, "pending", YEAR_2026.start, None), ("pending", "active", YEAR_2026.start, None)]


def _steps(history: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The history without who made each step."""
    return [step[:4] for step in history]


@pytest.mark.parametrize(
    ("status", "last_reason", "rights", "expected"),
    [
        (MemberStatus.ACTIVE, None, RightsStatus.SUSPENDED, MemberStatus.SUSPENDED),
        (MemberStatus.ACTIVE, None, RightsStatus.IN_GRACE, None),
        (MemberStatus.SUSPENDED, SuspensionReason.UNPAID_DUES.value, RightsStatus.IN_GRACE, MemberStatus.ACTIVE),
        (MemberStatus.SUSPENDED, SuspensionReason.UNPAID_DUES.value, RightsStatus.UP_TO_DATE, MemberStatus.ACTIVE),
        (MemberStatus.SUSPENDED, SuspensionReason.UNPAID_DUES.value, RightsStatus.SUSPENDED, None),
        # A manager's suspension (no reason) is the manager's to lift.
        (MemberStatus.SUSPENDED, None, RightsStatus.UP_TO_DATE, None),
        (MemberStatus.PENDING, None, RightsStatus.SUSPENDED, None),
        (MemberStatus.TERMINATED, "resignation", RightsStatus.SUSPENDED, None),
    ],
)
def test_change_for(
    status: MemberStatus, last_reason: str | None, rights: RightsStatus, expected: MemberStatus | None
) -> None:
    assert enforcement.change_for(status, last_reason, Standing(rights, None)) == expected


async def test_the_pass_suspends_after_the_grace_and_a_payment_reinstates_at_once(owner: asyncpg.Connection) -> None:
    tenant, ctx, (paid, unpaid, managers) = await _register(3)
    await _pay(ctx, paid, YEAR_DUE, date(2026, 1, 10))
    async with tenant_tx(ctx) as tx:
        change = lifecycle.StatusChange(managers.id, MemberStatus.SUSPENDED, date(2026, 1, 20), note="Carte prêtée")
        await lifecycle.change_status(tx, ctx, change, date(2026, 1, 20))

    assert await enforcement.apply_tenant(ctx, JANUARY_31) == enforcement.Pass(3, 0, 0)
    # Batches of two: the register is read in two transactions.
    assert await enforcement.apply_tenant(ctx, FEBRUARY_1, batch=2) == enforcement.Pass(3, 1, 0)
    assert await enforcement.apply_tenant(ctx, FEBRUARY_1) == enforcement.Pass(3, 0, 0)
    suspended = (*ENROLLED, ("active", "suspended", FEBRUARY_1, "unpaid_dues"))
    assert _steps(await _history(owner, unpaid)) == list(suspended)
    assert (await _history(owner, unpaid))[-1][4] == "socle"

    # Paying the year reinstates at once, by whoever recorded it.
    await _pay(ctx, unpaid, YEAR_DUE, date(2026, 2, 5))
    # The manager's suspension stays when the member pays.
    await _pay(ctx, managers, YEAR_DUE, date(2026, 2, 5))
    reinstated = (*suspended, ("suspended", "active", date(2026, 2, 5), None))
    assert _steps(await _history(owner, unpaid)) == list(reinstated)
    assert _steps(await _history(owner, managers)) == [
        *ENROLLED,
        ("active", "suspended", date(2026, 1, 20), None),
    ]
    assert await enforcement.apply_tenant(ctx, date(2026, 2, 6)) == enforcement.Pass(3, 0, 0)

    statuses = await owner.fetch("SELECT id, status FROM members WHERE tenant_id = $1", tenant.id)
    assert {row["id"]: row["status"] for row in statuses} == {
        paid.id: "active",
        unpaid.id: "active",
        managers.id: "suspended",
    }
    audited = await owner.fetch(
        "SELECT actor_name, summary FROM audit_events WHERE tenant_id = $1 AND action = 'member.status_change'"
        " AND target_id = $2 ORDER BY seq",
        tenant.id,
        str(unpaid.id),
    )
    assert [(row["actor_name"], json.loads(row["summary"])) for row in audited][-2:] == [
        (
            "socle",
            {
                "number": unpaid.number,
                "from_status": "active",
                "to_status": "suspended",
                "effective_on": "2026-02-01",
                "reason": "unpaid_dues",
            },
        ),
        (
            "socle",
            {"number": unpaid.number, "from_status": "suspended", "to_status": "active", "effective_on": "2026-02-05"},
        ),
    ]
    await check_ledger(owner, tenant.id)


async def test_a_reversal_suspends_again_and_a_partial_payment_does_not_reinstate(owner: asyncpg.Connection) -> None:
    tenant, ctx, (member,) = await _register(1)
    assert await enforcement.apply_tenant(ctx, FEBRUARY_1) == enforcement.Pass(1, 1, 0)
    # The fee paid, the share still due past its grace: rights stay suspended.
    await _pay(ctx, member, 2_000, date(2026, 2, 3))
    whole = await _pay(ctx, member, 3_500, date(2026, 2, 4))
    async with tenant_tx(ctx) as tx:
        await payments.reverse_payment(
            tx, ctx, whole.payment.id, "Chèque sans provision", "reverse-1", _at(date(2026, 2, 6))
        )

    # The payment reversed never restored the rights: they are suspended
    # again from the day it lifted the suspension.
    assert _steps(await _history(owner, member)) == [
        *ENROLLED,
        ("active", "suspended", FEBRUARY_1, "unpaid_dues"),
        ("suspended", "active", date(2026, 2, 4), None),
        ("active", "suspended", date(2026, 2, 4), "unpaid_dues"),
    ]
    await check_ledger(owner, tenant.id)


async def test_a_pass_racing_payments_never_undoes_one(owner: asyncpg.Connection) -> None:
    """Ten members unpaid past their grace pay while the pass runs: whatever
    the order, every one ends active, and a suspension the pass made before
    a payment is lifted by that payment."""
    tenant, ctx, members = await _register(10)
    results = await asyncio.gather(
        enforcement.apply_tenant(ctx, FEBRUARY_1, batch=3),
        *(_pay(ctx, member, YEAR_DUE, FEBRUARY_1) for member in members),
    )
    suspended = results[0]
    assert isinstance(suspended, enforcement.Pass)
    assert suspended.members == 10
    statuses = await owner.fetch("SELECT DISTINCT status FROM members WHERE tenant_id = $1", tenant.id)
    assert [row["status"] for row in statuses] == ["active"]
    lifted = await owner.fetchval(
        "SELECT count(*) FROM member_status_changes WHERE tenant_id = $1 AND from_status = 'suspended'", tenant.id
    )
    assert lifted == suspended.suspended
    assert await enforcement.apply_tenant(ctx, FEBRUARY_1) == enforcement.Pass(10, 0, 0)
    await check_ledger(owner, tenant.id)


HISTORY = """
query ($id: ID!) { member(id: $id) { status statusHistory { toStatus reason suspensionReason changedBy } } }
"""
MY_STATEMENT = "{ myStatement { due paid outstanding credit balance currency rights rightsChangeOn } }"
OPEN = "mutation ($member: ID!) { memberAccessOpen(input: {member: $member}) { __typename } }"


async def test_the_history_names_the_reason_and_the_member_reads_their_account(
    caplog: pytest.LogCaptureFixture, browser: Browser
) -> None:
    # One app: a second one at once would run a second job worker.
    async with browser.another() as client:
        phone = unique_phone()
        tenant = await make_tenant()
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        member = await _active(ctx, scheme, phone)
        await call_year(ctx, scheme.id)
        await enforcement.apply_tenant(ctx, FEBRUARY_1)
        manager = await token_for(client, tenant, Role.MANAGER)

        history = await graphql(client, HISTORY, token=manager, id=gid("Member", member.id))
        assert history["data"]["member"] == {
            "status": "SUSPENDED",
            "statusHistory": [
                {"toStatus": "PENDING", "reason": None, "suspensionReason": None, "changedBy": "socle"},
                {"toStatus": "ACTIVE", "reason": None, "suspensionReason": None, "changedBy": "socle"},
                {"toStatus": "SUSPENDED", "reason": None, "suspensionReason": "UNPAID_DUES", "changedBy": "socle"},
            ],
        }
        assert (await graphql(client, OPEN, token=manager, member=gid("Member", member.id)))["data"] == {
            "memberAccessOpen": {"__typename": "Member"}
        }
        token = await code_token(client, caplog, phone)
        assert token is not None
        mine = await graphql(client, MY_STATEMENT, token=token)
        assert mine == {
            "data": {
                "myStatement": {
                    "due": YEAR_DUE,
                    "paid": 0,
                    "outstanding": YEAR_DUE,
                    "credit": 0,
                    "balance": YEAR_DUE,
                    "currency": "XOF",
                    "rights": "SUSPENDED",
                    "rightsChangeOn": None,
                }
            }
        }
        # Staff have no account of their own to read.
        refused = await graphql(client, MY_STATEMENT, token=manager)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

        await sign_in_with_code(browser, caplog, phone)
        page = await browser.get("/me", headers=HTML)
        assert page.status_code == 200
        assert texts_of(page.text, "dd")[-4:] == [
            "Suspendus",
            "5 500 F CFA",
            "0 F CFA",
            "5 500 F CFA",
        ]
        assert (
            '<p role="status">Vos droits sont suspendus : ils reprennent dès que vos cotisations en retard sont payées.</p>'
            in page.text
        )

        # The manager, about to reinstate the member by hand, is told what the daily pass will do.
        desk = browser.another()
        assert (await sign_in(desk, await make_user(tenant, Role.MANAGER))).status_code == 303
        file = await desk.get(f"/members/{gid('Member', member.id)}", headers=HTML)
        assert (
            "Suspendu par Socle pour cotisations impayées : le membre est rétabli dès qu'il paie. Rétabli sans"
            " paiement, il est suspendu de nouveau au passage quotidien." in texts_of(file.text, "p")
        )
