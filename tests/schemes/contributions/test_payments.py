"""Payments over GraphQL: a counter payment settles the oldest calls first,
a partial payment leaves a balance, an overpayment a credit the next call
takes, a reversal undoes a payment by a new entry; keys and references make
each payment recorded once, receipts have no gap under concurrent payers,
and the ledger adds up after every scenario."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from schemes.contributions.periods import period_of
from schemes.members.tables import Member
from schemes.rules.model import Period
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.permissions import Permission, permissions_of, with_implied
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.partner_tokens import partner_token
from tests.schemes.contributions.ledger_check import call_year, check_ledger, gid
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")

YEAR = period_of(Period.YEARLY, date.today())
"""The year under way: a payment recorded now calls it if it is not yet."""
RECEIPT = f"{YEAR.start.year}-"
GRACE_ENDS = YEAR.start + timedelta(days=31)
"""The day after the 30 days of grace of the year's calls, due on 1 January (the CMU rule)."""
UNPAID = (
    {"rights": "SUSPENDED", "rightsChangeOn": None}
    if date.today() >= GRACE_ENDS
    else {"rights": "IN_GRACE", "rightsChangeOn": GRACE_ENDS.isoformat()}
)
"""The rights of a member with some of the year left to pay, as they stand today."""
PAID = {"rights": "UP_TO_DATE", "rightsChangeOn": None}

PAYMENT = """
  id receiptNumber payer amount currency channel provider reference note recordedByName isReversal
  allocations { amount call { period kind payer amount remaining } }
"""
RECORD = f"""
mutation ($input: PaymentRecordInput!) {{
  paymentRecord(input: $input) {{
    __typename
    ... on PaymentRecording {{ alreadyRecorded payment {{ {PAYMENT} }} }}
    ... on PaymentRecordError {{ code path message others {{ code path message }} }}
  }}
}}
"""
REVERSE = f"""
mutation ($input: PaymentReverseInput!) {{
  paymentReverse(input: $input) {{
    __typename
    ... on PaymentRecording {{ alreadyRecorded payment {{ {PAYMENT} reverses {{ receiptNumber }} }} }}
    ... on PaymentReverseError {{ code path message }}
  }}
}}
"""
STATEMENT = """
query ($member: ID!) {
  memberStatement(member: $member) { due paid outstanding credit balance currency rights rightsChangeOn }
  payments(member: $member) { totalCount edges { node { receiptNumber amount isReversal reversedBy { receiptNumber } } } }
}
"""


async def _member(tenant: Tenant | None = None) -> tuple[Tenant, TenantContext, Scheme, Member]:
    """An artisan of a CMU mutual enrolled on 1 January: called the
    registration fee (2,000) and their share (3,500) of the year."""
    tenant = tenant or await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(ctx, artisan(scheme, phone=unique_phone()), today=YEAR.start)
    await call_year(ctx, scheme.id, YEAR)
    return tenant, ctx, scheme, member


def _payment(member: Member, amount: int, **given: Any) -> dict[str, Any]:
    return {
        "member": gid("Member", member.id),
        "amount": amount,
        "currency": "XOF",
        "channel": "CASH",
        "idempotencyKey": str(uuid.uuid4()),
        **given,
    }


async def _record(client: httpx.AsyncClient, token: str, given: dict[str, Any], language: str | None = None) -> Any:
    return (await graphql(client, RECORD, token=token, language=language, input=given))["data"]["paymentRecord"]


async def _statement(client: httpx.AsyncClient, token: str, member: Member) -> dict[str, Any]:
    data: dict[str, Any] = (await graphql(client, STATEMENT, token=token, member=gid("Member", member.id)))["data"]
    return data


