"""Signing in, refreshing and signing out, over GraphQL with real tokens."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from app.settings import Settings
from tenants.identity import keys, opaque_tokens, tokens
from tenants.identity.tables import User
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tenants.tx import platform_tx
from tests.factories import PASSWORD, add_role, change_out_of_band, make_tenant, make_user
from tests.graphql_client import SIGN_IN, graphql, sign_in

pytestmark = pytest.mark.usefixtures("migrated")

VIEWER = "{ viewer { authenticated principalKind name role tenant { slug } } }"
REFRESH = """
mutation ($refreshToken: String!) {
  sessionRefresh(input: {refreshToken: $refreshToken}) {
    __typename
    ... on SessionTokens { accessToken refreshToken }
    ... on SessionRefreshError { code path message }
  }
}
"""


@pytest.fixture
async def mutual() -> Tenant:
    return await make_tenant()


@pytest.fixture
async def manager(mutual: Tenant) -> User:
    return await make_user(mutual, Role.MANAGER)


async def _age_use(owner: asyncpg.Connection, refresh_token: str, *, seconds: int) -> None:
    """Move a refresh token's use ``seconds`` into the past."""
    await change_out_of_band(
        owner,
        "UPDATE refresh_tokens SET used_at = used_at - make_interval(secs => $2) WHERE token_hash = $1",
        opaque_tokens.digest(refresh_token),
        seconds,
    )


async def _session_state(owner: asyncpg.Connection, user: User) -> tuple[str | None, int]:
    """Why the user's only session was revoked (None: it was not), and how many refresh tokens it had."""
    row = await owner.fetchrow(
        "SELECT s.revoked_reason, count(r.id) AS tokens FROM sessions s JOIN refresh_tokens r ON r.session_id = s.id"
        " WHERE s.user_id = $1 GROUP BY s.id",
        user.id,
    )
    return row["revoked_reason"], row["tokens"]


