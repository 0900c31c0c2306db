"""The State's subsidies: a statement per scheme and period of the State's
calls, drawn up by a manager or the daily job, once per call; the ministry
sees its tenants' statements and records the State's payments of them, at
most what is due; the money lands once in the tenant's ledger and settles
the statement's calls. Replays, concurrent requests, other tenants, other
countries, row-level security alone and the role matrix."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import from_base64

from schemes.contributions import receipts, subsidies
from tenants.roles import Role, TenantKind
from tenants.tx import tenant_tx
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.jobs import jobs_done
from tests.schemes.contributions.ledger_check import call_year, check_ledger, gid
from tests.schemes.contributions.mutuals import YEAR, cmu_mutual
from tests.schemes.members.factories import artisan, enrol, unique_phone
from workers import contributions as daily

pytestmark = pytest.mark.usefixtures("migrated")

DRAW = """
mutation ($input: SubsidyStatementDrawInput!) {
  subsidyStatementDraw(input: $input) {
    __typename
    ... on SubsidyStatementDrawing { alreadyDrawn statement { id period number members beneficiaries amount } }
    ... on SubsidyStatementDrawError { code path message }
  }
}
"""
STATEMENTS = """
query ($filter: SubsidyStatementFilter, $first: Int, $after: String) {
  subsidyStatements(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node {
      id schemeName period number members beneficiaries amount paid outstanding status currency drawnByName
      tenant { slug }
      payments { amount reference paidOn recordedByName receiptNumber }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
PAY_RECEIPT = """
mutation ($input: SubsidyPaymentRecordInput!) {
  subsidyPaymentRecord(input: $input) { ... on SubsidyPaymentRecording { payment { receiptNumber } } }
}
"""
PAY = """
mutation ($input: SubsidyPaymentRecordInput!) {
  subsidyPaymentRecord(input: $input) {
    __typename
    ... on SubsidyPaymentRecording { alreadyRecorded payment { id amount reference } statement { paid outstanding status } }
    ... on SubsidyPaymentRecordError { code path message others { path message } }
  }
}
"""


def _draw_input(scheme: Any, key: str | None = None) -> dict[str, str]:
    return {"scheme": gid("Scheme", scheme.id), "period": YEAR.label, "idempotencyKey": key or str(uuid.uuid4())}


def _pay_input(statement_id: str, amount: int, **overrides: Any) -> dict[str, Any]:
    values = {
        "statement": statement_id,
        "amount": amount,
        "currency": "XOF",
        "reference": "TRESOR-OV-2026-0412",
        "paidOn": date.today().isoformat(),
        "idempotencyKey": str(uuid.uuid4()),
    }
    return {**values, **overrides}


async def _ministry(client: httpx.AsyncClient, country: str, role: Role = Role.MINISTRY_ADMIN) -> str:
    return await token_for(client, await make_tenant(kind=TenantKind.MINISTRY, country=country), role)


class TestDrawingAStatement:
    async def test_a_manager_draws_the_periods_calls_once(self, client: httpx.AsyncClient) -> None:
        mutual = await cmu_mutual("SN", "Mutuelle de santé de Pikine")
        tenant, ctx, scheme = mutual.tenant, mutual.ctx, mutual.scheme
        token = await token_for(client, tenant, Role.MANAGER)

        drawn = (await graphql(client, DRAW, token=token, input=_draw_input(scheme)))["data"]["subsidyStatementDraw"]
        again = (await graphql(client, DRAW, token=token, input=_draw_input(scheme)))["data"]["subsidyStatementDraw"]

        assert {key: value for key, value in drawn["statement"].items() if key != "id"} == {
            "period": YEAR.label,
            "number": 1,
            "members": 3,
            "beneficiaries": 6,
            "amount": 28_000,
        }
        assert again == {
            "__typename": "SubsidyStatementDrawError",
            "code": "NOTHING_TO_STATE",
            "path": ["input", "period"],
            "message": f"Aucun appel de l'État à relever pour la période {YEAR.label} : ses appels sont déjà sur un "
            "relevé, ou le régime n'en a pas.",
        }
        # A member enrolled later in the period goes on the period's next statement.
        await enrol(ctx, artisan(scheme, phone=unique_phone()), today=YEAR.start + timedelta(days=40))
        await call_year(ctx, scheme.id, YEAR)
        second = (await graphql(client, DRAW, token=token, input=_draw_input(scheme)))["data"]["subsidyStatementDraw"]
        assert (second["statement"]["number"], second["statement"]["members"], second["statement"]["amount"]) == (
            2,
            1,
            3_500,
        )

    async def test_a_replay_returns_the_statement_drawn_and_concurrent_draws_draw_once(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        mutual = await cmu_mutual("SN", "Mutuelle de santé de Guédiawaye")
        tenant, scheme = mutual.tenant, mutual.scheme
        token = await token_for(client, tenant, Role.MANAGER)
        same = _draw_input(scheme, "draw-2026-guediawaye")
        replays = await asyncio.gather(*(graphql(client, DRAW, token=token, input=same) for _ in range(8)))
        answers = [body["data"]["subsidyStatementDraw"] for body in replays]
        assert sorted(answer["alreadyDrawn"] for answer in answers) == [False] + [True] * 7
        assert len({answer["statement"]["id"] for answer in answers}) == 1

        await enrol(await context(tenant), artisan(scheme, phone=unique_phone()), today=YEAR.start)
        await call_year(await context(tenant), scheme.id, YEAR)
        racing = await asyncio.gather(
            *(graphql(client, DRAW, token=token, input=_draw_input(scheme)) for _ in range(6))
        )
        outcomes = sorted(body["data"]["subsidyStatementDraw"]["__typename"] for body in racing)
        assert outcomes == ["SubsidyStatementDrawError"] * 5 + ["SubsidyStatementDrawing"]
        rows = await owner.fetch(
            "SELECT s.number, count(l.id) AS calls FROM subsidy_statements s"
            " JOIN subsidy_statement_calls l ON l.statement_id = s.id WHERE s.tenant_id = $1"
            " GROUP BY s.number ORDER BY s.number",
            tenant.id,
        )
        assert [tuple(row) for row in rows] == [(1, 3), (2, 1)]

    async def test_bad_input_is_refused_at_its_field(self, client: httpx.AsyncClient) -> None:
        mutual = await cmu_mutual("SN", "Mutuelle de santé de Rufisque")
        tenant, scheme = mutual.tenant, mutual.scheme
        token = await token_for(client, tenant, Role.MANAGER)
        mutual = await cmu_mutual("SN", "Mutuelle de santé de Bargny")
        other_scheme = mutual.scheme
        cases = [
            ({**_draw_input(scheme), "period": "2026-13"}, "INVALID_PERIOD", ["input", "period"]),
            ({**_draw_input(scheme), "period": "1990"}, "NO_RULE_IN_FORCE", ["input", "period"]),
            (_draw_input(other_scheme), "SCHEME_NOT_FOUND", ["input", "scheme"]),
            ({**_draw_input(scheme), "scheme": gid("Scheme", uuid.uuid4())}, "SCHEME_NOT_FOUND", ["input", "scheme"]),
            ({**_draw_input(scheme), "idempotencyKey": " "}, "INVALID_IDEMPOTENCY_KEY", ["input", "idempotencyKey"]),
        ]
        for given, code, path in cases:
            answer = (await graphql(client, DRAW, token=token, input=given))["data"]["subsidyStatementDraw"]
            assert (answer["code"], answer["path"]) == (code, path), given
        english = await graphql(client, DRAW, token=token, language="en", input=cases[2][0])
        assert english["data"]["subsidyStatementDraw"]["message"] == "Scheme not found."
        reused = _draw_input(scheme, "one-key")
        await graphql(client, DRAW, token=token, input=reused)
        otherwise = {**reused, "period": str(YEAR.start.year - 1)}
        answer = (await graphql(client, DRAW, token=token, input=otherwise))["data"]["subsidyStatementDraw"]
        assert answer["code"] == "STATEMENT_KEY_REUSED"


class TestTheMinistry:
    async def test_a_ministry_sees_its_countrys_statements_and_a_mutual_its_own(
        self, client: httpx.AsyncClient
    ) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Pikine")
        pikine, pikine_scheme = mutual.tenant, mutual.scheme
        mutual = await cmu_mutual(country, "Mutuelle de Thiès")
        thies, thies_scheme = mutual.tenant, mutual.scheme
        mutual = await cmu_mutual(fresh_country(), "Mutuelle d'ailleurs")
        elsewhere, elsewhere_scheme = mutual.tenant, mutual.scheme
        for tenant, scheme in ((pikine, pikine_scheme), (thies, thies_scheme), (elsewhere, elsewhere_scheme)):
            await graphql(client, DRAW, token=await token_for(client, tenant, Role.MANAGER), input=_draw_input(scheme))

        officer = await _ministry(client, country, Role.OVERSIGHT_OFFICER)
        seen = (await graphql(client, STATEMENTS, token=officer))["data"]["subsidyStatements"]
        assert seen["totalCount"] == 2
        assert sorted((node["tenant"]["slug"], node["amount"], node["status"]) for node in nodes(seen)) == sorted(
            [(pikine.slug, 28_000, "UNPAID"), (thies.slug, 28_000, "UNPAID")]
        )
        one = await graphql(client, STATEMENTS, token=officer, filter={"tenant": gid("Tenant", thies.id)})
        assert [node["tenant"]["slug"] for node in nodes(one["data"]["subsidyStatements"])] == [thies.slug]
        own = await graphql(client, STATEMENTS, token=await token_for(client, pikine, Role.AUDITOR))
        assert [node["tenant"]["slug"] for node in nodes(own["data"]["subsidyStatements"])] == [pikine.slug]
        assert nodes(own["data"]["subsidyStatements"])[0]["schemeName"] == "Couverture maladie universelle"
        foreign = await graphql(client, STATEMENTS, token=await _ministry(client, fresh_country()))
        assert foreign["data"]["subsidyStatements"]["totalCount"] == 0

    async def test_the_nominative_list_pages_by_member_number_and_a_ministrys_read_is_recorded(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Sédhiou")
        manager = await token_for(client, mutual.tenant, Role.MANAGER)
        drawn = await graphql(client, DRAW, token=manager, input=_draw_input(mutual.scheme))
        statement_id = drawn["data"]["subsidyStatementDraw"]["statement"]["id"]
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
        officer = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
        query = """
        query ($id: ID!, $after: String) { node(id: $id) { ... on SubsidyStatement {
          lines(first: 2, after: $after) {
            totalCount
            edges { node { memberNumber lastName category subsidyGroup kind persons amount } }
            pageInfo { hasNextPage endCursor }
          }
        } } }
        """
        first = (await graphql(client, query, token=officer, id=statement_id))["data"]["node"]["lines"]
        cursor = first["pageInfo"]["endCursor"]
        rest = (await graphql(client, query, token=officer, id=statement_id, after=cursor))["data"]["node"]["lines"]
        lines = [edge["node"] for edge in first["edges"] + rest["edges"]]
        numbers = await owner.fetch("SELECT number FROM members WHERE tenant_id = $1 ORDER BY number", mutual.tenant.id)
        assert [line["memberNumber"] for line in lines] == [row["number"] for row in numbers]
        assert (first["totalCount"], first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (
            3,
            True,
            False,
        )
        assert sorted((line["amount"], line["persons"], line["subsidyGroup"]) for line in lines) == [
            (3_500, 1, None),
            (10_500, 3, None),
            (14_000, 2, "CASH_TRANSFER"),
        ]
        assert {(line["category"], line["kind"]) for line in lines} == {("ARTISAN", "CONTRIBUTION")}
        await graphql(client, query, token=manager, id=statement_id)
        reads = await owner.fetch(
            "SELECT tenant_id, target_id FROM audit_events WHERE action = 'oversight.subsidy_statement_read'"
            " AND target_id IN ($1, $2)",
            str(mutual.tenant.id),
            str(ministry.id),
        )
        # The ministry's two reads are in its own log; the mutual reading its own list leaves no such trace.
        assert [(row["tenant_id"], row["target_id"]) for row in reads] == [(ministry.id, str(mutual.tenant.id))] * 2

    async def test_the_state_pays_in_two_transfers_and_the_ledger_settles_the_calls(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Mbour")
        tenant, scheme = mutual.tenant, mutual.scheme
        drawn = await graphql(
            client, DRAW, token=await token_for(client, tenant, Role.MANAGER), input=_draw_input(scheme)
        )
        statement_id = drawn["data"]["subsidyStatementDraw"]["statement"]["id"]
        minister = await _ministry(client, country)

        first = await graphql(client, PAY, token=minister, input=_pay_input(statement_id, 20_000))
        assert first["data"]["subsidyPaymentRecord"]["statement"] == {
            "paid": 20_000,
            "outstanding": 8_000,
            "status": "PARTLY_PAID",
        }
        over = await graphql(client, PAY, token=minister, input=_pay_input(statement_id, 8_001))
        assert over["data"]["subsidyPaymentRecord"] == {
            "__typename": "SubsidyPaymentRecordError",
            "code": "STATEMENT_OVERPAID",
            "path": ["input", "amount"],
            "message": "Il ne reste que 8000 XOF à payer sur ce relevé.",
            "others": [],
        }
        rest = _pay_input(statement_id, 8_000, reference="TRESOR-OV-2026-0977")
        second = await graphql(client, PAY, token=minister, input=rest)
        assert second["data"]["subsidyPaymentRecord"]["statement"]["status"] == "PAID"
        await jobs_done()

        calls = await owner.fetch(
            "SELECT c.amount, coalesce(sum(a.amount), 0) AS settled FROM contribution_calls c"
            " LEFT JOIN payment_allocations a ON a.call_id = c.id WHERE c.tenant_id = $1 AND c.payer = 'state'"
            " GROUP BY c.id ORDER BY c.amount",
            tenant.id,
        )
        assert [tuple(row) for row in calls] == [(3_500, 3_500), (10_500, 10_500), (14_000, 14_000)]
        ledger_payments = await owner.fetch(
            "SELECT payer, member_id, amount, channel, provider_reference, receipt_number FROM payments"
            " WHERE tenant_id = $1 ORDER BY receipt_sequence",
            tenant.id,
        )
        year = date.today().year
        assert [tuple(row) for row in ledger_payments] == [
            ("state", None, 20_000, "bank_transfer", "TRESOR-OV-2026-0412", f"{year}-000001"),
            ("state", None, 8_000, "bank_transfer", "TRESOR-OV-2026-0977", f"{year}-000002"),
        ]
        ledger = await check_ledger(owner, tenant.id)
        assert (ledger["paid"], ledger["credit"]) == (28_000, 0)

        listed = await graphql(client, STATEMENTS, token=await token_for(client, tenant, Role.MANAGER))
        (node,) = nodes(listed["data"]["subsidyStatements"])
        assert [(p["amount"], p["reference"], p["receiptNumber"]) for p in node["payments"]] == [
            (20_000, "TRESOR-OV-2026-0412", f"{year}-000001"),
            (8_000, "TRESOR-OV-2026-0977", f"{year}-000002"),
        ]
        # The job run again records nothing twice.
        payment_ids = await owner.fetch("SELECT id FROM subsidy_payments WHERE statement_id = $1", node_id(node))
        ctx = await daily.as_socle(tenant.id)
        for row in payment_ids:
            async with tenant_tx(ctx) as tx:
                replayed = await subsidies.record_in_ledger(tx, ctx, row["id"], datetime.now(UTC))
            assert replayed is not None and replayed.replayed
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 2
        # Each transfer has its receipt, from the State, one line per period however many members it pays for.
        first_payment = await owner.fetchval(
            "SELECT id FROM payments WHERE tenant_id = $1 AND receipt_sequence = 1", tenant.id
        )
        async with tenant_tx(ctx) as tx:
            receipt = await receipts.receipt_data(tx, ctx, first_payment)
        assert receipt is not None
        assert (receipt.payer, receipt.payer_name, receipt.lines) == (
            "state",
            "",
            [receipts.ReceiptLine(YEAR.label, "contribution", 20_000)],
        )
        assert await owner.fetchval("SELECT count(*) FROM payment_receipts WHERE tenant_id = $1", tenant.id) == 2
        # The State's transfer is the ministry's record: the mutual does not reverse it.
        reverse = """
        mutation ($input: PaymentReverseInput!) {
          paymentReverse(input: $input) { ... on PaymentReverseError { code path message } }
        }
        """
        refused = await graphql(
            client,
            reverse,
            token=await token_for(client, tenant, Role.MANAGER),
            input={"payment": gid("Payment", first_payment), "reason": "Erreur", "idempotencyKey": "reverse-state"},
        )
        assert refused["data"]["paymentReverse"] == {
            "code": "SUBSIDY_NOT_REVERSIBLE",
            "path": ["input", "payment"],
            "message": f"Le paiement {year}-000001 est le virement de l'État que le ministère a enregistré : il ne "
            "s'annule pas ici.",
        }

    async def test_a_replay_records_once_and_concurrent_payments_never_exceed_the_statement(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Kaolack")
        tenant, scheme = mutual.tenant, mutual.scheme
        drawn = await graphql(
            client, DRAW, token=await token_for(client, tenant, Role.MANAGER), input=_draw_input(scheme)
        )
        statement_id = drawn["data"]["subsidyStatementDraw"]["statement"]["id"]
        minister = await _ministry(client, country)

        same = _pay_input(statement_id, 10_000, idempotencyKey="tresor-ov-0412")
        replays = await asyncio.gather(*(graphql(client, PAY, token=minister, input=same) for _ in range(10)))
        answers = [body["data"]["subsidyPaymentRecord"] for body in replays]
        assert sorted(answer["alreadyRecorded"] for answer in answers) == [False] + [True] * 9
        racing = await asyncio.gather(
            *(graphql(client, PAY, token=minister, input=_pay_input(statement_id, 18_000)) for _ in range(6))
        )
        codes = sorted(body["data"]["subsidyPaymentRecord"].get("code", "RECORDED") for body in racing)
        assert codes == ["RECORDED"] + ["STATEMENT_OVERPAID"] * 5
        recorded = await owner.fetch(
            "SELECT amount FROM subsidy_payments WHERE statement_id = $1 ORDER BY amount", node_uuid(statement_id)
        )
        assert [row["amount"] for row in recorded] == [10_000, 18_000]
        await jobs_done()
        # A retry the next day is the same payment, whatever the day; and it now names its receipt.
        retried = {**same, "paidOn": (date.today() + timedelta(days=1)).isoformat()}
        again = (await graphql(client, PAY, token=minister, input=retried))["data"]["subsidyPaymentRecord"]
        assert again["alreadyRecorded"] is True
        receipt = await graphql(client, PAY_RECEIPT, token=minister, input=same)
        assert receipt["data"]["subsidyPaymentRecord"]["payment"]["receiptNumber"] == f"{date.today().year}-000001"
        assert (
            await owner.fetchval("SELECT sum(amount) FROM payments WHERE tenant_id = $1 AND payer = 'state'", tenant.id)
            == 28_000
        )

    async def test_bad_input_is_refused_at_its_field_in_french_or_english(self, client: httpx.AsyncClient) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Louga")
        tenant, scheme = mutual.tenant, mutual.scheme
        drawn = await graphql(
            client, DRAW, token=await token_for(client, tenant, Role.MANAGER), input=_draw_input(scheme)
        )
        statement_id = drawn["data"]["subsidyStatementDraw"]["statement"]["id"]
        minister = await _ministry(client, country)
        wrong = _pay_input(
            statement_id,
            0,
            currency="EUR",
            reference="x",
            paidOn=(date.today() + timedelta(days=2)).isoformat(),
        )
        answer = (await graphql(client, PAY, token=minister, input=wrong))["data"]["subsidyPaymentRecord"]
        assert [(answer["path"], answer["code"])] + [(other["path"], None) for other in answer["others"]] == [
            (["input", "amount"], "INVALID_AMOUNT"),
            (["input", "reference"], None),
            (["input", "paidOn"], None),
            (["input", "currency"], None),
        ]
        english = await graphql(client, PAY, token=minister, language="en", input=wrong)
        assert [other["message"] for other in english["data"]["subsidyPaymentRecord"]["others"]] == [
            "The reference must be 3 to 100 letters, digits, dots, hyphens or slashes.",
            "The transfer's date can be neither in the future nor more than a year ago.",
            "Payments are received in XOF, not in “EUR”.",
        ]
        for statement in (gid("Member", uuid.uuid4()), gid("SubsidyStatement", uuid.uuid4())):
            missing = await graphql(client, PAY, token=minister, input=_pay_input(statement, 100))
            assert missing["data"]["subsidyPaymentRecord"]["code"] == "STATEMENT_NOT_FOUND"
        too_old = _pay_input(statement_id, 100, paidOn=(date.today() - timedelta(days=400)).isoformat())
        old = (await graphql(client, PAY, token=minister, input=too_old))["data"]["subsidyPaymentRecord"]
        assert (old["code"], old["message"]) == (
            "INVALID_PAID_ON",
            "La date du virement ne peut être ni dans le futur ni à plus d'un an.",
        )


class TestIsolation:
    async def test_no_one_else_reads_or_pays_a_statement(self, client: httpx.AsyncClient) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Ziguinchor")
        tenant, scheme = mutual.tenant, mutual.scheme
        drawn = await graphql(
            client, DRAW, token=await token_for(client, tenant, Role.MANAGER), input=_draw_input(scheme)
        )
        statement_id = drawn["data"]["subsidyStatementDraw"]["statement"]["id"]
        mutual = await cmu_mutual(country, "Mutuelle de Kolda")
        neighbour = mutual.tenant
        node_query = "query ($id: ID!) { node(id: $id) { ... on SubsidyStatement { id amount } } }"
        for token in (
            await token_for(client, neighbour, Role.MANAGER),
            await _ministry(client, fresh_country(), Role.OVERSIGHT_OFFICER),
        ):
            assert (await graphql(client, node_query, token=token, id=statement_id))["data"]["node"] is None
        assert (
            await graphql(
                client, node_query, token=await _ministry(client, country, Role.OVERSIGHT_OFFICER), id=statement_id
            )
        )["data"]["node"] == {"id": statement_id, "amount": 28_000}
        foreign = await graphql(
            client, PAY, token=await _ministry(client, fresh_country()), input=_pay_input(statement_id, 100)
        )
        assert foreign["data"]["subsidyPaymentRecord"]["code"] == "STATEMENT_NOT_FOUND"

    async def test_row_level_security_alone_keeps_statements_and_payments_apart(
        self, client: httpx.AsyncClient
    ) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Tambacounda")
        tenant, ctx, scheme = mutual.tenant, mutual.ctx, mutual.scheme
        drawn = await graphql(
            client, DRAW, token=await token_for(client, tenant, Role.MANAGER), input=_draw_input(scheme)
        )
        statement_id = drawn["data"]["subsidyStatementDraw"]["statement"]["id"]
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
        paid = await graphql(
            client,
            PAY,
            token=await token_for(client, ministry, Role.MINISTRY_ADMIN),
            input=_pay_input(statement_id, 100),
        )
        payment_id = uuid.UUID(paid["data"]["subsidyPaymentRecord"]["payment"]["id"])
        await jobs_done()
        neighbour = await context(await make_tenant(country=country))
        visible = (
            "SELECT (SELECT count(*) FROM subsidy_statements) AS statements,"
            " (SELECT count(*) FROM subsidy_statement_calls) AS calls,"
            " (SELECT count(*) FROM subsidy_payments) AS payments"
        )
        async with tenant_tx(neighbour) as tx:
            assert tuple(await tx.fetchrow(visible, across_tenants=True)) == (0, 0, 0)
        async with tenant_tx(neighbour) as tx:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                # A mutual naming another tenant's statement in a payment of its own.
                await tx.execute(
                    "INSERT INTO subsidy_payments (id, tenant_id, statement_tenant_id, statement_id, amount, currency,"
                    " reference, paid_on, idempotency_key, recorded_by_kind, created_at)"
                    " VALUES ($1, $2, $3, $4, 1, 'XOF', 'FAUX-0002', now(), 'forged', 'user', now())",
                    uuid.uuid4(),
                    neighbour.tenant_id,
                    tenant.id,
                    node_uuid(statement_id),
                    across_tenants=True,
                )
        async with tenant_tx(neighbour) as tx:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await tx.execute(
                    "UPDATE subsidy_payments SET amount = 1 WHERE id = $1", payment_id, across_tenants=True
                )
        async with tenant_tx(ctx) as tx:
            # The tenant paid reads the ministry's record of the payment, and its own statement.
            assert tuple(await tx.fetchrow(visible, across_tenants=True)) == (1, 3, 1)
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await tx.execute(
                    "INSERT INTO subsidy_payments (id, tenant_id, statement_tenant_id, statement_id, amount, currency,"
                    " reference, paid_on, idempotency_key, recorded_by_kind, created_at)"
                    " VALUES ($1, $2, $3, $4, 1, 'XOF', 'FAUX-0001', now(), 'forged', 'user', now())",
                    uuid.uuid4(),
                    ministry.id,
                    tenant.id,
                    node_uuid(statement_id),
                    across_tenants=True,
                )


class TestRoleMatrix:
    async def test_who_reads_draws_and_pays(self, client: httpx.AsyncClient) -> None:
        country = fresh_country()
        mutual = await cmu_mutual(country, "Mutuelle de Fatick")
        tenant, scheme = mutual.tenant, mutual.scheme
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
        drawn = await graphql(
            client, DRAW, token=await token_for(client, tenant, Role.MANAGER), input=_draw_input(scheme)
        )
        statement_id = drawn["data"]["subsidyStatementDraw"]["statement"]["id"]
        reads = {}
        for where, role in (
            (tenant, Role.TENANT_ADMIN),
            (tenant, Role.MANAGER),
            (tenant, Role.AUDITOR),
            (tenant, Role.AGENT),
            (tenant, Role.CLAIMS_OFFICER),
            (ministry, Role.MINISTRY_ADMIN),
            (ministry, Role.OVERSIGHT_OFFICER),
        ):
            token = await token_for(client, where, role)
            body = await graphql(client, STATEMENTS, token=token)
            reads[role] = body["errors"][0]["extensions"]["code"] if "errors" in body else "READ"
            draw = await graphql(client, DRAW, token=token, input=_draw_input(scheme))
            pay = await graphql(client, PAY, token=token, input=_pay_input(statement_id, 1))
            reads[role] += " " + ("FORBIDDEN" if "errors" in draw else "DRAWS")
            reads[role] += " " + ("FORBIDDEN" if "errors" in pay else "PAYS")
        assert reads == {
            Role.TENANT_ADMIN: "READ FORBIDDEN FORBIDDEN",
            Role.MANAGER: "READ DRAWS FORBIDDEN",
            Role.AUDITOR: "READ FORBIDDEN FORBIDDEN",
            Role.AGENT: "FORBIDDEN FORBIDDEN FORBIDDEN",
            Role.CLAIMS_OFFICER: "FORBIDDEN FORBIDDEN FORBIDDEN",
            Role.MINISTRY_ADMIN: "READ FORBIDDEN PAYS",
            Role.OVERSIGHT_OFFICER: "READ FORBIDDEN FORBIDDEN",
        }


class TestTheDailyJob:
    async def test_the_job_draws_a_periods_first_statement_then_the_rest_once_it_has_ended(
        self, owner: asyncpg.Connection
    ) -> None:
        mutual = await cmu_mutual("SN", "Mutuelle de Kédougou")
        tenant, ctx, scheme = mutual.tenant, mutual.ctx, mutual.scheme
        await daily.call_tenant(tenant.id)
        await daily.call_tenant(tenant.id)
        await enrol(ctx, artisan(scheme, phone=unique_phone()), today=date.today())
        await daily.call_tenant(tenant.id)
        statements = (
            "SELECT number, members, amount, drawn_by_name FROM subsidy_statements WHERE tenant_id = $1 ORDER BY number"
        )
        assert [tuple(row) for row in await owner.fetch(statements, tenant.id)] == [(1, 3, 28_000, "socle")]
        after_the_year = YEAR.end + timedelta(days=1)
        now = datetime.combine(after_the_year, datetime.min.time(), UTC)
        drawn = await subsidies.draw_due(ctx, after_the_year, now)
        # (In late December the job has called the next year too: its first statement is drawn alongside.)
        assert [(s.number, s.members, s.amount) for s in drawn if s.period == YEAR.label] == [(2, 1, 3_500)]
        assert await subsidies.draw_due(ctx, after_the_year, now) == []
        # A period ended more than a year ago is no longer looked at.
        await enrol(ctx, artisan(scheme, phone=unique_phone()), today=date.today())
        await call_year(ctx, scheme.id, YEAR)
        long_after = YEAR.end + timedelta(days=subsidies.LOOK_BACK_DAYS + 1)
        later = datetime.combine(long_after, datetime.min.time(), UTC)
        assert [s for s in await subsidies.draw_due(ctx, long_after, later) if s.period == YEAR.label] == []


def node_uuid(global_id: str) -> uuid.UUID:
    """The UUID inside a Relay id."""
    return uuid.UUID(from_base64(global_id)[1])


def node_id(node: dict[str, Any]) -> uuid.UUID:
    return node_uuid(node["id"])