class TestCounterPayments:
    async def test_a_partial_payment_settles_the_oldest_calls_first(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        recorded = await _record(client, token, _payment(member, 4_000, note="  Versement   au guichet "))
        assert recorded == {
            "__typename": "PaymentRecording",
            "alreadyRecorded": False,
            "payment": {
                "id": recorded["payment"]["id"],
                "receiptNumber": f"{RECEIPT}000001",
                "payer": "MEMBER",
                "amount": 4_000,
                "currency": "XOF",
                "channel": "CASH",
                "provider": None,
                "reference": None,
                "note": "Versement au guichet",
                "recordedByName": recorded["payment"]["recordedByName"],
                "isReversal": False,
                "allocations": [
                    {
                        "amount": 2_000,
                        "call": {
                            "period": YEAR.label,
                            "kind": "REGISTRATION_FEE",
                            "payer": "MEMBER",
                            "amount": 2_000,
                            "remaining": 0,
                        },
                    },
                    {
                        "amount": 2_000,
                        "call": {
                            "period": YEAR.label,
                            "kind": "CONTRIBUTION",
                            "payer": "MEMBER",
                            "amount": 3_500,
                            "remaining": 1_500,
                        },
                    },
                ],
            },
        }
        statement = await _statement(client, token, member)
        assert statement["memberStatement"] == {
            "due": 5_500,
            "paid": 4_000,
            "outstanding": 1_500,
            "credit": 0,
            "balance": 1_500,
            "currency": "XOF",
            **UNPAID,
        }
        assert await check_ledger(owner, tenant.id) == {"due": 9_000, "paid": 4_000, "outstanding": 5_000, "credit": 0}
        event = await owner.fetchrow(
            "SELECT summary FROM audit_events WHERE tenant_id = $1 AND action = 'payment.record'", tenant.id
        )
        assert event is not None

    async def test_an_overpayment_is_a_credit_the_next_call_takes(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, ctx, scheme, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        await _record(client, token, _payment(member, 10_000))
        assert (await _statement(client, token, member))["memberStatement"]["credit"] == 4_500
        await call_year(ctx, scheme.id, YEAR.next())
        statement = (await _statement(client, token, member))["memberStatement"]
        assert statement == {
            "due": 9_000,
            "paid": 10_000,
            "outstanding": 0,
            "credit": 1_000,
            "balance": -1_000,
            "currency": "XOF",
            **PAID,
        }
        await check_ledger(owner, tenant.id)

    async def test_chosen_calls_are_settled_first(self, client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        calls = await owner.fetch(
            "SELECT id, kind FROM contribution_calls WHERE member_id = $1 AND payer = 'member'", member.id
        )
        share = next(row["id"] for row in calls if row["kind"] == "contribution")
        recorded = await _record(client, token, _payment(member, 3_500, calls=[gid("ContributionCall", share)]))
        assert [(a["call"]["kind"], a["amount"]) for a in recorded["payment"]["allocations"]] == [
            ("CONTRIBUTION", 3_500)
        ]
        assert (await _statement(client, token, member))["memberStatement"]["outstanding"] == 2_000
        await check_ledger(owner, tenant.id)

    async def test_a_chosen_call_that_is_not_the_members(self, client: httpx.AsyncClient) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        recorded = await _record(client, token, _payment(member, 3_500, calls=[gid("ContributionCall", uuid.uuid4())]))
        assert (recorded["code"], recorded["path"]) == ("CALL_NOT_FOUND", ["input", "calls", "0"])

    async def test_a_mobile_money_reference_is_recorded_once(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        wave = {"channel": "MOBILE_MONEY", "provider": "WAVE", "reference": "T_7KQ2-PLM4X"}
        first = await _record(client, token, _payment(member, 3_500, **wave))
        second = await _record(client, token, _payment(member, 3_500, **wave))
        assert (first["payment"]["provider"], first["payment"]["reference"]) == ("WAVE", "T_7KQ2-PLM4X")
        assert second == {
            "__typename": "PaymentRecordError",
            "code": "REFERENCE_ALREADY_RECORDED",
            "path": ["input", "reference"],
            "message": "La transaction « T_7KQ2-PLM4X » est déjà enregistrée : un paiement ne s'enregistre qu'une fois.",
            "others": [],
        }
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1

    async def test_every_wrong_field_is_named(self, client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        given = _payment(member, 0, currency="eur", channel="MOBILE_MONEY", receivedAt="2100-01-01T00:00:00Z")
        refused = await _record(client, token, given)
        assert refused == {
            "__typename": "PaymentRecordError",
            "code": "INVALID_AMOUNT",
            "path": ["input", "amount"],
            "message": "Le montant doit être un nombre entier positif de l'unité de la devise, et non 0.",
            "others": [
                {
                    "code": "CURRENCY_MISMATCH",
                    "path": ["input", "currency"],
                    "message": "Les paiements sont reçus en XOF, et non en « EUR ».",
                },
                {
                    "code": "REFERENCE_REQUIRED",
                    "path": ["input", "reference"],
                    "message": "Indiquez la référence de la transaction.",
                },
                {
                    "code": "PROVIDER_REQUIRED",
                    "path": ["input", "provider"],
                    "message": "Indiquez l'opérateur du mobile money (Wave, Orange Money…).",
                },
                {
                    "code": "INVALID_RECEIVED_AT",
                    "path": ["input", "receivedAt"],
                    "message": "La date de réception ne peut être ni dans le futur ni à plus d'un an.",
                },
            ],
        }
        english = await _record(client, token, _payment(member, -5), language="en")
        assert english["message"] == "The amount must be a positive whole number of the currency's unit, not -5."
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 0


class TestRecordedOnce:
    async def test_a_replay_returns_the_first_payment(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        given = _payment(member, 3_500)
        first = await _record(client, token, given)
        again = await _record(client, token, given)
        assert (again["alreadyRecorded"], again["payment"]) == (True, first["payment"])
        other = await _record(client, token, {**given, "amount": 3_000})
        assert (other["code"], other["path"], other["message"]) == (
            "IDEMPOTENCY_KEY_REUSED",
            ["input", "idempotencyKey"],
            f"Cette clé d'idempotence a déjà servi pour un autre paiement ({RECEIPT}000001) : chaque paiement a "
            "sa clé.",
        )
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1

    async def test_a_double_tap_on_a_slow_link_records_one_payment(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        given = _payment(member, 5_500)
        answers = await asyncio.gather(*(_record(client, token, given) for _ in range(10)))
        assert sorted(answer["alreadyRecorded"] for answer in answers) == [False] + [True] * 9
        assert {answer["payment"]["receiptNumber"] for answer in answers} == {f"{RECEIPT}000001"}
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1
        assert (await check_ledger(owner, tenant.id))["paid"] == 5_500

    async def test_receipts_have_no_gap_under_fifty_concurrent_payers(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        members = [await enrol(ctx, artisan(scheme, phone=unique_phone()), today=YEAR.start) for _ in range(50)]
        await call_year(ctx, scheme.id, YEAR)
        token = await token_for(client, tenant, Role.MANAGER)
        # One in five carries a bad reference: refused, it must leave no hole in the numbers.
        answers = await asyncio.gather(
            *(
                _record(client, token, _payment(member, 5_500, reference="x" if n % 5 == 0 else None))
                for n, member in enumerate(members)
            )
        )
        numbers = sorted(answer["payment"]["receiptNumber"] for answer in answers if "payment" in answer)
        assert numbers == [f"{RECEIPT}{n:06d}" for n in range(1, 41)]
        assert [answer["code"] for answer in answers if "code" in answer] == ["INVALID_REFERENCE"] * 10
        totals = await check_ledger(owner, tenant.id)
        assert (totals["paid"], totals["credit"]) == (40 * 5_500, 0)


class TestReversal:
    async def test_a_reversal_reopens_the_calls_and_has_its_own_receipt(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        payment = (await _record(client, token, _payment(member, 5_500)))["payment"]
        given = {"payment": payment["id"], "reason": "Saisi sur le mauvais membre", "idempotencyKey": "annul-1"}
        reversed_ = (await graphql(client, REVERSE, token=token, input=given))["data"]["paymentReverse"]
        assert reversed_["payment"]["receiptNumber"] == f"{RECEIPT}000002"
        assert (reversed_["payment"]["amount"], reversed_["payment"]["isReversal"]) == (-5_500, True)
        assert reversed_["payment"]["note"] == "Saisi sur le mauvais membre"
        assert reversed_["payment"]["reverses"] == {"receiptNumber": f"{RECEIPT}000001"}
        assert [(a["amount"], a["call"]["remaining"]) for a in reversed_["payment"]["allocations"]] == [
            (-2_000, 2_000),
            (-3_500, 3_500),
        ]
        statement = await _statement(client, token, member)
        assert statement["memberStatement"] == {
            "due": 5_500,
            "paid": 0,
            "outstanding": 5_500,
            "credit": 0,
            "balance": 5_500,
            "currency": "XOF",
            **UNPAID,
        }
        assert [edge["node"] for edge in statement["payments"]["edges"]] == [
            {"receiptNumber": f"{RECEIPT}000002", "amount": -5_500, "isReversal": True, "reversedBy": None},
            {
                "receiptNumber": f"{RECEIPT}000001",
                "amount": 5_500,
                "isReversal": False,
                "reversedBy": {"receiptNumber": f"{RECEIPT}000002"},
            },
        ]
        replay = (await graphql(client, REVERSE, token=token, input=given))["data"]["paymentReverse"]
        assert (replay["alreadyRecorded"], replay["payment"]["receiptNumber"]) == (True, f"{RECEIPT}000002")
        twice = {**given, "idempotencyKey": "annul-2"}
        again = (await graphql(client, REVERSE, token=token, input=twice))["data"]["paymentReverse"]
        assert (again["code"], again["message"]) == (
            "PAYMENT_ALREADY_REVERSED",
            f"Le paiement {RECEIPT}000001 est déjà annulé.",
        )
        of_reversal = {**given, "payment": reversed_["payment"]["id"], "idempotencyKey": "annul-3"}
        refused = (await graphql(client, REVERSE, token=token, input=of_reversal))["data"]["paymentReverse"]
        assert refused["code"] == "REVERSAL_NOT_REVERSIBLE"
        await check_ledger(owner, tenant.id)

    async def test_reopened_calls_take_the_payers_other_credit(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        first = (await _record(client, token, _payment(member, 3_000)))["payment"]
        await _record(client, token, _payment(member, 5_000))
        given = {"payment": first["id"], "reason": "Billet refusé par la banque", "idempotencyKey": str(uuid.uuid4())}
        await graphql(client, REVERSE, token=token, input=given)
        statement = (await _statement(client, token, member))["memberStatement"]
        assert statement == {
            "due": 5_500,
            "paid": 5_000,
            "outstanding": 500,
            "credit": 0,
            "balance": 500,
            "currency": "XOF",
            **UNPAID,
        }
        await check_ledger(owner, tenant.id)

    async def test_a_reason_is_required(self, client: httpx.AsyncClient) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        payment = (await _record(client, token, _payment(member, 5_500)))["payment"]
        given = {"payment": payment["id"], "reason": "   ", "idempotencyKey": "k"}
        refused = (await graphql(client, REVERSE, token=token, input=given))["data"]["paymentReverse"]
        assert (refused["code"], refused["path"]) == ("REASON_REQUIRED", ["input", "reason"])


class TestIsolation:
    async def test_another_tenant_can_neither_read_nor_record(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        payment = (await _record(client, token, _payment(member, 5_500)))["payment"]
        other = await token_for(client, await make_tenant(), Role.MANAGER)

        refused = await _record(client, other, _payment(member, 1_000))
        assert (refused["code"], refused["path"]) == ("PAYER_NOT_FOUND", ["input", "member"])
        given = {"payment": payment["id"], "reason": "Intrusion", "idempotencyKey": "x-1"}
        reversal = (await graphql(client, REVERSE, token=other, input=given))["data"]["paymentReverse"]
        assert reversal["code"] == "PAYMENT_NOT_FOUND"
        seen = await _statement(client, other, member)
        assert (seen["memberStatement"], seen["payments"]["totalCount"]) == (None, 0)
        node = await graphql(client, "query ($id: ID!) { node(id: $id) { id } }", token=other, id=payment["id"])
        assert node["data"] == {"node": None}
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE member_id = $1", member.id) == 1

    async def test_row_level_security_alone(self, owner: asyncpg.Connection) -> None:
        b_tenant, _, _, _ = await _member()
        a = await context(await make_tenant())
        async with tenant_tx(a) as tx:
            seen = [
                await tx.connection.fetchval(f"SELECT count(*) FROM {table}")
                for table in ("contribution_calls", "payments", "payment_allocations", "receipt_sequences")
            ]
        assert seen == [0, 0, 0, 0]
        for statement in ("UPDATE contribution_calls SET amount = 0", "DELETE FROM contribution_calls"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with tenant_tx(a) as tx:
                    await tx.connection.execute(statement)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with tenant_tx(a) as tx:
                await tx.connection.execute(
                    "INSERT INTO receipt_sequences (id, tenant_id, year, last_value) VALUES (gen_random_uuid(), $1, 2026, 0)",
                    b_tenant.id,
                )
        assert await owner.fetchval("SELECT count(*) FROM contribution_calls WHERE tenant_id = $1", b_tenant.id) == 3

    async def test_money_rows_are_never_changed_nor_deleted(self, client: httpx.AsyncClient) -> None:
        tenant, ctx, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        await _record(client, token, _payment(member, 5_500))
        for statement in (
            "UPDATE payments SET amount = 1",
            "DELETE FROM payments",
            "UPDATE payment_allocations SET amount = 1",
            "DELETE FROM payment_allocations",
            "DELETE FROM receipt_sequences",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with tenant_tx(ctx) as tx:
                    await tx.connection.execute(statement)


ROLES = [Role.TENANT_ADMIN, Role.MANAGER, Role.AGENT, Role.CLAIMS_OFFICER, Role.AUDITOR, Role.MEMBER]


class TestRoleMatrix:
    @pytest.mark.parametrize("role", ROLES)
    async def test_roles(self, client: httpx.AsyncClient, role: Role) -> None:
        tenant, _, _, member = await _member()
        await self._check(client, await token_for(client, tenant, role), member, permissions_of(role))

    @pytest.mark.parametrize("scopes", [["contributions:read"], ["contributions:write"], ["members:write"]], ids=str)
    async def test_partner_scopes(self, client: httpx.AsyncClient, scopes: list[str]) -> None:
        tenant, _, _, member = await _member()
        token = await partner_token(client, tenant, scopes)
        await self._check(client, token, member, with_implied({Permission(scope) for scope in scopes}))

    async def _check(
        self, client: httpx.AsyncClient, token: str, member: Member, granted: frozenset[Permission]
    ) -> None:
        read = await graphql(client, STATEMENT, token=token, member=gid("Member", member.id))
        if Permission.CONTRIBUTIONS_READ in granted:
            assert read["data"]["memberStatement"]["due"] == 5_500
        else:
            assert {error["extensions"]["code"] for error in read["errors"]} == {"FORBIDDEN"}
        written = await graphql(client, RECORD, token=token, input=_payment(member, 1_000))
        if Permission.CONTRIBUTIONS_WRITE in granted:
            assert written["data"]["paymentRecord"]["payment"]["amount"] == 1_000
        else:
            assert [error["extensions"]["code"] for error in written["errors"]] == ["FORBIDDEN"]


class TestPages:
    async def test_calls_are_listed_by_pages(self, client: httpx.AsyncClient) -> None:
        tenant, ctx, scheme, _ = await _member()
        await call_year(ctx, scheme.id, YEAR.next())
        token = await token_for(client, tenant, Role.MANAGER)
        query = """
        query ($after: String) {
          contributionCalls(first: 2, after: $after, filter: {payer: MEMBER}) {
            edges { node { period kind } } pageInfo { hasNextPage endCursor }
          }
        }"""
        seen: list[tuple[str, str]] = []
        after = None
        while True:
            page = (await graphql(client, query, token=token, after=after))["data"]["contributionCalls"]
            seen += [(node["period"], node["kind"]) for node in nodes(page)]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == [
            (YEAR.next().label, "CONTRIBUTION"),
            (YEAR.label, "REGISTRATION_FEE"),
            (YEAR.label, "CONTRIBUTION"),
        ]
        bad = await graphql(
            client,
            query,
            token=token,
            after="WyJub3QgYSBkYXRlIiwiYSIsImIiLCIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ",
        )
        assert [error["extensions"]["code"] for error in bad["errors"]] == ["INVALID_CURSOR"]


class TestAmounts:
    async def test_amounts_beyond_graphqls_int_are_read_and_bounded(self, client: httpx.AsyncClient) -> None:
        tenant, _, _, member = await _member()
        token = await token_for(client, tenant, Role.MANAGER)
        large = await _record(client, token, _payment(member, 3_000_000_000))
        assert (large["payment"]["amount"], large["payment"]["allocations"][-1]["amount"]) == (3_000_000_000, 3_500)
        statement = (await _statement(client, token, member))["memberStatement"]
        assert (statement["credit"], statement["balance"]) == (2_999_994_500, -2_999_994_500)
        refused = await _record(client, token, _payment(member, 10**15))
        assert (refused["code"], refused["path"]) == ("INVALID_AMOUNT", ["input", "amount"])
        for value in (2**53, 1.5, True, "3500"):
            body = await graphql(client, RECORD, token=token, input=_payment(member, value))
            assert body["data"] is None
            assert body["errors"][0]["message"].startswith("Variable '$input' has invalid value at .amount")
