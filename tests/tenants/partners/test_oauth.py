"""Partner applications: registered by a tenant admin, tokens from
``POST /oauth/token`` (RFC 6749 §4.4), scopes checked on fields."""

from __future__ import annotations

import base64
from typing import Any

import asyncpg
import httpx
import pytest

from app.settings import Settings
from tenants.context import TenantContext
from tenants.identity import keys, tokens
from tenants.partners import service as partner_service
from tenants.permissions import Permission
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tx import platform_tx
from tests.factories import change_out_of_band, make_tenant
from tests.graphql_client import graphql, token_for

pytestmark = pytest.mark.usefixtures("migrated")

CREATE = """
mutation ($name: String!, $scopes: [String!]!) {
  apiClientCreate(input: {name: $name, scopes: $scopes}) {
    __typename
    ... on ApiClientSecret { clientSecret client { id clientId name scopes revokedAt } }
    ... on ApiClientCreateError { code path message }
  }
}
"""
ROTATE = """
mutation ($id: ID!) {
  apiClientRotateSecret(id: $id) {
    __typename
    ... on ApiClientSecret { clientSecret }
    ... on ApiClientRotateSecretError { code path message }
  }
}
"""
REVOKE = """
mutation ($id: ID!) {
  apiClientRevoke(id: $id) {
    __typename
    ... on ApiClient { revokedAt }
    ... on ApiClientRevokeError { code path message }
  }
}
"""


@pytest.fixture
async def mutual() -> Tenant:
    return await make_tenant()


