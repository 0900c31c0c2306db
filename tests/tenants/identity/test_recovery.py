"""Forgotten passwords are replaced through a link; signed-in users change
theirs. Either way the account's other sessions end."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest

from tenants.identity.tables import User
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tests.factories import PASSWORD, change_out_of_band, make_tenant, make_user
from tests.graphql_client import SIGN_IN, graphql, sign_in
from tests.jobs import jobs_done
from tests.messages import sent

pytestmark = pytest.mark.usefixtures("migrated")

REQUEST = """
mutation ($identifier: String!) {
  passwordResetRequest(input: {identifier: $identifier}) {
    __typename
    ... on PasswordResetRequested { expiresInSeconds }
    ... on PasswordResetRequestError { code path }
  }
}
"""
RESET = """
mutation ($link: String!, $password: String!) {
  passwordReset(input: {token: $link, password: $password}) {
    __typename
    ... on PasswordChanged { endedSessions }
    ... on PasswordResetError { code path message }
  }
}
"""
CHANGE = """
mutation ($current: String!, $new: String!) {
  passwordChange(input: {currentPassword: $current, newPassword: $new}) {
    __typename
    ... on PasswordChanged { endedSessions }
    ... on PasswordChangeError { code path message }
  }
}
"""
VIEWER = "{ viewer { kind } }"
NEW_PASSWORD = "Un-nouveau-mot-de-passe"
LINK = re.compile(r"http://localhost:8000/password/reset\?token=([A-Za-z0-9_-]{43}) ")


@pytest.fixture
async def mutual() -> Tenant:
    return await make_tenant()


@pytest.fixture
async def manager(mutual: Tenant) -> User:
    return await make_user(mutual, Role.MANAGER)


async def _reset_token(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, identifier: str) -> str:
    caplog.set_level(logging.INFO)
    body = await graphql(client, REQUEST, identifier=identifier)
    await jobs_done()
    assert body["data"]["passwordResetRequest"] == {"__typename": "PasswordResetRequested", "expiresInSeconds": 3600}
    found = LINK.search(sent(caplog, "mail.sent" if "@" in identifier else "sms.sent")[-1]["text"])
    assert found
    return found.group(1)


async def _reset(client: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD) -> dict[str, Any]:
    result: dict[str, Any] = (await graphql(client, RESET, link=token, password=password))["data"]["passwordReset"]
    return result


async def _signs_in(client: httpx.AsyncClient, identifier: str, password: str) -> bool:
    body = await graphql(client, SIGN_IN, identifier=identifier, password=password)
    return bool(body["data"]["sessionCreate"]["__typename"] == "SessionTokens")


class TestReset:
    async def test_a_link_by_email_sets_a_new_password_and_ends_sessions(
        self, client: httpx.AsyncClient, manager: User, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        before = await sign_in(client, manager.email)
        token = await _reset_token(client, caplog, manager.email)
        (mail,) = sent(caplog, "mail.sent")
        assert (mail["address"], mail["subject"], mail["text"]) == (
            manager.email,
            "Nouveau mot de passe Socle",
            "Socle : pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure : "
            f"http://localhost:8000/password/reset?token={token} Si vous n'avez rien demandé, ignorez ce message.",
        )
        assert await _reset(client, token) == {"__typename": "PasswordChanged", "endedSessions": 1}
        old_session = await client.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {before['accessToken']}"}
        )
        assert old_session.status_code == 401
        assert (
            await _signs_in(client, manager.email, PASSWORD),
            await _signs_in(client, manager.email, NEW_PASSWORD),
        ) == (
            False,
            True,
        )
        actions = await owner.fetch(
            "SELECT action FROM audit_events WHERE tenant_id IS NULL AND target_id = $1 ORDER BY occurred_at, seq",
            str(manager.id),
        )
        assert [row["action"] for row in actions] == ["user.create", "password_reset.create", "user.password_reset"]

    async def test_by_sms_for_a_phone_account(
        self, client: httpx.AsyncClient, mutual: Tenant, caplog: pytest.LogCaptureFixture
    ) -> None:
        member = await make_user(mutual, Role.MEMBER, phone="+221765550188")
        token = await _reset_token(client, caplog, "+221 76 555 01 88")
        assert sent(caplog, "sms.sent")[-1]["phone"] == "+221765550188"
        assert (await _reset(client, token))["__typename"] == "PasswordChanged"
        assert member.phone and await _signs_in(client, member.phone, NEW_PASSWORD)

    async def test_a_link_works_once_and_uses_up_the_older_ones(
        self, client: httpx.AsyncClient, manager: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert manager.email
        older = await _reset_token(client, caplog, manager.email)
        newer = await _reset_token(client, caplog, manager.email)
        assert (await _reset(client, newer))["__typename"] == "PasswordChanged"
        invalid = {
            "__typename": "PasswordResetError",
            "code": "INVALID_RESET_TOKEN",
            "path": ["input", "token"],
            "message": "Lien invalide, expiré ou déjà utilisé : demandez-en un nouveau.",
        }
        assert (await _reset(client, newer), await _reset(client, older)) == (invalid, invalid)

    async def test_a_changed_password_uses_up_open_links(
        self, client: httpx.AsyncClient, manager: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert manager.email
        token = await _reset_token(client, caplog, manager.email)
        session = await sign_in(client, manager.email)
        await graphql(client, CHANGE, token=session["accessToken"], current=PASSWORD, new=NEW_PASSWORD)
        assert (await _reset(client, token, password="Un-autre-mot-de-passe"))["code"] == "INVALID_RESET_TOKEN"
        assert await _signs_in(client, manager.email, NEW_PASSWORD)

    async def test_an_expired_link(
        self, client: httpx.AsyncClient, manager: User, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        token = await _reset_token(client, caplog, manager.email)
        await change_out_of_band(
            owner, "UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1", manager.id
        )
        assert (await _reset(client, token))["code"] == "INVALID_RESET_TOKEN"

    async def test_a_weak_password_keeps_the_link(
        self, client: httpx.AsyncClient, manager: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert manager.email
        token = await _reset_token(client, caplog, manager.email)
        assert await _reset(client, token, password="court") == {
            "__typename": "PasswordResetError",
            "code": "WEAK_PASSWORD",
            "path": ["input", "password"],
            "message": "Choisissez un mot de passe de 10 à 128 caractères.",
        }
        assert (await _reset(client, token))["__typename"] == "PasswordChanged"

    async def test_unknown_accounts_look_the_same_and_get_nothing(
        self, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        body = await graphql(client, REQUEST, identifier="personne@exemple.sn")
        await jobs_done()
        assert body["data"]["passwordResetRequest"] == {
            "__typename": "PasswordResetRequested",
            "expiresInSeconds": 3600,
        }
        assert sent(caplog, "mail.sent") == []

    async def test_three_links_an_hour(
        self, client: httpx.AsyncClient, manager: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        assert manager.email
        await asyncio.gather(*(graphql(client, REQUEST, identifier=manager.email) for _ in range(8)))
        await jobs_done()
        assert len(sent(caplog, "mail.sent")) == 3

    async def test_requests_per_identifier_are_limited_whether_an_account_has_it_or_not(
        self, client: httpx.AsyncClient, manager: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        assert manager.email
        for identifier in (manager.email, f"personne.{manager.id}@exemple.sn"):
            bodies = await asyncio.gather(*(graphql(client, REQUEST, identifier=identifier) for _ in range(12)))
            results = [body["data"]["passwordResetRequest"] for body in bodies]
            assert Counter(result.get("code", result["__typename"]) for result in results) == {
                "PasswordResetRequested": 10,
                "TOO_MANY_REQUESTS": 2,
            }
        await jobs_done()
        assert len(sent(caplog, "mail.sent")) == 3
        refused = await graphql(client, REQUEST, identifier=manager.email)
        assert refused["data"]["passwordResetRequest"] == {
            "__typename": "PasswordResetRequestError",
            "code": "TOO_MANY_REQUESTS",
            "path": ["input", "identifier"],
        }

    async def test_requests_per_address_are_limited(self, client: httpx.AsyncClient) -> None:
        bodies = await asyncio.gather(
            *(graphql(client, REQUEST, identifier=f"personne{n}.{secrets.token_hex(4)}@exemple.sn") for n in range(60))
        )
        results = [body["data"]["passwordResetRequest"] for body in bodies]
        assert Counter(result.get("code", result["__typename"]) for result in results) == {
            "PasswordResetRequested": 50,
            "TOO_MANY_REQUESTS": 10,
        }

    async def test_not_an_identifier(self, client: httpx.AsyncClient) -> None:
        body = await graphql(client, REQUEST, identifier="77 12")
        assert body["data"]["passwordResetRequest"] == {
            "__typename": "PasswordResetRequestError",
            "code": "INVALID_IDENTIFIER",
            "path": ["input", "identifier"],
        }


class TestChange:
    async def test_the_other_sessions_end_and_this_one_goes_on(
        self, client: httpx.AsyncClient, mutual: Tenant, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        other = await sign_in(client, manager.email)
        this = await sign_in(client, manager.email)
        changed = await graphql(client, CHANGE, token=this["accessToken"], current=PASSWORD, new=NEW_PASSWORD)
        statuses = [
            (
                await client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {s}"})
            ).status_code
            for s in (other["accessToken"], this["accessToken"])
        ]
        event = await owner.fetchrow(
            "SELECT tenant_id, actor_id FROM audit_events WHERE action = 'user.password_change' AND target_id = $1",
            str(manager.id),
        )
        assert changed["data"]["passwordChange"] == {"__typename": "PasswordChanged", "endedSessions": 1}
        assert (statuses, tuple(event)) == ([401, 200], (mutual.id, manager.id))
        assert await _signs_in(client, manager.email, NEW_PASSWORD)

    async def test_a_wrong_current_password_is_counted(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        session = await sign_in(client, manager.email)
        body = await graphql(client, CHANGE, token=session["accessToken"], current="Pas-le-bon-1", new=NEW_PASSWORD)
        counted = await owner.fetchval(
            "SELECT failures FROM sign_in_throttles WHERE key = $1", f"account:user:{manager.id}"
        )
        refusals = await owner.fetchval(
            "SELECT count(*) FROM audit_events WHERE action = 'user.password_change_refused' AND actor_id = $1",
            manager.id,
        )
        assert refusals == 1
        assert (body["data"]["passwordChange"], counted) == (
            {
                "__typename": "PasswordChangeError",
                "code": "INVALID_CREDENTIALS",
                "path": ["input", "currentPassword"],
                "message": "Identifiant ou mot de passe incorrect.",
            },
            1,
        )

    async def test_forty_wrong_current_passwords_at_once_are_ten_checked(
        self, client: httpx.AsyncClient, manager: User, owner: asyncpg.Connection
    ) -> None:
        assert manager.email
        session = await sign_in(client, manager.email)
        bodies = await asyncio.gather(
            *(
                graphql(client, CHANGE, token=session["accessToken"], current=f"Pas-le-bon-{n}", new=NEW_PASSWORD)
                for n in range(40)
            )
        )
        codes = Counter(body["data"]["passwordChange"]["code"] for body in bodies)
        refusals = await owner.fetch(
            "SELECT summary->>'reason' AS reason, count(*) AS n FROM audit_events"
            " WHERE action = 'user.password_change_refused' AND actor_id = $1 GROUP BY 1",
            manager.id,
        )
        assert codes == {"INVALID_CREDENTIALS": 10, "TOO_MANY_ATTEMPTS": 30}
        assert {row["reason"]: row["n"] for row in refusals} == {
            "auth.INVALID_CREDENTIALS": 10,
            "auth.TOO_MANY_ATTEMPTS": 30,
        }

    async def test_anonymous_callers_must_sign_in(self, client: httpx.AsyncClient) -> None:
        body = await graphql(client, CHANGE, current=PASSWORD, new=NEW_PASSWORD)
        assert (body["data"], body["errors"][0]["extensions"]) == (None, {"code": "UNAUTHENTICATED"})
