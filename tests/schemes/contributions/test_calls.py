"""Calling a period: the member's and the State's shares under the rule
version in force, the registration fee, pro rata, subsidised households,
idempotent and concurrent runs, and the manager's mutation over HTTP."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest

from schemes.contributions import calls, schedule
from schemes.contributions.periods import ContributionPeriod
from schemes.members.tables import MemberStatus
from schemes.rules import service as rule_service
from schemes.rules.model import Period, SubsidyGroup
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.schemes.contributions.ledger_check import YEAR_2026, amounts_of, call_year, check_ledger, gid
from tests.schemes.members.factories import artisan, child, enrol, make_scheme, spouse
from tests.schemes.rules.documents import CMU
from workers import contributions as daily

pytestmark = pytest.mark.usefixtures("migrated")

CALLS = """
query ($filter: ContributionCallFilter, $first: Int, $after: String) {
  contributionCalls(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { period kind payer persons amount settled remaining currency dueOn member { lastName } } }
    pageInfo { hasNextPage endCursor }
  }
  contributionCallTotals(filter: $filter) { count due settled remaining currency }
}
"""
RUN = """
mutation ($input: ContributionCallsRunInput!) {
  contributionCallsRun(input: $input) {
    __typename
    ... on ContributionPeriodRun { period periodStart periodEnd members created }
    ... on ContributionCallsRunError { code path message }
  }
}
"""


async def _cmu_2025_2026() -> tuple[Any, Any, Any]:
    """A mutual whose CMU scheme had a 3,000 + 3,000 version in 2025 and has
    the 3,500 + 3,500 one since 2026."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx, effective_from=date(2025, 1, 1))
    cheaper = replace(CMU, contribution=replace(CMU.contribution, amount=6_000, registration_fee=1_000))
    async with tenant_tx(ctx) as tx:
        versions = await rule_service.versions_by_scheme(tx, ctx, [scheme.id])
        await rule_service.update_version(
            tx,
            ctx,
            rule_service.RuleVersionChange(
                version_id=versions[scheme.id][0].id, effective_from=date(2025, 1, 1), document=cheaper
            ),
        )
        await rule_service.create_version(
            tx, ctx, rule_service.NewRuleVersion(scheme_id=scheme.id, effective_from=date(2026, 1, 1), document=CMU)
        )
    return tenant, ctx, scheme


