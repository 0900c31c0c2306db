"""PDF receipts: a payment recorded gets its receipt from a job, in French,
with the amount in figures and in words and the periods it settles; a
reversal gets its notice; the job run twice at once files one receipt
whose bytes match its digest; the member reads and downloads their own
receipts, never a neighbour's; another tenant, a role without
`contributions:read` and the database's policies alone see none."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest
from pypdf import PdfReader

from app.settings import Settings
from app.storage import make_storage
from schemes.contributions import receipts
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.graphql_client import code_token, fetch_link, graphql, token_for
from tests.jobs import jobs_done
from tests.pages import HTML, Browser, sign_in_with_code, texts_of
from tests.schemes.contributions.ledger_check import call_year, gid
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone
from workers.receipts import render

pytestmark = pytest.mark.usefixtures("migrated")

RECORD = """
mutation ($input: PaymentRecordInput!) {
  paymentRecord(input: $input) { ... on PaymentRecording { payment { id receiptNumber } } }
}
"""
REVERSE = """
mutation ($input: PaymentReverseInput!) {
  paymentReverse(input: $input) { ... on PaymentRecording { payment { id receiptNumber } } }
}
"""
RECEIPT_URL = """
query ($id: ID!) { node(id: $id) { ... on Payment { receiptNumber receiptUrl receivedAt createdAt recordedByName } } }
"""


async def _paid(client: httpx.AsyncClient, amount: int = 5_500) -> dict[str, Any]:
    """An artisan of a CMU mutual called for the year (2 000 F of fee, 3 500 F of share) who paid ``amount`` in cash."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(ctx, artisan(scheme, phone=unique_phone()))
    await call_year(ctx, scheme.id)
    token = await token_for(client, tenant, Role.MANAGER)
    given = {
        "member": gid("Member", member.id),
        "amount": amount,
        "currency": "XOF",
        "channel": "CASH",
        "idempotencyKey": str(uuid.uuid4()),
    }
    payment = (await graphql(client, RECORD, token=token, input=given))["data"]["paymentRecord"]["payment"]
    await jobs_done()
    return {"tenant": tenant, "ctx": ctx, "member": member, "token": token, "payment": payment}


def _moment(value: str) -> str:
    """An API timestamp as the receipt prints it."""
    return f"{datetime.fromisoformat(value):%d/%m/%Y %H:%M} UTC"


def _text(pdf: bytes) -> list[str]:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()


async def test_a_payment_gets_its_receipt_in_french(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    paid = await _paid(client)
    payment, member = paid["payment"], paid["member"]
    seen = (await graphql(client, RECEIPT_URL, token=paid["token"], id=payment["id"]))["data"]["node"]
    assert seen["receiptUrl"]
    answer = await fetch_link(client, seen["receiptUrl"])
    assert (answer.status_code, answer.headers["content-type"]) == (200, "application/pdf")
    assert _text(answer.content) == [
        paid["tenant"].name,
        f"Reçu {payment['receiptNumber']}",
        "Reçu de",
        f"Diop Moussa · {member.number}",
        "Régime",
        "Couverture maladie universelle",
        "Reçu le",
        _moment(seen["receivedAt"]),
        "Montant",
        "5 500 F CFA",
        "Moyen de paiement",
        "Espèces",
        "Arrêté le présent reçu à la somme de cinq mille cinq cents francs",
        "CFA.",
        "Règle",
        "Montant",
        "2026 · Droit d'adhésion",
        "2 000 F CFA",
        "2026",
        "3 500 F CFA",
        f"Enregistré par {seen['recordedByName']} le {_moment(seen['createdAt'])}.",
    ]
    row = await owner.fetchrow(
        "SELECT storage_key, size, sha256 FROM payment_receipts WHERE tenant_id = $1", paid["tenant"].id
    )
    assert (row["size"], row["sha256"]) == (len(answer.content), hashlib.sha256(answer.content).hexdigest())
    audited = await owner.fetchval(
        "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'payment_receipt.create'",
        paid["tenant"].id,
    )
    assert audited == 1


async def test_a_reversal_gets_its_notice(client: httpx.AsyncClient) -> None:
    paid = await _paid(client)
    given = {"payment": paid["payment"]["id"], "reason": "Billet refusé", "idempotencyKey": str(uuid.uuid4())}
    reversal = (await graphql(client, REVERSE, token=paid["token"], input=given))["data"]["paymentReverse"]["payment"]
    await jobs_done()
    seen = (await graphql(client, RECEIPT_URL, token=paid["token"], id=reversal["id"]))["data"]["node"]
    lines = _text((await fetch_link(client, seen["receiptUrl"])).content)
    assert lines[1] == f"Avis d'annulation {reversal['receiptNumber']}"
    assert lines[9] == "-5 500 F CFA"
    assert [lines[12], lines[13]] == ["Annule le reçu", paid["payment"]["receiptNumber"]]
    assert "Billet refusé" in lines


async def test_the_job_run_twice_at_once_files_one_receipt(
    client: httpx.AsyncClient, owner: asyncpg.Connection, settings: Settings
) -> None:
    paid = await _paid(client)
    payment_id = uuid.UUID(
        await owner.fetchval("SELECT id::text FROM payments WHERE tenant_id = $1", paid["tenant"].id)
    )
    await owner.execute("SET session_replication_role = replica")
    try:
        await owner.execute("DELETE FROM payment_receipts WHERE tenant_id = $1", paid["tenant"].id)
    finally:
        await owner.execute("SET session_replication_role = DEFAULT")
    store = make_storage(settings, settings.secret())
    filed = await asyncio.gather(*(receipts.file_receipt(paid["ctx"], payment_id, store, render) for _ in range(4)))
    assert sorted(filed) == [False, False, False, True]
    row = await owner.fetchrow("SELECT storage_key, sha256 FROM payment_receipts WHERE payment_id = $1", payment_id)
    assert hashlib.sha256(await store.get(row["storage_key"])).hexdigest() == row["sha256"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.MEMBER])
