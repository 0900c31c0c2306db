"""Collection per period, scheme and kind of payer: what was called, what was
paid, the rate; a year with nothing, another tenant's figures, and the roles."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest

from schemes.members.tables import Member
from tenants.roles import Role
from tests.factories import context, make_tenant, make_user
from tests.graphql_client import graphql, token_for
from tests.pages import HTML, Browser, sign_in, texts_of
from tests.schemes.contributions.ledger_check import YEAR_2026, call_year, gid
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")

COLLECTION = """
query ($year: Int!, $scheme: ID) {
  contributionCollection(year: $year, scheme: $scheme) {
    scheme { code } period periodStart payer calls due collected outstanding rateBasisPoints currency
  }
}
"""
RECORD = "mutation ($input: PaymentRecordInput!) { paymentRecord(input: $input) { __typename } }"


async def _pay(client: httpx.AsyncClient, token: str, member: Member, amount: int) -> None:
    given = {
        "member": gid("Member", member.id),
        "amount": amount,
        "currency": "XOF",
        "channel": "CASH",
        "idempotencyKey": str(uuid.uuid4()),
    }
    answer = await graphql(client, RECORD, token=token, input=given)
    assert answer["data"]["paymentRecord"]["__typename"] == "PaymentRecording"


async def test_collection_per_period_and_payer(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    members = [await enrol(ctx, artisan(scheme, phone=unique_phone()), today=YEAR_2026.start) for _ in range(3)]
    await call_year(ctx, scheme.id)
    manager = await token_for(client, tenant, Role.MANAGER)
    await _pay(client, manager, members[0], 5_500)
    await _pay(client, manager, members[1], 1_000)

    answer = await graphql(client, COLLECTION, token=manager, year=2026)
    assert answer["data"]["contributionCollection"] == [
        {
            "scheme": {"code": scheme.code},
            "period": "2026",
            "periodStart": "2026-01-01",
            "payer": "MEMBER",
            "calls": 6,
            "due": 16_500,
            "collected": 6_500,
            "outstanding": 10_000,
            "rateBasisPoints": 3_939,
            "currency": "XOF",
        },
        # The State's half of each member's share (the CMU subsidy), not paid yet.
        {
            "scheme": {"code": scheme.code},
            "period": "2026",
            "periodStart": "2026-01-01",
            "payer": "STATE",
            "calls": 3,
            "due": 10_500,
            "collected": 0,
            "outstanding": 10_500,
            "rateBasisPoints": 0,
            "currency": "XOF",
        },
    ]
    nothing = await graphql(client, COLLECTION, token=manager, year=2031)
    assert nothing["data"]["contributionCollection"] == []
    other_scheme = await graphql(client, COLLECTION, token=manager, year=2026, scheme=gid("Member", members[0].id))
    assert other_scheme["data"]["contributionCollection"] == []
    refused = await graphql(client, COLLECTION, token=manager, year=1999)
    assert (refused["errors"][0]["extensions"]["code"], refused["errors"][0]["message"]) == (
        "INVALID_YEAR",
        "L'année doit être comprise entre 2000 et 2100.",
    )

    stranger = await token_for(client, await make_tenant(), Role.MANAGER)
    assert (await graphql(client, COLLECTION, token=stranger, year=2026))["data"]["contributionCollection"] == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.TENANT_ADMIN, True),
        (Role.MANAGER, True),
        (Role.AUDITOR, True),
        (Role.AGENT, False),
        (Role.CLAIMS_OFFICER, False),
        (Role.MEMBER, False),
    ],
)
async def test_who_reads_the_collection(client: httpx.AsyncClient, role: Role, allowed: bool) -> None:
    tenant = await make_tenant()
    answer = await graphql(client, COLLECTION, token=await token_for(client, tenant, role), year=2026)
    if allowed:
        assert answer["data"]["contributionCollection"] == []
    else:
        assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_collection_page(browser: Browser) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(ctx, artisan(scheme, phone=unique_phone()), today=YEAR_2026.start)
    await call_year(ctx, scheme.id)
    async with browser.another() as api:
        await _pay(api, await token_for(api, tenant, Role.MANAGER), member, 5_500)
    assert (await sign_in(browser, await make_user(tenant, Role.MANAGER))).status_code == 303
    page = await browser.get("/contributions/collection", params={"year": "2026"}, headers=HTML)
    assert page.status_code == 200
    assert texts_of(page.text, "h1") == ["Recouvrement des cotisations 2026"]
    assert texts_of(page.text, "td") == [
        "2026", scheme.name, "Adhérent", "2", "5 500 F CFA", "5 500 F CFA", "0 F CFA", "100 %",
        "2026", scheme.name, "État", "1", "3 500 F CFA", "0 F CFA", "3 500 F CFA", "0 %",
    ]  # fmt: skip
    for junk in ("1999", "abc", "<script>", "2" * 40):
        shown = await browser.get("/contributions/collection", params={"year": junk}, headers=HTML)
        assert (shown.status_code, texts_of(shown.text, "h1")) == (
            200,
            [f"Recouvrement des cotisations {date.today().year}"],
        )
    agent = browser.another()
    assert (await sign_in(agent, await make_user(tenant, Role.AGENT))).status_code == 303
    assert (await agent.get("/contributions/collection", headers=HTML)).status_code == 403