class TestCallingAPeriod:
    async def test_each_payer_is_called_under_the_version_of_its_period(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant, ctx, scheme = await _cmu_2025_2026()
        household = artisan(
            scheme,
            beneficiaries=(spouse("Awa"), child("Fatou", date(2015, 3, 2)), child("Ibou", date(1990, 1, 1))),
        )
        member = await enrol(ctx, household, today=date(2025, 3, 10))

        first = await call_year(ctx, scheme.id, ContributionPeriod(date(2025, 1, 1), Period.YEARLY))
        second = await call_year(ctx, scheme.id)
        assert (first.members, first.created, second.members, second.created) == (1, 3, 1, 2)

        token = await token_for(client, tenant, Role.MANAGER)
        body = await graphql(client, CALLS, token=token, filter={"member": gid("Member", member.id)})
        listed = nodes(body["data"]["contributionCalls"])
        # The son of 35 is past the age limit: the member, his wife and his daughter are counted.
        assert amounts_of(listed) == [
            ("2026", "CONTRIBUTION", "STATE", 10_500, 10_500),
            ("2026", "CONTRIBUTION", "MEMBER", 10_500, 10_500),
            ("2025", "REGISTRATION_FEE", "MEMBER", 1_000, 1_000),
            ("2025", "CONTRIBUTION", "STATE", 9_000, 9_000),
            ("2025", "CONTRIBUTION", "MEMBER", 9_000, 9_000),
        ]
        assert [(c["persons"], c["dueOn"], c["currency"], c["member"]) for c in listed[:2]] == [
            (3, "2026-01-01", "XOF", {"lastName": "Diop"}),
            (3, "2026-01-01", "XOF", {"lastName": "Diop"}),
        ]
        assert body["data"]["contributionCallTotals"] == {
            "count": 5,
            "due": 40_000,
            "settled": 0,
            "remaining": 40_000,
            "currency": "XOF",
        }
        assert await check_ledger(owner, tenant.id) == {"due": 40_000, "paid": 0, "outstanding": 40_000, "credit": 0}
        used = await owner.fetch(
            "SELECT number, used_through FROM scheme_rule_versions WHERE scheme = $1 ORDER BY number", scheme.id
        )
        assert [tuple(row) for row in used] == [(1, date(2025, 12, 31)), (2, date(2026, 12, 31))]

    async def test_running_again_creates_nothing_twice(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        for n in range(3):
            await enrol(ctx, artisan(scheme, phone=f"+221 77 000 10 0{n}"), today=date(2026, 2, 1))
        runs = [await call_year(ctx, scheme.id) for _ in range(2)]
        # Each member owes a registration fee and a share, and the State its share.
        assert [(run.members, run.created) for run in runs] == [(3, 9), (3, 0)]
        assert await owner.fetchval("SELECT count(*) FROM contribution_calls WHERE tenant_id = $1", tenant.id) == 9

    async def test_concurrent_runs_create_each_call_once(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        for n in range(4):
            await enrol(ctx, artisan(scheme, phone=f"+221 77 000 20 0{n}"), today=date(2026, 2, 1))
        runs = await asyncio.gather(*(call_year(ctx, scheme.id) for _ in range(5)))
        assert sum(run.created for run in runs) == 12
        assert await owner.fetchval("SELECT count(*) FROM contribution_calls WHERE tenant_id = $1", tenant.id) == 12

    async def test_a_run_that_stopped_is_finished_by_the_next(
        self, owner: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        for n in range(5):
            await enrol(ctx, artisan(scheme, phone=f"+221 77 000 30 0{n}"), today=date(2026, 2, 1))
        monkeypatch.setattr(schedule, "BATCH", 2)
        versions = await schedule.scheme_versions(ctx, scheme.id)
        original = calls.call_batch
        batches = 0

        async def crashing(*args: Any, **kwargs: Any) -> Any:
            nonlocal batches
            batches += 1
            if batches == 2:
                raise ConnectionResetError("the worker was stopped")
            return await original(*args, **kwargs)

        monkeypatch.setattr(calls, "call_batch", crashing)
        with pytest.raises(ConnectionResetError):
            await schedule.run_period(ctx, scheme.id, versions, YEAR_2026)
        # The first batch's two members were called before the crash.
        assert await owner.fetchval("SELECT count(*) FROM contribution_calls WHERE tenant_id = $1", tenant.id) == 6
        monkeypatch.setattr(calls, "call_batch", original)
        run = await schedule.run_period(ctx, scheme.id, versions, YEAR_2026)
        assert (run.members, run.created) == (5, 9)

    async def test_who_is_called(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        paying = await enrol(ctx, artisan(scheme, phone="+221 77 000 40 01"), today=date(2026, 1, 15))
        subsidised = await enrol(
            ctx,
            artisan(
                scheme,
                phone="+221 77 000 40 02",
                subsidy_group=SubsidyGroup.CASH_TRANSFER,
                beneficiaries=(spouse("Coumba"),),
            ),
            today=date(2026, 1, 15),
        )
        left = await enrol(ctx, artisan(scheme, phone="+221 77 000 40 03"), today=date(2026, 1, 15))
        await owner.execute("SELECT set_config('app.audited', 'on', false)")
        await owner.execute("UPDATE members SET status = $2 WHERE id = $1", left.id, MemberStatus.TERMINATED.value)
        run = await call_year(ctx, scheme.id)
        rows = await owner.fetch(
            "SELECT member_id, kind, payer, amount, persons, due_on FROM contribution_calls WHERE tenant_id = $1"
            " ORDER BY member_id, kind DESC, payer",
            tenant.id,
        )
        assert run.members == 2
        assert sorted(tuple(row) for row in rows) == sorted(
            [
                (paying.id, "registration_fee", "member", 2_000, 1, date(2026, 1, 15)),
                (paying.id, "contribution", "member", 3_500, 1, date(2026, 1, 15)),
                (paying.id, "contribution", "state", 3_500, 1, date(2026, 1, 15)),
                # A cash-transfer household: the State pays both persons' whole contribution; the fee is the member's.
                (subsidised.id, "registration_fee", "member", 2_000, 1, date(2026, 1, 15)),
                (subsidised.id, "contribution", "state", 14_000, 2, date(2026, 1, 15)),
            ]
        )


class TestTheManagersMutation:
    async def test_a_manager_calls_a_period(self, client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
        tenant, ctx, scheme = await _cmu_2025_2026()
        await enrol(ctx, artisan(scheme), today=date(2026, 4, 2))
        token = await token_for(client, tenant, Role.MANAGER)
        given = {"scheme": gid("Scheme", scheme.id), "period": " 2026 "}
        first = (await graphql(client, RUN, token=token, input=given))["data"]["contributionCallsRun"]
        again = (await graphql(client, RUN, token=token, input=given))["data"]["contributionCallsRun"]
        assert first == {
            "__typename": "ContributionPeriodRun",
            "period": "2026",
            "periodStart": "2026-01-01",
            "periodEnd": "2026-12-31",
            "members": 1,
            "created": 3,
        }
        assert (again["members"], again["created"]) == (1, 0)
        events = await owner.fetch(
            "SELECT action, summary->>'calls' AS calls FROM audit_events WHERE tenant_id = $1"
            " AND action = 'contribution_call.create'",
            tenant.id,
        )
        assert [tuple(row) for row in events] == [("contribution_call.create", "3")]

    @pytest.mark.parametrize(
        ("period", "code", "message"),
        [
            (
                "2026-12",
                "INVALID_PERIOD",
                "« 2026-12 » ne désigne pas une période du régime : 2026-12 (mois), 2026-T4 (trimestre) ou 2026 (année).",
            ),
            (
                "2019",
                "NO_RULE_IN_FORCE",
                "Le régime n'a pas de version des règles en vigueur pour la période 2019.",
            ),
        ],
    )
    async def test_a_period_the_scheme_does_not_have(
        self, client: httpx.AsyncClient, period: str, code: str, message: str
    ) -> None:
        tenant, _, scheme = await _cmu_2025_2026()
        token = await token_for(client, tenant, Role.MANAGER)
        body = await graphql(client, RUN, token=token, input={"scheme": gid("Scheme", scheme.id), "period": period})
        assert body["data"]["contributionCallsRun"] == {
            "__typename": "ContributionCallsRunError",
            "code": code,
            "path": ["input", "period"],
            "message": message,
        }

    async def test_another_tenants_scheme_is_not_found(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        _, ctx, scheme = await _cmu_2025_2026()
        await enrol(ctx, artisan(scheme), today=date(2026, 4, 2))
        other = await make_tenant()
        token = await token_for(client, other, Role.MANAGER)
        body = await graphql(client, RUN, token=token, input={"scheme": gid("Scheme", scheme.id), "period": "2026"})
        assert body["data"]["contributionCallsRun"]["code"] == "SCHEME_NOT_FOUND"
        assert await owner.fetchval("SELECT count(*) FROM contribution_calls WHERE scheme_id = $1", scheme.id) == 0
        listed = await graphql(client, CALLS, token=token)
        assert listed["data"]["contributionCalls"]["totalCount"] == 0
        assert listed["data"]["contributionCallTotals"]["count"] == 0


class TestTheDailyJob:
    async def test_it_calls_the_period_under_way_once(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        await enrol(ctx, artisan(scheme), today=date.today())
        first = await daily.call_tenant(tenant.id)
        again = await daily.call_tenant(tenant.id)
        # The CMU rule is yearly: this year, and the next when it starts within ten days.
        assert [run.period for run in first] == schedule.periods_due(
            await schedule.scheme_versions(ctx, scheme.id), date.today()
        )
        assert [run.members for run in first] == [1] * len(first)
        assert sum(run.created for run in first) == 3 + 2 * (len(first) - 1)
        assert sum(run.created for run in again) == 0
        assert tenant.id in await daily.calling_tenants()

    def test_the_next_period_is_called_ten_days_ahead(self) -> None:
        monthly = replace(CMU, contribution=replace(CMU.contribution, period=Period.MONTHLY, amount=600))
        version = rule_service.RuleVersion(
            id=uuid.uuid4(),
            scheme_id=uuid.uuid4(),
            number=1,
            effective_from=date(2026, 1, 1),
            used_through=None,
            document=monthly,
        )
        assert [p.label for p in schedule.periods_due([version], date(2026, 12, 10))] == ["2026-12"]
        assert [p.label for p in schedule.periods_due([version], date(2026, 12, 22))] == ["2026-12", "2027-01"]
        assert schedule.periods_due([version], date(2025, 12, 1)) == []