async def _viewer(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    body = await graphql(client, VIEWER, token=token)
    viewer: dict[str, Any] = body["data"]["viewer"]
    return viewer


class TestSignIn:
    async def test_password_opens_a_session_in_the_tenant(
        self, client: httpx.AsyncClient, mutual: Tenant, manager: User
    ) -> None:
        assert manager.email
        session = await sign_in(client, manager.email.upper())
        assert session["tenant"] == {"slug": mutual.slug}
        assert await _viewer(client, session["accessToken"]) == {
            "authenticated": True,
            "principalKind": "USER",
            "name": manager.full_name,
            "role": "MANAGER",
            "tenant": {"slug": mutual.slug},
        }

    async def test_phone_number_in_e164(self, client: httpx.AsyncClient, mutual: Tenant) -> None:
        user = await make_user(mutual, Role.MEMBER, phone="+221771234567")
        session = await sign_in(client, "+221 77 123 45 67")
        assert (await _viewer(client, session["accessToken"]))["role"] == "MEMBER"
        assert user.phone == "+221771234567"

    @pytest.mark.parametrize(
        ("language", "message"),
        [(None, "Identifiant ou mot de passe incorrect."), ("en", "Wrong identifier or password.")],
    )
    async def test_wrong_password_and_unknown_account_look_the_same(
        self, client: httpx.AsyncClient, manager: User, language: str | None, message: str
    ) -> None:
        error = {"__typename": "SessionCreateError", "code": "INVALID_CREDENTIALS", "path": ["input", "password"]}
        for identifier, password in ((manager.email, "pas-le-bon"), ("personne@test.socle.sn", PASSWORD)):
            body = await graphql(client, SIGN_IN, language=language, identifier=identifier, password=password)
            assert body == {"data": {"sessionCreate": {**error, "message": message}}}

    async def test_deactivated_user_cannot_sign_in(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        await change_out_of_band(owner, "UPDATE users SET is_active = false WHERE id = $1", manager.id)
        body = await graphql(client, SIGN_IN, identifier=manager.email, password=PASSWORD)
        assert body["data"]["sessionCreate"]["code"] == "INVALID_CREDENTIALS"

    async def test_malformed_identifier(self, client: httpx.AsyncClient) -> None:
        body = await graphql(client, SIGN_IN, identifier="77 123 45 67", password=PASSWORD)
        assert body["data"]["sessionCreate"] == {
            "__typename": "SessionCreateError",
            "code": "INVALID_IDENTIFIER",
            "path": ["input", "identifier"],
            "message": "Saisissez une adresse e-mail ou un numéro de téléphone au format international (+221…).",
        }

    async def test_user_of_several_tenants_chooses_one(
        self, client: httpx.AsyncClient, mutual: Tenant, manager: User
    ) -> None:
        other = await make_tenant(kind=TenantKind.IPM)
        await add_role(other, manager, Role.AUDITOR)
        body = await graphql(client, SIGN_IN, identifier=manager.email, password=PASSWORD)
        choices = ", ".join(sorted([mutual.slug, other.slug]))
        assert body["data"]["sessionCreate"] == {
            "__typename": "SessionCreateError",
            "code": "TENANT_REQUIRED",
            "path": ["input", "tenant"],
            "message": f"Vous êtes membre de plusieurs structures : choisissez-en une ({choices}).",
        }
        assert manager.email
        session = await sign_in(client, manager.email, tenant=other.slug)
        assert (await _viewer(client, session["accessToken"]))["role"] == "AUDITOR"

    async def test_tenant_the_user_does_not_belong_to(self, client: httpx.AsyncClient, manager: User) -> None:
        stranger = await make_tenant()
        body = await graphql(client, SIGN_IN, identifier=manager.email, password=PASSWORD, tenant=stranger.slug)
        assert body["data"]["sessionCreate"]["code"] == "NOT_A_MEMBER"


class TestTokens:
    async def test_forged_or_garbled_token_is_refused(self, client: httpx.AsyncClient, manager: User) -> None:
        assert manager.email
        session = await sign_in(client, manager.email)
        header, payload, signature = session["accessToken"].split(".")
        for token in (f"{header}.{payload}.{signature[:-4]}AAAA", "pas-un-jeton"):
            response = await client.post(
                "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
            )
            assert (response.status_code, response.headers["www-authenticate"]) == (401, 'Bearer error="invalid_token"')
            assert response.json()["error"] == "invalid access token"

    @pytest.mark.parametrize(("ahead", "status", "outcome"), [(20, 200, "MANAGER"), (60, 401, "invalid access token")])
    async def test_a_node_whose_clock_is_ahead_by_less_than_thirty_seconds_is_believed(
        self, client: httpx.AsyncClient, manager: User, settings: Settings, ahead: int, status: int, outcome: str
    ) -> None:
        assert manager.email
        session = await sign_in(client, manager.email)
        async with platform_tx() as tx:
            ring = await keys.load(tx, settings.secret(), token_lifetime=tokens.ACCESS_TOKEN_LIFETIME)
        claims = tokens.verify(ring, session["accessToken"])
        assert claims is not None
        token, _ = tokens.issue(ring, claims, now=datetime.now(UTC) + timedelta(seconds=ahead))
        response = await client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"})
        body = response.json()
        answered = body["data"]["viewer"]["role"] if response.status_code == 200 else body["error"]
        assert (response.status_code, answered) == (status, outcome)

    async def test_refresh_rotates_and_reuse_ends_the_session(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        first = await sign_in(client, manager.email)
        body = await graphql(client, REFRESH, refreshToken=first["refreshToken"])
        second = body["data"]["sessionRefresh"]
        assert second["__typename"] == "SessionTokens"
        assert second["refreshToken"] != first["refreshToken"]
        assert (await _viewer(client, second["accessToken"]))["authenticated"] is True

        # Past the grace period a used token can only be a copy: the session ends.
        await _age_use(owner, first["refreshToken"], seconds=11)
        replay = await graphql(client, REFRESH, refreshToken=first["refreshToken"])
        assert replay["data"]["sessionRefresh"] == {
            "__typename": "SessionRefreshError",
            "code": "INVALID_REFRESH_TOKEN",
            "path": ["input", "refreshToken"],
            "message": "Session expirée ou fermée : reconnectez-vous.",
        }
        after = await graphql(client, REFRESH, refreshToken=second["refreshToken"])
        assert after["data"]["sessionRefresh"]["code"] == "INVALID_REFRESH_TOKEN"
        response = await client.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {second['accessToken']}"}
        )
        assert response.status_code == 401
        assert await _session_state(owner, manager) == ("reuse", 2)

    async def test_concurrent_refreshes_of_one_token_all_get_the_same_new_one(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        first = await sign_in(client, manager.email)
        bodies = await asyncio.gather(*(graphql(client, REFRESH, refreshToken=first["refreshToken"]) for _ in range(5)))
        results = [body["data"]["sessionRefresh"] for body in bodies]
        assert [result["__typename"] for result in results] == ["SessionTokens"] * 5
        renewed = {result["refreshToken"] for result in results}
        assert len(renewed) == 1 and first["refreshToken"] not in renewed
        for result in results:
            assert (await _viewer(client, result["accessToken"]))["role"] == "MANAGER"

        (second,) = renewed
        body = await graphql(client, REFRESH, refreshToken=second)
        third = body["data"]["sessionRefresh"]
        assert third["__typename"] == "SessionTokens" and third["refreshToken"] not in {first["refreshToken"], second}
        assert (await _viewer(client, third["accessToken"]))["role"] == "MANAGER"
        assert await _session_state(owner, manager) == (None, 3)
        retries = await owner.fetch(
            "SELECT summary->>'retry' AS retry FROM audit_events"
            " WHERE actor_id = $1 AND action = 'session.refresh' ORDER BY seq",
            manager.id,
        )
        assert [row["retry"] for row in retries] == [None, "true", "true", "true", "true", None]

    async def test_a_retry_after_the_grace_period_ends_the_session(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        first = await sign_in(client, manager.email)
        second = (await graphql(client, REFRESH, refreshToken=first["refreshToken"]))["data"]["sessionRefresh"]
        await _age_use(owner, first["refreshToken"], seconds=9)
        retry = (await graphql(client, REFRESH, refreshToken=first["refreshToken"]))["data"]["sessionRefresh"]
        assert retry["refreshToken"] == second["refreshToken"]
        await _age_use(owner, first["refreshToken"], seconds=2)
        late = await graphql(client, REFRESH, refreshToken=first["refreshToken"])
        assert late["data"]["sessionRefresh"]["code"] == "INVALID_REFRESH_TOKEN"
        assert await _session_state(owner, manager) == ("reuse", 2)

    async def test_the_old_token_once_its_replacement_was_used_ends_the_session(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        first = await sign_in(client, manager.email)
        second = (await graphql(client, REFRESH, refreshToken=first["refreshToken"]))["data"]["sessionRefresh"]
        third = (await graphql(client, REFRESH, refreshToken=second["refreshToken"]))["data"]["sessionRefresh"]
        assert third["__typename"] == "SessionTokens"
        replay = await graphql(client, REFRESH, refreshToken=first["refreshToken"])
        assert replay["data"]["sessionRefresh"]["code"] == "INVALID_REFRESH_TOKEN"
        after = await graphql(client, REFRESH, refreshToken=third["refreshToken"])
        assert after["data"]["sessionRefresh"]["code"] == "INVALID_REFRESH_TOKEN"
        assert await _session_state(owner, manager) == ("reuse", 3)

    async def test_sign_out_ends_the_session_at_once(self, client: httpx.AsyncClient, manager: User) -> None:
        assert manager.email
        session = await sign_in(client, manager.email)
        body = await graphql(client, "mutation { sessionRevoke }", token=session["accessToken"])
        assert body == {"data": {"sessionRevoke": True}}
        response = await client.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {session['accessToken']}"}
        )
        assert response.status_code == 401
        refreshed = await graphql(client, REFRESH, refreshToken=session["refreshToken"])
        assert refreshed["data"]["sessionRefresh"]["code"] == "INVALID_REFRESH_TOKEN"

    async def test_ended_membership_ends_access(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        session = await sign_in(client, manager.email)
        await change_out_of_band(owner, "UPDATE memberships SET is_active = false WHERE user_id = $1", manager.id)
        response = await client.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {session['accessToken']}"}
        )
        assert response.status_code == 401

    async def test_key_rotation_signs_nobody_out(
        self, client: httpx.AsyncClient, manager: User, settings: Settings
    ) -> None:
        assert manager.email
        before = await sign_in(client, manager.email)
        old_keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
        async with platform_tx() as tx:
            await keys.rotate(tx, settings.secret())
        response = await client.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {before['accessToken']}"}
        )
        assert response.status_code == 200
        after = await sign_in(client, manager.email)
        published = (await client.get("/.well-known/jwks.json")).json()["keys"]
        kids = {key["kid"] for key in published}
        assert {key["kid"] for key in old_keys} < kids
        assert all(set(key) == {"kty", "crv", "x", "y", "kid", "use", "alg"} for key in published)
        assert (await _viewer(client, after["accessToken"]))["authenticated"] is True


class TestWithdrawnTenant:
    async def test_sessions_and_applications_of_a_withdrawn_tenant_stop_at_the_next_request(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection, mutual: Tenant, manager: User
    ) -> None:
        assert manager.email
        session = await sign_in(client, manager.email)
        admin = await make_user(mutual, Role.TENANT_ADMIN)
        assert admin.email
        create = """
        mutation { apiClientCreate(input: {name: "Appli de terrain", scopes: ["members:read"]}) {
          ... on ApiClientSecret { client { clientId } clientSecret } } }
        """
        registered = (await graphql(client, create, token=(await sign_in(client, admin.email))["accessToken"]))["data"][
            "apiClientCreate"
        ]
        issued = await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(registered["client"]["clientId"], registered["clientSecret"]),
        )
        client_token = issued.json()["access_token"]
        assert (await _viewer(client, session["accessToken"]))["role"] == "MANAGER"
        await change_out_of_band(owner, "UPDATE tenants SET status = 'withdrawn' WHERE id = $1", mutual.id)
        for token in (session["accessToken"], client_token):
            response = await client.post(
                "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401
        refreshed = await graphql(client, REFRESH, refreshToken=session["refreshToken"])
        assert refreshed["data"]["sessionRefresh"]["code"] == "INVALID_REFRESH_TOKEN"
        again = await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(registered["client"]["clientId"], registered["clientSecret"]),
        )
        assert (again.status_code, again.json()["error"]) == (401, "invalid_client")
