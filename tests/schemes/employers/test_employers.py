"""The employers' registry: registration numbers (NINEA in Senegal) unique per
tenant, search, updates, tenant isolation (GraphQL and PostgreSQL alone), the
ministry's audited reads and the role and scope matrix."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry import relay

from schemes.employers import service
from schemes.employers.errors import RegistrationNumberTaken
from schemes.employers.tables import Employer
from tenants.permissions import Permission, permissions_of
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind, role_fits_tenant
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.partner_tokens import partner_token

pytestmark = pytest.mark.usefixtures("migrated")

FIELDS = """
id name registrationNumber tradeRegister sector region address contactName contactPhone contactEmail status
"""
CREATE = f"""
mutation ($input: EmployerCreateInput!) {{
  employerCreate(input: $input) {{
    __typename
    ... on Employer {{ {FIELDS} }}
    ... on EmployerCreateError {{ code path message }}
  }}
}}
"""
UPDATE = f"""
mutation ($input: EmployerUpdateInput!) {{
  employerUpdate(input: $input) {{
    __typename
    ... on Employer {{ {FIELDS} }}
    ... on EmployerUpdateError {{ code path message }}
  }}
}}
"""
LIST = """
query ($search: String, $first: Int, $after: String, $tenant: ID) {
  employers(search: $search, first: $first, after: $after, tenant: $tenant) {
    totalCount
    edges { node { name registrationNumber } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ONE = "query ($id: ID!) { employer(id: $id) { name } node(id: $id) { ... on Employer { name } } }"

SONATEL = {
    "name": "  Société  Dakaroise de Bâtiment  ",
    "registrationNumber": "3067221 2G2",
    "tradeRegister": "sn-dkr-2015-b-12345",
    "sector": "BTP",
    "region": "sn-dk",
    "address": "Route de Rufisque, Dakar",
    "contactName": "Awa Ndiaye",
    "contactPhone": "+221 77 123 45 67",
    "contactEmail": "RH@SDB.SN",
}


@pytest.fixture
async def ipm() -> Tenant:
    return await make_tenant(kind=TenantKind.IPM)


async def _create(client: httpx.AsyncClient, token: str, language: str | None = None, **given: Any) -> Any:
    body = await graphql(client, CREATE, token=token, language=language, input={**SONATEL, **given})
    return body["data"]["employerCreate"]


class TestRegistration:
    async def test_a_manager_registers_an_employer(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        created = await _create(client, await token_for(client, ipm, Role.MANAGER))
        assert created == {
            "__typename": "Employer",
            "id": created["id"],
            "name": "Société Dakaroise de Bâtiment",
            "registrationNumber": "30672212G2",
            "tradeRegister": "SN-DKR-2015-B-12345",
            "sector": "BTP",
            "region": "SN-DK",
            "address": "Route de Rufisque, Dakar",
            "contactName": "Awa Ndiaye",
            "contactPhone": "+221771234567",
            "contactEmail": "rh@sdb.sn",
            "status": "ACTIVE",
        }
        assert relay.GlobalID.from_id(created["id"]).type_name == "Employer"

    @pytest.mark.parametrize(
        ("given", "path", "message"),
        [
            (
                {"registrationNumber": "3067222"},
                ["input", "registrationNumber"],
                "« 3067222 » n'est pas un NINEA valide : 7 chiffres (clé de contrôle comprise), suivis ou non "
                "des 3 caractères du COFI, par exemple 3067221 2G2.",
            ),
            ({"name": " x "}, ["input", "name"], "Le nom de l'employeur doit compter de 2 à 200 caractères."),
            (
                {"region": "SN-XX"},
                ["input", "region"],
                "« SN-XX » n'est pas une région de SN (code ISO 3166-2, par exemple SN-DK).",
            ),
            (
                {"contactPhone": "77 12"},
                ["input", "contactPhone"],
                "Numéro de téléphone du contact invalide : écrivez-le au format international (+221...).",
            ),
            ({"contactEmail": "rh@"}, ["input", "contactEmail"], "Adresse e-mail du contact invalide."),
            (
                {"tradeRegister": "#"},
                ["input", "tradeRegister"],
                "« # » n'est pas un numéro RCCM (par exemple SN-DKR-2015-B-12345).",
            ),
            ({"sector": "x" * 101}, ["input", "sector"], "Ce champ compte 100 caractères au plus."),
        ],
    )
    async def test_wrong_details_are_named(
        self, client: httpx.AsyncClient, ipm: Tenant, given: dict[str, str], path: list[str], message: str
    ) -> None:
        refused = await _create(client, await token_for(client, ipm, Role.MANAGER), **given)
        code = refused.pop("code")
        assert refused == {"__typename": "EmployerCreateError", "path": path, "message": message}
        assert code.isupper()

    async def test_errors_in_english(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        refused = await _create(client, await token_for(client, ipm, Role.MANAGER), "en", registrationNumber="12")
        assert refused == {
            "__typename": "EmployerCreateError",
            "code": "INVALID_NINEA",
            "path": ["input", "registrationNumber"],
            "message": "“12” is not a valid NINEA: 7 digits (check digit included), optionally followed by the "
            "3 characters of the COFI, for example 3067221 2G2.",
        }

    async def test_other_countries_keep_a_trimmed_identifier(self, client: httpx.AsyncClient) -> None:
        mutual = await make_tenant(country="CI")
        created = await _create(
            client,
            await token_for(client, mutual, Role.MANAGER),
            registrationNumber="  CI-ABJ  0325 ",
            region="CI-AB",
        )
        assert (created["registrationNumber"], created["region"]) == ("CI-ABJ 0325", "CI-AB")

    async def test_a_number_is_registered_once_per_tenant(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        manager = await token_for(client, ipm, Role.MANAGER)
        assert (await _create(client, manager))["__typename"] == "Employer"
        again = await _create(client, manager, registrationNumber="30672212G2", name="Autre nom")
        assert again == {
            "__typename": "EmployerCreateError",
            "code": "REGISTRATION_NUMBER_TAKEN",
            "path": ["input", "registrationNumber"],
            "message": "Un employeur est déjà enregistré sous le numéro 30672212G2.",
        }
        other = await make_tenant(kind=TenantKind.IPM)
        assert (await _create(client, await token_for(client, other, Role.MANAGER)))["__typename"] == "Employer"

    async def test_concurrent_registrations_of_one_number(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        manager = await token_for(client, ipm, Role.MANAGER)
        results = await asyncio.gather(*(_create(client, manager, name=f"Entreprise {i}") for i in range(4)))
        assert sorted(result["__typename"] for result in results) == ["Employer"] + ["EmployerCreateError"] * 3
        assert {result.get("code") for result in results} == {None, "REGISTRATION_NUMBER_TAKEN"}

    async def test_concurrent_registrations_in_the_service(self, ipm: Tenant) -> None:
        """Both pass the check before either commits: the unique key decides, as a typed error."""
        ctx = await context(ipm, Role.MANAGER)
        data = service.EmployerData(name="Entreprise", registration_number="3067221")
        started = asyncio.Event()

        async def register() -> Employer:
            async with tenant_tx(ctx) as tx:
                await tx.execute("SELECT 1 FROM employers WHERE tenant_id = $1", ctx.tenant_id)
                started.set()
                return await service.create_employer(tx, ctx, data)

        results = await asyncio.gather(register(), register(), return_exceptions=True)
        assert sorted(type(result).__name__ for result in results) == ["Employer", "RegistrationNumberTaken"]
        refused = next(result for result in results if isinstance(result, RegistrationNumberTaken))
        assert (refused.path, refused.params) == (("input", "registrationNumber"), {"number": "3067221"})


class TestUpdate:
    async def test_details_and_status_change(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        manager = await token_for(client, ipm, Role.MANAGER)
        created = await _create(client, manager)
        body = await graphql(
            client,
            UPDATE,
            token=manager,
            input={"id": created["id"], "status": "CLOSED", "contactEmail": "", "sector": "Commerce"},
        )
        assert body["data"]["employerUpdate"] == {
            **created,
            "status": "CLOSED",
            "contactEmail": None,
            "sector": "Commerce",
        }

    async def test_a_number_taken_by_another_employer(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        manager = await token_for(client, ipm, Role.MANAGER)
        await _create(client, manager)
        second = await _create(client, manager, registrationNumber="3067221")
        body = await graphql(
            client, UPDATE, token=manager, input={"id": second["id"], "registrationNumber": "30672212G2"}
        )
        assert body["data"]["employerUpdate"]["code"] == "REGISTRATION_NUMBER_TAKEN"


class TestSearch:
    async def test_by_name_fragment_or_number_in_pages(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        manager = await token_for(client, ipm, Role.MANAGER)
        await _create(client, manager)
        await _create(client, manager, name="Boulangerie 100% Thiès", registrationNumber="3067221")
        await _create(client, manager, name="Atelier de couture", registrationNumber="30672212G3")

        everyone = (await graphql(client, LIST, token=manager, first=2))["data"]["employers"]
        assert (everyone["totalCount"], [n["name"] for n in nodes(everyone)]) == (
            3,
            ["Atelier de couture", "Boulangerie 100% Thiès"],
        )
        assert everyone["pageInfo"]["hasNextPage"] is True
        rest = (await graphql(client, LIST, token=manager, after=everyone["pageInfo"]["endCursor"]))["data"]
        assert [n["name"] for n in nodes(rest["employers"])] == ["Société Dakaroise de Bâtiment"]

        async def found(search: str) -> list[str]:
            page = (await graphql(client, LIST, token=manager, search=search))["data"]["employers"]
            assert page["totalCount"] == len(page["edges"])
            return [node["registrationNumber"] for node in nodes(page)]

        assert await found("DAKAROISE") == ["30672212G2"]
        assert await found("100%") == ["3067221"]
        assert await found("%") == ["3067221"]
        assert await found("3067221 2G2") == ["30672212G2"]
        assert await found("_") == []


class TestIsolation:
    async def test_another_tenants_employer_is_not_found(self, client: httpx.AsyncClient, ipm: Tenant) -> None:
        created = await _create(client, await token_for(client, ipm, Role.MANAGER))
        other = await make_tenant(kind=TenantKind.IPM)
        stranger = await token_for(client, other, Role.MANAGER)
        assert (await graphql(client, ONE, token=stranger, id=created["id"]))["data"] == {
            "employer": None,
            "node": None,
        }
        listed = (await graphql(client, LIST, token=stranger))["data"]["employers"]
        assert (listed["totalCount"], listed["edges"]) == (0, [])
        own_tenant_id = relay.GlobalID("Tenant", str(ipm.id))
        asked = (await graphql(client, LIST, token=stranger, tenant=str(own_tenant_id)))["data"]["employers"]
        assert (asked["totalCount"], asked["edges"]) == (0, [])
        body = await graphql(client, UPDATE, token=stranger, input={"id": created["id"], "name": "Repris"})
        assert body["data"]["employerUpdate"] == {
            "__typename": "EmployerUpdateError",
            "code": "EMPLOYER_NOT_FOUND",
            "path": ["input", "id"],
            "message": "Employeur introuvable.",
        }

    async def test_row_level_security_alone(self, owner: asyncpg.Connection) -> None:
        a = await context(await make_tenant(kind=TenantKind.IPM))
        b = await context(await make_tenant(kind=TenantKind.IPM))
        async with tenant_tx(b) as tx:
            await service.create_employer(
                tx, b, service.EmployerData(name="Employeur B", registration_number="3067221")
            )
        async with tenant_tx(a) as tx:
            seen = await tx.connection.fetchval("SELECT count(*) FROM employers")
            updated = await tx.connection.execute("UPDATE employers SET name = 'Pris'")
            deleted = await tx.connection.execute("DELETE FROM employers")
        assert (seen, updated, deleted) == (0, "UPDATE 0", "DELETE 0")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with tenant_tx(a) as tx:
                await tx.connection.execute(
                    "INSERT INTO employers (id, tenant_id, name, registration_number, created_at, updated_at)"
                    " VALUES (gen_random_uuid(), $1, 'Intrus', '1', now(), now())",
                    b.tenant_id,
                )
        names = await owner.fetch("SELECT name FROM employers WHERE tenant_id = $1", b.tenant_id)
        assert [row["name"] for row in names] == ["Employeur B"]


class TestMinistry:
    async def test_reads_its_tenants_employers_recorded_and_changes_none(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        country = fresh_country()
        ipm = await make_tenant(kind=TenantKind.IPM, country=country)
        ipm_ctx = await context(ipm)
        async with tenant_tx(ipm_ctx) as tx:
            employer = await service.create_employer(
                tx, ipm_ctx, service.EmployerData(name="Entreprise sous tutelle", registration_number="BJ-001")
            )
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
        officer = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
        tenant_id = str(relay.GlobalID("Tenant", str(ipm.id)))
        employer_id = str(relay.GlobalID("Employer", str(employer.id)))

        listed = (await graphql(client, LIST, token=officer, tenant=tenant_id))["data"]["employers"]
        assert [node["name"] for node in nodes(listed)] == ["Entreprise sous tutelle"]
        one = (await graphql(client, ONE, token=officer, id=employer_id))["data"]
        assert one == {"employer": {"name": "Entreprise sous tutelle"}, "node": {"name": "Entreprise sous tutelle"}}
        reads = await owner.fetch(
            "SELECT action, target_id FROM audit_events WHERE tenant_id = $1 AND action LIKE 'oversight.%'"
            " ORDER BY seq",
            ministry.id,
        )
        # The list is one read; `employer` and `node` share one batch of the loader, one more.
        assert [tuple(row) for row in reads] == [("oversight.employers_read", str(ipm.id))] * 2
        own = (await graphql(client, LIST, token=officer))["data"]["employers"]
        assert own["edges"] == []

        body = await graphql(client, UPDATE, token=officer, input={"id": employer_id, "name": "Modifié"})
        assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
        assert await owner.fetchval("SELECT name FROM employers WHERE id = $1", employer.id) == (
            "Entreprise sous tutelle"
        )


ROLES = [role for role in Role if role_fits_tenant(role, TenantKind.IPM)]


class TestRoleMatrix:
    @pytest.mark.parametrize("role", ROLES)
    async def test_roles(self, client: httpx.AsyncClient, ipm: Tenant, role: Role) -> None:
        token = await token_for(client, ipm, role)
        await self._check(client, token, permissions_of(role))

    @pytest.mark.parametrize(
        "scopes", [["members:read"], ["members:write"], ["enrolment:write", "schemes:read"]], ids=str
    )
    async def test_partner_scopes(self, client: httpx.AsyncClient, ipm: Tenant, scopes: list[str]) -> None:
        token = await partner_token(client, ipm, scopes)
        granted = {Permission(scope) for scope in scopes}
        if Permission.MEMBERS_WRITE in granted:
            granted.add(Permission.MEMBERS_READ)
        await self._check(client, token, frozenset(granted))

    async def _check(self, client: httpx.AsyncClient, token: str, granted: frozenset[Permission]) -> None:
        listed = await graphql(client, LIST, token=token)
        if Permission.MEMBERS_READ in granted:
            assert listed["data"]["employers"]["totalCount"] == 0
        else:
            assert [error["extensions"]["code"] for error in listed["errors"]] == ["FORBIDDEN"]
        created = await graphql(client, CREATE, token=token, input=SONATEL)
        if Permission.MEMBERS_WRITE in granted:
            assert created["data"]["employerCreate"]["__typename"] == "Employer"
        else:
            assert [error["extensions"]["code"] for error in created["errors"]] == ["FORBIDDEN"]


class TestQueryCounts:
    async def _count(self, client: httpx.AsyncClient, statements: StatementCounter, rows: int) -> int:
        ipm = await make_tenant(kind=TenantKind.IPM, country="CI")
        ctx = await context(ipm)
        async with tenant_tx(ctx) as tx:
            made = [
                await service.create_employer(
                    tx, ctx, service.EmployerData(name=f"Entreprise {n:03d}", registration_number=f"CI-{n:05d}")
                )
                for n in range(rows)
            ]
        token = await token_for(client, ipm, Role.MANAGER)
        query = "{ employers(first: 100) { totalCount edges { node { name registrationNumber status } } } }"
        statements.statements.clear()
        body = await graphql(client, query, token=token)
        assert (len(body["data"]["employers"]["edges"]), body["data"]["employers"]["totalCount"]) == (rows, rows)
        assert [edge["node"]["name"] for edge in body["data"]["employers"]["edges"]] == [e.name for e in made]
        return len(statements.statements)

    async def test_one_or_a_hundred_employers_cost_the_same(
        self, client: httpx.AsyncClient, statements: StatementCounter
    ) -> None:
        # As for the kernel's lists: the token's check, the page and its count in the query's one transaction.
        one = await self._count(client, statements, 1)
        hundred = await self._count(client, statements, 100)
        assert (one, hundred) == (6, 6)
