"""Employers' declarations of salaries over GraphQL: each employee's shares
under the IPM's rate and ceiling, the employer's call and its payment, a
correction releasing and resettling the money, typed errors naming the
line, keys and concurrent filings, other tenants and the role matrix."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from schemes.contributions.periods import ContributionPeriod, period_of
from schemes.rules.model import Period
from tenants.permissions import Permission, permissions_of, with_implied
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.partner_tokens import partner_token
from tests.schemes.contributions.companies import SALARIES, Company, make_company
from tests.schemes.contributions.ledger_check import check_ledger, gid
from tests.schemes.members.factories import make_scheme

pytestmark = pytest.mark.usefixtures("migrated")


def _before(month: ContributionPeriod) -> ContributionPeriod:
    return period_of(Period.MONTHLY, month.start - timedelta(days=1))


MONTH = _before(period_of(Period.MONTHLY, date.today()))
"""Last month: begun, so declared."""
EARLIER = _before(MONTH)
NEXT_MONTH = period_of(Period.MONTHLY, date.today()).next()

DECLARATION = """
  id period periodStart periodEnd version employees salaries employerShare employeeShare amount currency note
  inForce replaces { version } replacedBy { version } employer { name } scheme { code }
  call { payer period amount settled remaining }
  lines { totalCount edges { node { line staffNumber salary base employerShare employeeShare member { lastName } } } }