async def _register(client: httpx.AsyncClient, token: str, scopes: list[str]) -> dict[str, Any]:
    body = await graphql(client, CREATE, token=token, name="Application d'enrôlement", scopes=scopes)
    result: dict[str, Any] = body["data"]["apiClientCreate"]
    assert result["__typename"] == "ApiClientSecret", result
    return result


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def _token_request(client: httpx.AsyncClient, data: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    return await client.post("/oauth/token", data=data, headers=headers)


class TestTokenEndpoint:
    async def test_client_credentials_grant(self, client: httpx.AsyncClient, mutual: Tenant) -> None:
        registered = await _register(
            client, await token_for(client, mutual, Role.TENANT_ADMIN), ["members:read", "eligibility:read"]
        )
        client_id = registered["client"]["clientId"]
        response = await _token_request(
            client,
            {"grant_type": "client_credentials", "scope": "members:read"},
            _basic(client_id, registered["clientSecret"]),
        )
        body = response.json()
        assert (response.status_code, response.headers["cache-control"]) == (200, "no-store")
        assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 900, "members:read")
        viewer = await graphql(
            client, "{ viewer { authenticated principalKind name } tenant { slug } }", token=body["access_token"]
        )
        assert viewer == {
            "data": {
                "viewer": {"authenticated": True, "principalKind": "CLIENT", "name": "Application d'enrôlement"},
                "tenant": None,
            },
            "errors": [
                {
                    "message": "Votre rôle ne permet pas cette opération (droit requis : tenant:read).",
                    "locations": [{"line": 1, "column": 47}],
                    "path": ["tenant"],
                    "extensions": {"code": "FORBIDDEN"},
                }
            ],
        }

    async def test_secret_in_the_form_and_default_scope(self, client: httpx.AsyncClient, mutual: Tenant) -> None:
        registered = await _register(
            client, await token_for(client, mutual, Role.TENANT_ADMIN), ["eligibility:read", "claims:read"]
        )
        response = await _token_request(
            client,
            {
                "grant_type": "client_credentials",
                "client_id": registered["client"]["clientId"],
                "client_secret": registered["clientSecret"],
            },
            {},
        )
        assert (response.status_code, response.json()["scope"]) == (200, "claims:read eligibility:read")

    @pytest.mark.parametrize(
        ("case", "status", "error"),
        [
            ("wrong_secret", 401, "invalid_client"),
            ("unknown_client", 401, "invalid_client"),
            ("scope_not_granted", 400, "invalid_scope"),
            ("unknown_scope", 400, "invalid_scope"),
            ("password_grant", 400, "unsupported_grant_type"),
        ],
    )
    async def test_refusals_follow_the_rfc(
        self, client: httpx.AsyncClient, mutual: Tenant, case: str, status: int, error: str
    ) -> None:
        registered = await _register(client, await token_for(client, mutual, Role.TENANT_ADMIN), ["members:read"])
        client_id, secret = registered["client"]["clientId"], registered["clientSecret"]
        data = {"grant_type": "client_credentials"}
        headers = _basic(client_id, secret)
        if case == "wrong_secret":
            headers = _basic(client_id, secret + "x")
        elif case == "unknown_client":
            headers = _basic("00000000-0000-7000-8000-000000000000", secret)
        elif case == "scope_not_granted":
            data["scope"] = "members:write"
        elif case == "unknown_scope":
            data["scope"] = "users:manage"
        else:
            data = {"grant_type": "password", "username": "x", "password": "y"}
        response = await _token_request(client, data, headers)
        assert (response.status_code, response.json()["error"]) == (status, error)

    async def test_unknown_client_and_wrong_secret_answer_alike(
        self, client: httpx.AsyncClient, mutual: Tenant
    ) -> None:
        registered = await _register(client, await token_for(client, mutual, Role.TENANT_ADMIN), ["members:read"])
        client_id, secret = registered["client"]["clientId"], registered["clientSecret"]
        unknown = "00000000-0000-7000-8000-000000000000"
        grant = {"grant_type": "client_credentials"}
        answers = []
        for presented_id in (unknown, client_id):
            for data, headers in (
                (grant, _basic(presented_id, secret + "x")),
                ({**grant, "client_id": presented_id, "client_secret": secret + "x"}, {}),
            ):
                response = await _token_request(client, data, headers)
                answers.append((response.status_code, response.json(), response.headers.get("www-authenticate")))
        refused = (
            401,
            {"error": "invalid_client", "error_description": "Client authentication failed."},
            'Basic error="invalid_client", error_description="Client authentication failed."',
        )
        assert answers == [refused] * 4

    async def test_rotation_and_revocation(
        self, client: httpx.AsyncClient, mutual: Tenant, owner: asyncpg.Connection
    ) -> None:
        admin = await token_for(client, mutual, Role.TENANT_ADMIN)
        registered = await _register(client, admin, ["members:read"])
        node_id, client_id, old_secret = (
            registered["client"]["id"],
            registered["client"]["clientId"],
            registered["clientSecret"],
        )
        rotated = await graphql(client, ROTATE, token=admin, id=node_id)
        new_secret = rotated["data"]["apiClientRotateSecret"]["clientSecret"]
        grant = {"grant_type": "client_credentials"}
        assert (await _token_request(client, grant, _basic(client_id, old_secret))).status_code == 401
        issued = await _token_request(client, grant, _basic(client_id, new_secret))
        token = issued.json()["access_token"]
        revoked = await graphql(client, REVOKE, token=admin, id=node_id)
        assert revoked["data"]["apiClientRevoke"]["revokedAt"] is not None
        assert (await _token_request(client, grant, _basic(client_id, new_secret))).status_code == 401
        response = await client.post(
            "/graphql", json={"query": "{ viewer { name } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401
        stored = await owner.fetchrow("SELECT secret_hash FROM api_clients WHERE id = $1::uuid", client_id)
        assert new_secret not in stored["secret_hash"] and len(stored["secret_hash"]) == 64
        actions = await owner.fetch(
            "SELECT action FROM audit_events WHERE tenant_id = $1 AND action LIKE 'api_client.%' ORDER BY seq",
            mutual.id,
        )
        assert [row["action"] for row in actions] == [
            "api_client.create",
            "api_client.rotate_secret",
            "api_client.revoke",
        ]


async def _context_of(settings: Settings, access_token: str) -> TenantContext | None:
    """The context a request with ``access_token`` acts in."""
    async with platform_tx() as tx:
        ring = await keys.load(tx, settings.secret(), token_lifetime=tokens.ACCESS_TOKEN_LIFETIME)
        claims = tokens.verify(ring, access_token)
        assert claims is not None
        return await partner_service.client_context(tx, claims.subject, claims.tenant_id, claims.scopes, None)


class TestScopes:
    async def test_a_token_is_held_to_the_scopes_it_was_issued_with(
        self, client: httpx.AsyncClient, mutual: Tenant, settings: Settings
    ) -> None:
        registered = await _register(
            client, await token_for(client, mutual, Role.TENANT_ADMIN), ["members:write", "eligibility:read"]
        )
        credentials = _basic(registered["client"]["clientId"], registered["clientSecret"])
        seen = {}
        for asked in ("members:write", "eligibility:read", ""):
            issued = await _token_request(client, {"grant_type": "client_credentials", "scope": asked}, credentials)
            context = await _context_of(settings, issued.json()["access_token"])
            assert context is not None
            seen[asked] = (context.principal.scopes, context.permissions)
        assert seen == {
            "members:write": (
                frozenset({"members:write"}),
                frozenset({Permission.MEMBERS_WRITE, Permission.MEMBERS_READ}),
            ),
            "eligibility:read": (frozenset({"eligibility:read"}), frozenset({Permission.ELIGIBILITY_READ})),
            "": (
                frozenset({"members:write", "eligibility:read"}),
                frozenset({Permission.MEMBERS_WRITE, Permission.MEMBERS_READ, Permission.ELIGIBILITY_READ}),
            ),
        }

    async def test_a_narrowed_registration_narrows_the_tokens_already_issued(
        self, client: httpx.AsyncClient, mutual: Tenant, settings: Settings, owner: asyncpg.Connection
    ) -> None:
        registered = await _register(
            client, await token_for(client, mutual, Role.TENANT_ADMIN), ["members:read", "schemes:read"]
        )
        issued = await _token_request(
            client,
            {"grant_type": "client_credentials"},
            _basic(registered["client"]["clientId"], registered["clientSecret"]),
        )
        await change_out_of_band(
            owner,
            "UPDATE api_clients SET scopes = 'schemes:read' WHERE id = $1::uuid",
            registered["client"]["clientId"],
        )
        context = await _context_of(settings, issued.json()["access_token"])
        assert context is not None
        assert (context.principal.scopes, context.permissions) == (
            frozenset({"schemes:read"}),
            frozenset({Permission.SCHEMES_READ}),
        )

    @pytest.mark.parametrize(
        ("language", "message"),
        [
            (
                None,
                "Portées refusées ou absentes (claims:write) ; une application partenaire peut recevoir : "
                "schemes:read, members:read, members:write, enrolment:write, contributions:read, "
                "contributions:write, subsidies:read, claims:read, eligibility:read.",
            ),
            (
                "en",
                "Scopes refused or missing (claims:write); a partner application may be granted: "
                "schemes:read, members:read, members:write, enrolment:write, contributions:read, "
                "contributions:write, subsidies:read, claims:read, eligibility:read.",
            ),
        ],
    )
    async def test_adjudication_is_never_granted_to_an_application(
        self, client: httpx.AsyncClient, mutual: Tenant, language: str | None, message: str
    ) -> None:
        admin = await token_for(client, mutual, Role.TENANT_ADMIN)
        body = await graphql(
            client, CREATE, token=admin, language=language, name="Système du prestataire", scopes=["claims:write"]
        )
        assert body == {
            "data": {
                "apiClientCreate": {
                    "__typename": "ApiClientCreateError",
                    "code": "INVALID_SCOPES",
                    "path": ["input", "scopes"],
                    "message": message,
                }
            }
        }
        listed = await graphql(client, "{ apiClients { edges { node { name } } } }", token=admin)
        assert listed == {"data": {"apiClients": {"edges": []}}}

    async def test_adjudication_registered_before_it_was_withdrawn_counts_no_more(
        self, client: httpx.AsyncClient, mutual: Tenant, settings: Settings, owner: asyncpg.Connection
    ) -> None:
        admin = await token_for(client, mutual, Role.TENANT_ADMIN)
        registered = await _register(client, admin, ["claims:read"])
        client_id = registered["client"]["clientId"]
        await change_out_of_band(
            owner, "UPDATE api_clients SET scopes = 'claims:read claims:write' WHERE id = $1::uuid", client_id
        )
        credentials = _basic(client_id, registered["clientSecret"])
        asked = await _token_request(client, {"grant_type": "client_credentials", "scope": "claims:write"}, credentials)
        default = await _token_request(client, {"grant_type": "client_credentials"}, credentials)
        assert (asked.status_code, asked.json()["error"]) == (400, "invalid_scope")
        assert (default.status_code, default.json()["scope"]) == (200, "claims:read")
        listed = await graphql(client, "{ apiClients { edges { node { scopes } } } }", token=admin)
        assert listed == {"data": {"apiClients": {"edges": [{"node": {"scopes": ["claims:read"]}}]}}}


class TestManagement:
    async def test_bad_input_is_named(self, client: httpx.AsyncClient, mutual: Tenant) -> None:
        admin = await token_for(client, mutual, Role.TENANT_ADMIN)
        body = await graphql(client, CREATE, token=admin, language="en", name="X", scopes=["members:read"])
        assert body["data"]["apiClientCreate"] == {
            "__typename": "ApiClientCreateError",
            "code": "INVALID_CLIENT_NAME",
            "path": ["input", "name"],
            "message": "The application name must be 2 to 200 characters long.",
        }
        body = await graphql(client, CREATE, token=admin, name="Appli", scopes=["users:manage", "members:read"])
        assert body["data"]["apiClientCreate"]["code"] == "INVALID_SCOPES"
        assert body["data"]["apiClientCreate"]["path"] == ["input", "scopes"]
        listed = await graphql(client, "{ apiClients { edges { node { name } } } }", token=admin)
        assert listed == {"data": {"apiClients": {"edges": []}}}

    async def test_node_shows_a_client_to_its_administrators_only(
        self, client: httpx.AsyncClient, mutual: Tenant
    ) -> None:
        registered = await _register(client, await token_for(client, mutual, Role.TENANT_ADMIN), ["members:read"])
        node = "query ($id: ID!) { node(id: $id) { id ... on ApiClient { name } } }"
        seen = {}
        for name, tenant, role in (
            ("admin", mutual, Role.TENANT_ADMIN),
            ("manager", mutual, Role.MANAGER),
            ("stranger", await make_tenant(), Role.TENANT_ADMIN),
        ):
            token = await token_for(client, tenant, role)
            seen[name] = (await graphql(client, node, token=token, id=registered["client"]["id"]))["data"]["node"]
        assert seen == {
            "admin": {"id": registered["client"]["id"], "name": "Application d'enrôlement"},
            "manager": None,
            "stranger": None,
        }

    async def test_another_tenants_client_is_not_found(self, client: httpx.AsyncClient, mutual: Tenant) -> None:
        registered = await _register(client, await token_for(client, mutual, Role.TENANT_ADMIN), ["members:read"])
        other = await make_tenant()
        stranger = await token_for(client, other, Role.TENANT_ADMIN)
        body = await graphql(client, REVOKE, token=stranger, id=registered["client"]["id"])
        listed = await graphql(client, "{ apiClients { edges { node { name } } } }", token=stranger)
        assert body["data"]["apiClientRevoke"] == {
            "__typename": "ApiClientRevokeError",
            "code": "CLIENT_NOT_FOUND",
            "path": ["input", "id"],
            "message": "Application introuvable.",
        }
        assert listed == {"data": {"apiClients": {"edges": []}}}

    @pytest.mark.parametrize("role", [r for r in Role if r not in {Role.MINISTRY_ADMIN, Role.OVERSIGHT_OFFICER}])
    async def test_role_matrix(self, client: httpx.AsyncClient, mutual: Tenant, role: Role) -> None:
        token = await token_for(client, mutual, role)
        body = await graphql(client, "{ apiClients { edges { node { name } } } }", token=token)
        if role is Role.TENANT_ADMIN:
            assert body == {"data": {"apiClients": {"edges": []}}}
        else:
            assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