async def test_roles_without_contributions_read_see_no_receipt(client: httpx.AsyncClient, role: Role) -> None:
    paid = await _paid(client)
    token = await token_for(client, paid["tenant"], role)
    seen = await graphql(client, RECEIPT_URL, token=token, id=paid["payment"]["id"])
    assert seen["data"] == {"node": None}


async def test_another_tenant_sees_no_receipt(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    paid = await _paid(client)
    other: Tenant = await make_tenant()
    token = await token_for(client, other, Role.MANAGER)
    seen = await graphql(client, RECEIPT_URL, token=token, id=paid["payment"]["id"])
    assert seen["data"] == {"node": None}
    payment_id = await owner.fetchval("SELECT id FROM payments WHERE tenant_id = $1", paid["tenant"].id)
    ctx = await context(other)
    async with tenant_tx(ctx) as tx:
        assert await receipts.receipt_keys(tx, ctx, [payment_id]) == {}
        assert await tx.connection.fetchval("SELECT count(*) FROM payment_receipts") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(paid["ctx"]) as tx:
            await tx.connection.execute("UPDATE payment_receipts SET size = 1")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(ctx) as tx:
            await tx.connection.execute(
                "INSERT INTO payment_receipts (id, tenant_id, payment_id, storage_key, size, sha256, created_at)"
                " VALUES (gen_random_uuid(), $1, $2, 'x', 1, repeat('0', 64), now())",
                paid["tenant"].id,
                payment_id,
            )


MY_PAYMENTS = """
{ myPayments { totalCount edges { node {
  receiptNumber amount receivedAt receiptUrl allocations { amount call { period } }
} } } }
"""
OPEN = "mutation ($member: ID!) { memberAccessOpen(input: {member: $member}) { __typename } }"


async def test_a_member_reads_and_downloads_their_own_receipts_only(
    caplog: pytest.LogCaptureFixture, browser: Browser
) -> None:
    # One app: a second one at once would run a second job worker.
    async with browser.another() as client:
        paid = await _paid(client)
        member = paid["member"]
        neighbour = await enrol(paid["ctx"], artisan(await make_scheme(paid["ctx"]), phone=unique_phone()))
        given = {
            "member": gid("Member", neighbour.id),
            "amount": 3_500,
            "currency": "XOF",
            "channel": "CASH",
            "idempotencyKey": str(uuid.uuid4()),
        }
        theirs = (await graphql(client, RECORD, token=paid["token"], input=given))["data"]["paymentRecord"]["payment"]
        await jobs_done()
        opened = await graphql(client, OPEN, token=paid["token"], member=gid("Member", member.id))
        assert opened["data"] == {"memberAccessOpen": {"__typename": "Member"}}
        token = await code_token(client, caplog, member.phone)
        assert token is not None

        mine = (await graphql(client, MY_PAYMENTS, token=token))["data"]["myPayments"]
        assert mine["totalCount"] == 1
        (node,) = [edge["node"] for edge in mine["edges"]]
        assert (node["receiptNumber"], node["amount"]) == (paid["payment"]["receiptNumber"], 5_500)
        assert node["allocations"] == [
            {"amount": 2_000, "call": {"period": "2026"}},
            {"amount": 3_500, "call": {"period": "2026"}},
        ]
        answer = await fetch_link(client, node["receiptUrl"])
        assert _text(answer.content)[1] == f"Reçu {paid['payment']['receiptNumber']}"
        # Another member's payment, in the same mutual, is not theirs to read.
        assert (await graphql(client, RECEIPT_URL, token=token, id=theirs["id"]))["data"] == {"node": None}
        own = (await graphql(client, RECEIPT_URL, token=token, id=paid["payment"]["id"]))["data"]["node"]
        assert own["receiptNumber"] == paid["payment"]["receiptNumber"]
        # Staff have no payments of their own.
        refused = await graphql(client, MY_PAYMENTS, token=paid["token"])
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

        await sign_in_with_code(browser, caplog, member.phone)
        page = await browser.get("/me", headers=HTML)
        receipt_number = paid["payment"]["receiptNumber"]
        day = f"{datetime.fromisoformat(node['receivedAt']):%d/%m/%Y}"
        assert texts_of(page.text, "td")[:3] == [day, "5 500 F CFA", f"Reçu {receipt_number} (PDF)"]