"""
FILE = f"""
mutation ($input: EmployerDeclarationFileInput!) {{
  employerDeclarationFile(input: $input) {{
    __typename
    ... on EmployerDeclarationFiling {{ alreadyFiled declaration {{ {DECLARATION} }} }}
    ... on EmployerDeclarationFileError {{ code path message others {{ code path message }} }}
  }}
}}
"""
ACCOUNT = """
query ($employer: ID!) {
  employerStatement(employer: $employer) { due paid outstanding credit balance currency }
  employerDeclarations(filter: {employer: $employer}) { totalCount edges { node { version inForce amount } } }
}
"""
RECORD = """
mutation ($input: PaymentRecordInput!) {
  paymentRecord(input: $input) {
    ... on PaymentRecording { payment { payer amount allocations { amount call { payer period amount } } } }
    ... on PaymentRecordError { code path }
  }
}
"""


def _declaration(
    company: Company, lines: list[dict[str, Any]] | None = None, period: ContributionPeriod = MONTH, **given: Any
) -> dict[str, Any]:
    default = [{"staffNumber": number, "salary": salary} for number, *_, salary in SALARIES]
    return {
        "employer": company.employer_id,
        "scheme": gid("Scheme", company.scheme.id),
        "period": period.label,
        "lines": default if lines is None else lines,
        "idempotencyKey": str(uuid.uuid4()),
        **given,
    }


async def _file(client: httpx.AsyncClient, token: str, given: dict[str, Any], language: str | None = None) -> Any:
    return (await graphql(client, FILE, token=token, language=language, input=given))["data"]["employerDeclarationFile"]


async def _account(client: httpx.AsyncClient, token: str, company: Company) -> dict[str, Any]:
    data: dict[str, Any] = (await graphql(client, ACCOUNT, token=token, employer=company.employer_id))["data"]
    return data


def _line(line: int, staff_number: str, last_name: str, salary: int, base: int, employer: int, employee: int) -> Any:
    return {
        "node": {
            "line": line,
            "staffNumber": staff_number,
            "salary": salary,
            "base": base,
            "employerShare": employer,
            "employeeShare": employee,
            "member": {"lastName": last_name},
        }
    }


class TestFiling:
    async def test_a_declaration_calls_the_employer_for_both_shares_up_to_the_ceiling(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        filed = await _file(client, token, _declaration(company))
        assert filed == {
            "__typename": "EmployerDeclarationFiling",
            "alreadyFiled": False,
            "declaration": {
                "id": filed["declaration"]["id"],
                "period": MONTH.label,
                "periodStart": MONTH.start.isoformat(),
                "periodEnd": MONTH.end.isoformat(),
                "version": 1,
                "employees": 3,
                "salaries": 1_030_006,
                "employerShare": 51_001,
                "employeeShare": 51_000,
                "amount": 102_001,
                "currency": "XOF",
                "note": "",
                "inForce": True,
                "replaces": None,
                "replacedBy": None,
                "employer": {"name": "Société des BTP du Cap-Vert"},
                "scheme": {"code": company.scheme.code},
                "call": {
                    "payer": "EMPLOYER",
                    "period": MONTH.label,
                    "amount": 102_001,
                    "settled": 0,
                    "remaining": 102_001,
                },
                "lines": {
                    "totalCount": 3,
                    "edges": [
                        _line(1, "SDBTP-0001", "Ndiaye", 180_006, 180_006, 13_501, 13_500),
                        _line(2, "SDBTP-0002", "Fall", 250_000, 250_000, 18_750, 18_750),
                        _line(3, "SDBTP-0003", "Sarr", 600_000, 250_000, 18_750, 18_750),
                    ],
                },
            },
        }
        assert await check_ledger(owner, company.tenant.id) == {
            "due": 102_001,
            "paid": 0,
            "outstanding": 102_001,
            "credit": 0,
        }
        event = await owner.fetchrow(
            "SELECT target_type, summary FROM audit_events WHERE tenant_id = $1 AND action = 'employer_declaration.file'",
            company.tenant.id,
        )
        assert event is not None
        assert (event["target_type"], json.loads(event["summary"])["amount"]) == ("employer", "102001")

    async def test_employees_are_named_by_staff_or_member_number_in_any_case(self, client: httpx.AsyncClient) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        lines = [
            {"staffNumber": " sdbtp-0001 ", "salary": 150_000},
            {"memberNumber": company.staff[1].number.lower(), "salary": 200_000},
        ]
        filed = (await _file(client, token, _declaration(company, lines)))["declaration"]
        assert [(edge["node"]["staffNumber"], edge["node"]["salary"]) for edge in filed["lines"]["edges"]] == [
            ("SDBTP-0001", 150_000),
            ("SDBTP-0002", 200_000),
        ]
        assert (filed["employees"], filed["amount"]) == (2, 52_500)

    async def test_an_employer_pays_its_declaration_at_the_counter(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        await _file(client, token, _declaration(company))
        payment = {
            "employer": company.employer_id,
            "amount": 100_000,
            "currency": "XOF",
            "channel": "BANK_TRANSFER",
            "reference": "VIR-CBAO-2026-118",
            "idempotencyKey": str(uuid.uuid4()),
        }
        paid = (await graphql(client, RECORD, token=token, input=payment))["data"]["paymentRecord"]
        assert paid == {
            "payment": {
                "payer": "EMPLOYER",
                "amount": 100_000,
                "allocations": [
                    {"amount": 100_000, "call": {"payer": "EMPLOYER", "period": MONTH.label, "amount": 102_001}}
                ],
            }
        }
        account = await _account(client, token, company)
        assert account["employerStatement"] == {
            "due": 102_001,
            "paid": 100_000,
            "outstanding": 2_001,
            "credit": 0,
            "balance": 2_001,
            "currency": "XOF",
        }
        both = {**payment, "member": gid("Member", company.staff[0].id), "idempotencyKey": str(uuid.uuid4())}
        refused = (await graphql(client, RECORD, token=token, input=both))["data"]["paymentRecord"]
        assert refused == {"code": "PAYER_NOT_FOUND", "path": ["input", "employer"]}
        assert await check_ledger(owner, company.tenant.id) == {
            "due": 102_001,
            "paid": 100_000,
            "outstanding": 2_001,
            "credit": 0,
        }


class TestCorrections:
    async def test_a_correction_releases_the_money_and_resettles_the_new_call(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        first = (await _file(client, token, _declaration(company)))["declaration"]
        payment = {
            "employer": company.employer_id,
            "amount": 102_001,
            "currency": "XOF",
            "channel": "CASH",
            "idempotencyKey": str(uuid.uuid4()),
        }
        await graphql(client, RECORD, token=token, input=payment)

        # Khady Sarr left before the month: the company files without her.
        lower = _declaration(company, [{"staffNumber": n, "salary": s} for n, *_, s in SALARIES[:2]])
        second = await _file(client, token, {**lower, "replaces": first["id"], "note": "Départ de Mme Sarr"})
        corrected = second["declaration"]
        assert (corrected["version"], corrected["amount"], corrected["note"], corrected["replaces"]) == (
            2,
            64_501,
            "Départ de Mme Sarr",
            {"version": 1},
        )
        assert corrected["call"] == {
            "payer": "EMPLOYER",
            "period": MONTH.label,
            "amount": 64_501,
            "settled": 64_501,
            "remaining": 0,
        }
        account = await _account(client, token, company)
        assert account == {
            "employerStatement": {
                "due": 64_501,
                "paid": 102_001,
                "outstanding": 0,
                "credit": 37_500,
                "balance": -37_500,
                "currency": "XOF",
            },
            "employerDeclarations": {
                "totalCount": 2,
                "edges": [
                    {"node": {"version": 2, "inForce": True, "amount": 64_501}},
                    {"node": {"version": 1, "inForce": False, "amount": 102_001}},
                ],
            },
        }
        calls = await graphql(
            client,
            "query ($e: ID!) { contributionCalls(filter: {employer: $e}) { totalCount edges { node { amount } } } }",
            token=token,
            e=company.employer_id,
        )
        assert calls["data"]["contributionCalls"] == {"totalCount": 1, "edges": [{"node": {"amount": 64_501}}]}

        # Then a raise for Awa Ndiaye: the credit settles part of it.
        higher = _declaration(company, [{"staffNumber": "SDBTP-0001", "salary": 500_000}, lower["lines"][1]])
        third = (await _file(client, token, {**higher, "replaces": corrected["id"]}))["declaration"]
        assert (third["version"], third["amount"], third["call"]["settled"], third["call"]["remaining"]) == (
            3,
            75_000,
            75_000,
            0,
        )
        assert await check_ledger(owner, company.tenant.id) == {
            "due": 75_000,
            "paid": 102_001,
            "outstanding": 0,
            "credit": 27_001,
        }

    async def test_a_correction_names_the_declaration_in_force(self, client: httpx.AsyncClient) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        first = (await _file(client, token, _declaration(company)))["declaration"]
        again = await _file(client, token, _declaration(company))
        assert (again["code"], again["path"], again["message"]) == (
            "DECLARATION_EXISTS",
            ["input", "period"],
            f"La période {MONTH.label} est déjà déclarée (version 1) : déposez une déclaration rectificative.",
        )
        await _file(client, token, _declaration(company, replaces=first["id"]))
        stale = await _file(client, token, _declaration(company, replaces=first["id"]), language="en")
        assert (stale["code"], stale["path"], stale["message"]) == (
            "DECLARATION_SUPERSEDED",
            ["input", "replaces"],
            "The declaration to correct is no longer the one in force for this period: version 2 replaced it.",
        )
        other_period = _declaration(company, period=EARLIER, replaces=first["id"])
        for wrong in (other_period, _declaration(company, replaces=gid("EmployerDeclaration", uuid.uuid4()))):
            refused = await _file(client, token, wrong)
            assert (refused["code"], refused["path"]) == ("DECLARATION_NOT_FOUND", ["input", "replaces"])

    async def test_a_correction_without_employees_withdraws_the_declaration(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        first = (await _file(client, token, _declaration(company)))["declaration"]
        withdrawn = (await _file(client, token, _declaration(company, [], replaces=first["id"])))["declaration"]
        assert (withdrawn["version"], withdrawn["employees"], withdrawn["amount"], withdrawn["call"]) == (2, 0, 0, None)
        assert (await _account(client, token, company))["employerStatement"]["due"] == 0
        empty = await _file(client, token, _declaration(company, [], period=EARLIER))
        assert (empty["code"], empty["path"]) == ("LINES_REQUIRED", ["input", "lines"])
        await check_ledger(owner, company.tenant.id)


class TestRefusals:
    async def test_every_wrong_line_is_named(self, client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        lines = [
            {"staffNumber": "SDBTP-0001", "salary": 180_000},
            {"staffNumber": "SDBTP-0099", "salary": 200_000},
            {"memberNumber": company.staff[0].number, "salary": 180_000},
            {"salary": 90_000},
            {"staffNumber": "SDBTP-0002", "salary": 0},
            {"staffNumber": "S" * 41, "salary": 100_000},
        ]
        refused = await _file(client, token, _declaration(company, lines))
        assert refused == {
            "__typename": "EmployerDeclarationFileError",
            "code": "EMPLOYEE_NOT_FOUND",
            "path": ["input", "lines", "1", "staffNumber"],
            "message": "Aucun membre du régime employé par cet employeur pendant la période ne porte le numéro "
            "« SDBTP-0099 ».",
            "others": [
                {
                    "code": "EMPLOYEE_TWICE",
                    "path": ["input", "lines", "2"],
                    "message": "Ce salarié est déjà déclaré à la ligne 1.",
                },
                {
                    "code": "EMPLOYEE_REQUIRED",
                    "path": ["input", "lines", "3", "staffNumber"],
                    "message": "Indiquez le matricule du salarié ou son numéro d'adhérent.",
                },
                {
                    "code": "INVALID_AMOUNT",
                    "path": ["input", "lines", "4", "salary"],
                    "message": "Le montant doit être un nombre entier positif de l'unité de la devise, et non 0.",
                },
                {
                    "code": "TEXT_TOO_LONG",
                    "path": ["input", "lines", "5", "staffNumber"],
                    "message": "Ce texte doit compter 40 caractères au plus.",
                },
            ],
        }
        assert (
            await owner.fetchval("SELECT count(*) FROM employer_declarations WHERE tenant_id = $1", company.tenant.id)
            == 0
        )

    async def test_periods_and_schemes_that_take_no_declaration(self, client: httpx.AsyncClient) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        ahead = await _file(client, token, _declaration(company, period=NEXT_MONTH))
        assert (ahead["code"], ahead["path"]) == ("PERIOD_NOT_STARTED", ["input", "period"])
        wrong = await _file(client, token, {**_declaration(company), "period": "2026-13"})
        assert (wrong["code"], wrong["path"]) == ("INVALID_PERIOD", ["input", "period"])
        cmu = await make_scheme(company.ctx)
        flat = await _file(client, token, {**_declaration(company), "scheme": gid("Scheme", cmu.id)})
        assert (flat["code"], flat["path"]) == ("NOT_SALARY_BASED", ["input", "scheme"])
        unknown = await _file(client, token, {**_declaration(company), "employer": gid("Employer", uuid.uuid4())})
        assert (unknown["code"], unknown["path"]) == ("EMPLOYER_NOT_FOUND", ["input", "employer"])
        many = _declaration(company, [{"staffNumber": "SDBTP-0001", "salary": 100_000}] * 5_001)
        too_many = await _file(client, token, many)
        assert (too_many["code"], too_many["path"]) == ("TOO_MANY_LINES", ["input", "lines"])


class TestKeysAndConcurrency:
    async def test_a_retry_returns_the_declaration_filed(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        given = _declaration(company)
        answers = await asyncio.gather(*(_file(client, token, given) for _ in range(8)))
        assert {answer["declaration"]["id"] for answer in answers} == {answers[0]["declaration"]["id"]}
        assert sorted(answer["alreadyFiled"] for answer in answers) == [False] + [True] * 7
        elsewhere = await _file(client, token, {**given, "period": EARLIER.label})
        assert (elsewhere["code"], elsewhere["path"], elsewhere["message"]) == (
            "DECLARATION_KEY_REUSED",
            ["input", "idempotencyKey"],
            f"Cette clé d'idempotence a déjà servi pour la déclaration {MONTH.label} d'un employeur : chaque "
            "déclaration a sa clé.",
        )
        assert await check_ledger(owner, company.tenant.id) == {
            "due": 102_001,
            "paid": 0,
            "outstanding": 102_001,
            "credit": 0,
        }

    async def test_of_concurrent_filings_one_is_in_force(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        firsts = await asyncio.gather(*(_file(client, token, _declaration(company)) for _ in range(6)))
        assert sorted(answer["__typename"] for answer in firsts) == ["EmployerDeclarationFileError"] * 5 + [
            "EmployerDeclarationFiling"
        ]
        assert {answer["code"] for answer in firsts if "code" in answer} == {"DECLARATION_EXISTS"}
        (filed,) = [answer["declaration"] for answer in firsts if "declaration" in answer]
        corrections = await asyncio.gather(
            *(_file(client, token, _declaration(company, replaces=filed["id"])) for _ in range(6))
        )
        assert sorted(answer.get("code", "") for answer in corrections) == [""] + ["DECLARATION_SUPERSEDED"] * 5
        assert await owner.fetch(
            "SELECT version FROM employer_declarations WHERE tenant_id = $1 ORDER BY version", company.tenant.id
        ) == [(1,), (2,)]
        assert (await check_ledger(owner, company.tenant.id))["due"] == 102_001


class TestIsolation:
    async def test_another_tenant_can_neither_read_nor_file(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        filed = (await _file(client, token, _declaration(company)))["declaration"]
        other = await make_company()
        intruder = await token_for(client, other.tenant, Role.MANAGER)

        refused = await _file(client, intruder, {**_declaration(other), "employer": company.employer_id})
        assert (refused["code"], refused["path"]) == ("EMPLOYER_NOT_FOUND", ["input", "employer"])
        foreign_scheme = await _file(
            client, intruder, {**_declaration(other), "scheme": gid("Scheme", company.scheme.id)}
        )
        assert (foreign_scheme["code"], foreign_scheme["path"]) == ("SCHEME_NOT_FOUND", ["input", "scheme"])
        stolen = await _file(client, intruder, _declaration(other, replaces=filed["id"]))
        assert (stolen["code"], stolen["path"]) == ("DECLARATION_NOT_FOUND", ["input", "replaces"])
        assert await _account(client, intruder, company) == {
            "employerStatement": None,
            "employerDeclarations": {"totalCount": 0, "edges": []},
        }
        node = await graphql(client, "query ($id: ID!) { node(id: $id) { id } }", token=intruder, id=filed["id"])
        assert node["data"] == {"node": None}
        listed = await graphql(client, "{ employerDeclarations { totalCount } }", token=intruder)
        assert listed["data"] == {"employerDeclarations": {"totalCount": 0}}
        assert (
            await owner.fetchval("SELECT count(*) FROM employer_declarations WHERE tenant_id = $1", other.tenant.id)
            == 0
        )

    async def test_row_level_security_alone(self, client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        await _file(client, token, _declaration(company))
        stranger = await context(await make_tenant())
        async with tenant_tx(stranger) as tx:
            seen = [
                await tx.connection.fetchval(f"SELECT count(*) FROM {table}")
                for table in ("employer_declarations", "employer_declaration_lines")
            ]
        assert seen == [0, 0]
        for statement in (
            "UPDATE employer_declarations SET amount = 0",
            "DELETE FROM employer_declarations",
            "UPDATE employer_declaration_lines SET salary = 1",
            "DELETE FROM employer_declaration_lines",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with tenant_tx(company.ctx) as tx:
                    await tx.connection.execute(statement)
        assert (
            await owner.fetchval(
                "SELECT count(*) FROM employer_declaration_lines WHERE tenant_id = $1", company.tenant.id
            )
            == 3
        )


ROLES = [Role.TENANT_ADMIN, Role.MANAGER, Role.AGENT, Role.CLAIMS_OFFICER, Role.AUDITOR, Role.MEMBER]
READ = "query ($e: ID!) { employerDeclarations(filter: {employer: $e}) { totalCount edges { node { lines { totalCount } } } } }"


class TestRoleMatrix:
    @pytest.mark.parametrize("role", ROLES)
    async def test_roles(self, client: httpx.AsyncClient, role: Role) -> None:
        company = await make_company()
        await self._check(client, company, await token_for(client, company.tenant, role), permissions_of(role))

    @pytest.mark.parametrize("scopes", [["contributions:read"], ["contributions:write"], ["members:write"]], ids=str)
    async def test_partner_scopes(self, client: httpx.AsyncClient, scopes: list[str]) -> None:
        company = await make_company()
        token = await partner_token(client, company.tenant, scopes)
        await self._check(client, company, token, with_implied({Permission(scope) for scope in scopes}))

    async def _check(
        self, client: httpx.AsyncClient, company: Company, token: str, granted: frozenset[Permission]
    ) -> None:
        manager = await token_for(client, company.tenant, Role.MANAGER)
        await _file(client, manager, _declaration(company, period=EARLIER))
        read = await graphql(client, READ, token=token, e=company.employer_id)
        if Permission.CONTRIBUTIONS_READ in granted:
            assert read["data"]["employerDeclarations"] == {
                "totalCount": 1,
                "edges": [{"node": {"lines": {"totalCount": 3}}}],
            }
        else:
            assert {error["extensions"]["code"] for error in read["errors"]} == {"FORBIDDEN"}
        written = await graphql(client, FILE, token=token, input=_declaration(company))
        if Permission.CONTRIBUTIONS_WRITE in granted:
            assert written["data"]["employerDeclarationFile"]["declaration"]["version"] == 1
        else:
            assert [error["extensions"]["code"] for error in written["errors"]] == ["FORBIDDEN"]


class TestPages:
    async def test_declarations_and_lines_come_by_pages(self, client: httpx.AsyncClient) -> None:
        company = await make_company()
        token = await token_for(client, company.tenant, Role.MANAGER)
        months = [MONTH, EARLIER, _before(EARLIER)]
        for month in months:
            await _file(client, token, _declaration(company, period=month))
        query = """
        query ($after: String) {
          employerDeclarations(first: 2, after: $after) {
            edges { node { period lines(first: 2) { edges { node { line } } pageInfo { hasNextPage } } } }
            pageInfo { hasNextPage endCursor }
          }
        }"""
        seen: list[str] = []
        after = None
        while True:
            page = (await graphql(client, query, token=token, after=after))["data"]["employerDeclarations"]
            for node in nodes(page):
                assert node["lines"] == {
                    "edges": [{"node": {"line": 1}}, {"node": {"line": 2}}],
                    "pageInfo": {"hasNextPage": True},
                }
                seen.append(node["period"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == [month.label for month in months]
