"""Administrators invite people by email or SMS; the invitee accepts with the
link's token and is signed in to the tenant."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import from_base64, to_base64

from tenants.identity import opaque_tokens
from tenants.invitations.service import INVITATION_LIFETIME
from tenants.permissions import Permission, permissions_of
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tests.factories import PASSWORD, change_out_of_band, fresh_country, make_tenant, make_user
from tests.graphql_client import graphql, nodes, sign_in, token_for
from tests.jobs import jobs_done
from tests.messages import sent
from workers.invitations import send_invitation

pytestmark = pytest.mark.usefixtures("migrated")

INVITE = """
mutation ($fullName: String!, $role: Role!, $email: String, $phone: String, $lang: Language) {
  invitationCreate(input: {fullName: $fullName, role: $role, email: $email, phone: $phone, language: $lang}) {
    __typename
    ... on Invitation { id fullName email phone role language status sentAt acceptedAt }
    ... on InvitationCreateError { code path message }
  }
}
"""
ACCEPT = """
mutation ($invitationToken: String!, $password: String!) {
  invitationAccept(input: {token: $invitationToken, password: $password}) {
    __typename
    ... on SessionTokens { accessToken tenant { slug } }
    ... on InvitationAcceptError { code path message }
  }
}
"""
RESEND = """
mutation ($id: ID!) {
  invitationResend(id: $id) {
    __typename
    ... on Invitation { status }
    ... on InvitationResendError { code path }
  }
}
"""
REVOKE = """
mutation ($id: ID!) {
  invitationRevoke(id: $id) {
    __typename
    ... on Invitation { status }
    ... on InvitationRevokeError { code path }
  }
}
"""
INVITATIONS = "{ invitations { edges { node { fullName status } } } }"
VIEWER = "{ viewer { role tenant { slug } } }"
TOKEN = re.compile(r"/invitations/accept\?token=([A-Za-z0-9_-]{43})$")


@pytest.fixture
async def mutual() -> Tenant:
    return await make_tenant(name="Mutuelle des artisans de Kaolack")


@pytest.fixture
async def admin(client: httpx.AsyncClient, mutual: Tenant) -> str:
    return await token_for(client, mutual, Role.TENANT_ADMIN)


def _token(text: str) -> str:
    found = TOKEN.search(text)
    assert found, text
    return found.group(1)


async def _invite(client: httpx.AsyncClient, admin: str, **variables: Any) -> dict[str, Any]:
    variables = {"fullName": "Awa Diop", "role": "MANAGER", **variables}
    result: dict[str, Any] = (await graphql(client, INVITE, token=admin, **variables))["data"]["invitationCreate"]
    await jobs_done()
    return result


async def _invite_and_get_token(
    client: httpx.AsyncClient, admin: str, caplog: pytest.LogCaptureFixture, **variables: Any
) -> tuple[dict[str, Any], str]:
    caplog.set_level(logging.INFO)
    invitation = await _invite(client, admin, **variables)
    event = "sms.sent" if "phone" in variables and "email" not in variables else "mail.sent"
    return invitation, _token(sent(caplog, event)[-1]["text"])


async def _accept(client: httpx.AsyncClient, token: str, password: str = PASSWORD) -> dict[str, Any]:
    result: dict[str, Any] = (await graphql(client, ACCEPT, token=None, invitationToken=token, password=password))[
        "data"
    ]["invitationAccept"]
    return result


class TestInvitingAndAccepting:
    async def test_email_invitation_makes_the_account_and_signs_in(
        self, client: httpx.AsyncClient, mutual: Tenant, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        invitation, token = await _invite_and_get_token(client, admin, caplog, email="Awa.Diop@exemple.sn")
        assert {key: value for key, value in invitation.items() if key != "id"} == {
            "__typename": "Invitation",
            "fullName": "Awa Diop",
            "email": "awa.diop@exemple.sn",
            "phone": None,
            "role": "MANAGER",
            "language": "FR",
            "status": "PENDING",
            "sentAt": None,
            "acceptedAt": None,
        }
        (mail,) = sent(caplog, "mail.sent")
        expires = (datetime.now(UTC) + INVITATION_LIFETIME).strftime("%d/%m/%Y")
        assert (mail["address"], mail["subject"], mail["text"]) == (
            "awa.diop@exemple.sn",
            "Invitation de Mutuelle des artisans de Kaolack sur Socle",
            "Socle : Mutuelle des artisans de Kaolack vous invite à rejoindre son espace. Choisissez votre mot de "
            f"passe avant le {expires} : http://localhost:8000/invitations/accept?token={token}",
        )
        accepted = await _accept(client, token)
        assert accepted["__typename"] == "SessionTokens"
        assert accepted["tenant"] == {"slug": mutual.slug}
        viewer = await graphql(client, VIEWER, token=accepted["accessToken"])
        assert viewer == {"data": {"viewer": {"role": "MANAGER", "tenant": {"slug": mutual.slug}}}}
        again = await sign_in(client, "awa.diop@exemple.sn")
        assert again["tenant"] == {"slug": mutual.slug}
        listed = await graphql(client, INVITATIONS, token=admin)
        assert nodes(listed["data"]["invitations"]) == [{"fullName": "Awa Diop", "status": "ACCEPTED"}]

    async def test_sms_invitation_in_english(
        self, client: httpx.AsyncClient, mutual: Tenant, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        invitation, token = await _invite_and_get_token(
            client, admin, caplog, phone="+221 76 555 01 23", lang="EN", role="AGENT"
        )
        (sms,) = sent(caplog, "sms.sent")
        expires = (datetime.now(UTC) + INVITATION_LIFETIME).strftime("%Y-%m-%d")
        assert (invitation["phone"], sms["phone"], sms["text"]) == (
            "+221765550123",
            "+221765550123",
            "Socle: Mutuelle des artisans de Kaolack invites you to join its workspace. Choose your password "
            f"before {expires}: http://localhost:8000/invitations/accept?token={token}",
        )
        accepted = await _accept(client, token)
        viewer = await graphql(client, VIEWER, token=accepted["accessToken"])
        assert viewer["data"]["viewer"]["role"] == "AGENT"

    async def test_every_step_is_in_the_audit_log(
        self, client: httpx.AsyncClient, mutual: Tenant, admin: str, caplog: pytest.LogCaptureFixture, owner: Any
    ) -> None:
        _, token = await _invite_and_get_token(client, admin, caplog, email="audit.invite@exemple.sn")
        await _accept(client, token)
        rows = await owner.fetch(
            "SELECT action, actor_kind, actor_name FROM audit_events WHERE tenant_id = $1 AND seq > 2 ORDER BY seq",
            mutual.id,
        )
        assert [tuple(row) for row in rows] == [
            ("invitation.create", "user", f"tenant_admin {mutual.slug}"),
            ("invitation.send", "system", "socle"),
            ("user.create", "system", "socle"),
            ("membership.create", "user", "Awa Diop"),
            ("invitation.accept", "user", "Awa Diop"),
            ("session.create", "user", "Awa Diop"),
        ]


class TestRefusals:
    async def test_a_token_works_once(
        self, client: httpx.AsyncClient, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        _, token = await _invite_and_get_token(client, admin, caplog, email="une.fois@exemple.sn")
        assert (await _accept(client, token))["__typename"] == "SessionTokens"
        assert await _accept(client, token) == {
            "__typename": "InvitationAcceptError",
            "code": "INVITATION_ACCEPTED",
            "path": ["input", "token"],
            "message": "Cette invitation a déjà été acceptée : connectez-vous.",
        }

    async def test_unknown_token(self, client: httpx.AsyncClient) -> None:
        assert await _accept(client, "x" * 43) == {
            "__typename": "InvitationAcceptError",
            "code": "INVITATION_NOT_FOUND",
            "path": ["input", "token"],
            "message": "Invitation introuvable ou annulée : demandez-en une nouvelle.",
        }

    async def test_expired_then_resent(
        self,
        client: httpx.AsyncClient,
        mutual: Tenant,
        admin: str,
        caplog: pytest.LogCaptureFixture,
        owner: asyncpg.Connection,
    ) -> None:
        invitation, old_token = await _invite_and_get_token(client, admin, caplog, email="expiree@exemple.sn")
        await change_out_of_band(
            owner,
            "UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1",
            mutual.id,
        )
        expired = await _accept(client, old_token)
        resent = await graphql(client, RESEND, token=admin, id=invitation["id"])
        await jobs_done()
        new_token = _token(sent(caplog, "mail.sent")[-1]["text"])
        assert (expired["code"], resent["data"]["invitationResend"]) == (
            "INVITATION_EXPIRED",
            {"__typename": "Invitation", "status": "PENDING"},
        )
        assert (await _accept(client, old_token))["code"] == "INVITATION_NOT_FOUND"
        assert (await _accept(client, new_token))["__typename"] == "SessionTokens"

    async def test_revoked(self, client: httpx.AsyncClient, admin: str, caplog: pytest.LogCaptureFixture) -> None:
        invitation, token = await _invite_and_get_token(client, admin, caplog, email="annulee@exemple.sn")
        revoked = await graphql(client, REVOKE, token=admin, id=invitation["id"])
        assert revoked["data"]["invitationRevoke"] == {"__typename": "Invitation", "status": "REVOKED"}
        assert (await _accept(client, token))["code"] == "INVITATION_NOT_FOUND"
        resent = await graphql(client, RESEND, token=admin, id=invitation["id"])
        assert resent["data"]["invitationResend"] == {
            "__typename": "InvitationResendError",
            "code": "INVITATION_NOT_FOUND",
            "path": ["input", "id"],
        }

    async def test_inviting_again_replaces_the_open_invitation(
        self, client: httpx.AsyncClient, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        _, first = await _invite_and_get_token(client, admin, caplog, email="deux.fois@exemple.sn")
        _, second = await _invite_and_get_token(client, admin, caplog, email="deux.fois@exemple.sn", role="AUDITOR")
        listed = await graphql(client, INVITATIONS, token=admin)
        assert nodes(listed["data"]["invitations"]) == [
            {"fullName": "Awa Diop", "status": "PENDING"},
            {"fullName": "Awa Diop", "status": "REVOKED"},
        ]
        assert (await _accept(client, first))["code"] == "INVITATION_NOT_FOUND"
        accepted = await _accept(client, second)
        viewer = await graphql(client, VIEWER, token=accepted["accessToken"])
        assert viewer["data"]["viewer"]["role"] == "AUDITOR"

    async def test_weak_password_writes_nothing(
        self, client: httpx.AsyncClient, admin: str, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
    ) -> None:
        _, token = await _invite_and_get_token(client, admin, caplog, email="faible@exemple.sn")
        refused = await graphql(client, ACCEPT, token=None, language="en", invitationToken=token, password="court")
        accounts = await owner.fetchval("SELECT count(*) FROM users WHERE email = 'faible@exemple.sn'")
        assert (refused["data"]["invitationAccept"], accounts) == (
            {
                "__typename": "InvitationAcceptError",
                "code": "WEAK_PASSWORD",
                "path": ["input", "password"],
                "message": "Choose a password of 10 to 128 characters.",
            },
            0,
        )
        assert (await _accept(client, token))["__typename"] == "SessionTokens"

    @pytest.mark.parametrize(
        ("variables", "code", "path", "message"),
        [
            (
                {},
                "CONTACT_REQUIRED",
                ["input", "email"],
                "Indiquez soit une adresse e-mail, soit un numéro de téléphone.",
            ),
            (
                {"email": "a@exemple.sn", "phone": "+221765550199"},
                "CONTACT_REQUIRED",
                ["input", "email"],
                "Indiquez soit une adresse e-mail, soit un numéro de téléphone.",
            ),
            ({"email": "pas-une-adresse"}, "INVALID_EMAIL", ["input", "email"], "Adresse e-mail invalide."),
            (
                {"phone": "77 123"},
                "INVALID_PHONE",
                ["input", "phone"],
                "Numéro de téléphone invalide : écrivez-le au format international (+221...).",
            ),
            (
                {"email": "a@exemple.sn", "fullName": " "},
                "INVALID_NAME",
                ["input", "fullName"],
                "Le nom doit compter de 2 à 200 caractères.",
            ),
            (
                {"email": "a@exemple.sn", "role": "OVERSIGHT_OFFICER"},
                "ROLE_NOT_IN_TENANT",
                ["input", "role"],
                "Le rôle « oversight_officer » n'existe pas dans ce type de structure.",
            ),
        ],
    )
    async def test_bad_input(
        self,
        client: httpx.AsyncClient,
        admin: str,
        variables: dict[str, Any],
        code: str,
        path: list[str],
        message: str,
    ) -> None:
        assert await _invite(client, admin, **variables) == {
            "__typename": "InvitationCreateError",
            "code": code,
            "path": path,
            "message": message,
        }
        assert nodes((await graphql(client, INVITATIONS, token=admin))["data"]["invitations"]) == []

    async def test_an_active_member_is_not_invited(self, client: httpx.AsyncClient, mutual: Tenant, admin: str) -> None:
        by_email = await make_user(mutual, Role.AGENT)
        await make_user(mutual, Role.AGENT, phone="+221765550177")
        refused = [
            await _invite(client, admin, email=by_email.email),
            await _invite(client, admin, phone="+221 76 555 01 77"),
        ]
        assert [(result["code"], result["path"]) for result in refused] == [
            ("ALREADY_MEMBER", ["input", "email"]),
            ("ALREADY_MEMBER", ["input", "phone"]),
        ]

    async def test_a_withdrawn_tenants_invitation_is_gone(
        self,
        client: httpx.AsyncClient,
        mutual: Tenant,
        admin: str,
        caplog: pytest.LogCaptureFixture,
        owner: asyncpg.Connection,
    ) -> None:
        _, token = await _invite_and_get_token(client, admin, caplog, email="retrait@exemple.sn")
        await change_out_of_band(owner, "UPDATE tenants SET status = 'withdrawn' WHERE id = $1", mutual.id)
        assert (await _accept(client, token))["code"] == "INVITATION_NOT_FOUND"

    async def test_invitations_to_one_contact_at_once_leave_one_open(
        self, client: httpx.AsyncClient, admin: str
    ) -> None:
        results = await asyncio.gather(
            *(
                graphql(client, INVITE, token=admin, fullName="Awa Diop", role="AGENT", email="ensemble@exemple.sn")
                for _ in range(6)
            )
        )
        await jobs_done()
        listed = await graphql(client, INVITATIONS, token=admin)
        assert [result["data"]["invitationCreate"]["__typename"] for result in results] == ["Invitation"] * 6
        assert sorted(item["status"] for item in nodes(listed["data"]["invitations"])) == ["PENDING"] + ["REVOKED"] * 5


class TestSending:
    async def test_a_job_run_again_sends_the_same_working_link(
        self, client: httpx.AsyncClient, mutual: Tenant, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        invitation, token = await _invite_and_get_token(client, admin, caplog, phone="+221765550155")
        invitation_id = from_base64(invitation["id"])[1]
        send_invitation.send(tenant_id=str(mutual.id), invitation_id=invitation_id)
        await jobs_done()
        texts = [message["text"] for message in sent(caplog, "sms.sent")]
        assert [_token(text) for text in texts] == [token, token]
        assert (await _accept(client, token))["__typename"] == "SessionTokens"

    async def test_the_token_stays_out_of_the_audit_log(
        self, client: httpx.AsyncClient, mutual: Tenant, admin: str, caplog: pytest.LogCaptureFixture, owner: Any
    ) -> None:
        _, token = await _invite_and_get_token(client, admin, caplog, email="discret@exemple.sn")
        await _accept(client, token)
        logged = await owner.fetchval(
            "SELECT string_agg(summary::text || coalesce(target_id, ''), ' ') FROM audit_events WHERE tenant_id = $1",
            mutual.id,
        )
        assert (token in logged, opaque_tokens.digest(token) in logged) == (False, False)


class TestExistingAccounts:
    async def test_an_account_found_by_phone_is_throttled_under_its_phone(
        self,
        client: httpx.AsyncClient,
        admin: str,
        caplog: pytest.LogCaptureFixture,
        owner: asyncpg.Connection,
    ) -> None:
        await make_user(await make_tenant(), Role.MEMBER, phone="+221765550166")
        _, token = await _invite_and_get_token(client, admin, caplog, phone="+221 76 555 01 66")
        wrong = await _accept(client, token, password="Pas-le-bon-mot-de-passe")
        counted = await owner.fetchval("SELECT failures FROM sign_in_throttles WHERE key = 'account:+221765550166'")
        assert (wrong["code"], counted) == ("WRONG_PASSWORD", 1)
        accepted = await _accept(client, token)
        viewer = await graphql(client, VIEWER, token=accepted["accessToken"])
        assert viewer["data"]["viewer"]["role"] == "MANAGER"

    async def test_forty_wrong_passwords_at_once_are_ten_checked(
        self, client: httpx.AsyncClient, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        elsewhere = await make_user(await make_tenant(), Role.MANAGER)
        _, token = await _invite_and_get_token(client, admin, caplog, email=elsewhere.email)
        results = await asyncio.gather(*(_accept(client, token, password=f"Pas-le-bon-{n}") for n in range(40)))
        assert Counter(result["code"] for result in results) == {"WRONG_PASSWORD": 10, "TOO_MANY_ATTEMPTS": 30}
        assert (await _accept(client, token))["code"] == "TOO_MANY_ATTEMPTS"

    async def test_an_account_of_another_tenant_joins_with_its_password(
        self,
        client: httpx.AsyncClient,
        mutual: Tenant,
        admin: str,
        caplog: pytest.LogCaptureFixture,
        owner: asyncpg.Connection,
    ) -> None:
        elsewhere = await make_user(await make_tenant(), Role.MANAGER)
        _, token = await _invite_and_get_token(client, admin, caplog, email=elsewhere.email, role="CLAIMS_OFFICER")
        wrong = await _accept(client, token, password="Pas-le-bon-mot-de-passe")
        memberships = await owner.fetchval("SELECT count(*) FROM memberships WHERE user_id = $1", elsewhere.id)
        counted = await owner.fetchval(
            "SELECT failures FROM sign_in_throttles WHERE key = $1", f"account:{elsewhere.email}"
        )
        assert (wrong["code"], wrong["path"], memberships, counted) == (
            "WRONG_PASSWORD",
            ["input", "password"],
            1,
            1,
        )
        accepted = await _accept(client, token)
        viewer = await graphql(client, VIEWER, token=accepted["accessToken"])
        assert viewer["data"]["viewer"] == {"role": "CLAIMS_OFFICER", "tenant": {"slug": mutual.slug}}
        assert elsewhere.email
        with pytest.raises(AssertionError):
            await sign_in(client, elsewhere.email)  # two tenants now: the sign-in must name one
        assert (await sign_in(client, elsewhere.email, tenant=mutual.slug))["tenant"] == {"slug": mutual.slug}

    async def test_a_deactivated_user_comes_back_with_the_new_role(
        self, client: httpx.AsyncClient, mutual: Tenant, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        former = await make_user(mutual, Role.AGENT)
        deactivated = await graphql(
            client,
            "mutation ($user: ID!) { userDeactivate(user: $user) { __typename } }",
            token=admin,
            user=to_base64("User", former.id),
        )
        assert deactivated["data"]["userDeactivate"] == {"__typename": "TenantUser"}
        _, token = await _invite_and_get_token(client, admin, caplog, email=former.email, role="MANAGER")
        accepted = await _accept(client, token)
        viewer = await graphql(client, VIEWER, token=accepted["accessToken"])
        assert viewer["data"]["viewer"]["role"] == "MANAGER"


class TestIsolation:
    async def test_another_tenant_neither_sees_nor_changes_an_invitation(
        self, client: httpx.AsyncClient, admin: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        invitation, token = await _invite_and_get_token(client, admin, caplog, email="isolee@exemple.sn")
        intruder = await token_for(client, await make_tenant(), Role.TENANT_ADMIN)
        listed = await graphql(client, INVITATIONS, token=intruder)
        revoked = await graphql(client, REVOKE, token=intruder, id=invitation["id"])
        resent = await graphql(client, RESEND, token=intruder, id=invitation["id"])
        assert (
            nodes(listed["data"]["invitations"]),
            revoked["data"]["invitationRevoke"]["code"],
            resent["data"]["invitationResend"]["code"],
        ) == ([], "INVITATION_NOT_FOUND", "INVITATION_NOT_FOUND")
        assert nodes((await graphql(client, INVITATIONS, token=admin))["data"]["invitations"]) == [
            {"fullName": "Awa Diop", "status": "PENDING"}
        ]
        assert (await _accept(client, token))["__typename"] == "SessionTokens"

    async def test_a_user_id_is_not_an_invitation_id(self, client: httpx.AsyncClient, admin: str) -> None:
        revoked = await graphql(client, REVOKE, token=admin, id=to_base64("User", "0" * 32))
        assert revoked["data"]["invitationRevoke"]["code"] == "INVITATION_NOT_FOUND"


TENANT_ROLES = [role for role in Role if role not in {Role.MINISTRY_ADMIN, Role.OVERSIGHT_OFFICER}]


@pytest.mark.parametrize("role", TENANT_ROLES)
async def test_role_matrix(client: httpx.AsyncClient, mutual: Tenant, role: Role) -> None:
    token = await token_for(client, mutual, role)
    listed = await graphql(client, INVITATIONS, token=token)
    invited = await graphql(client, INVITE, token=token, fullName="Moussa Ba", role="AGENT", email=f"{role}@x.sn")
    granted = permissions_of(role)
    assert ("errors" not in listed) is (Permission.USERS_READ in granted)
    if Permission.USERS_MANAGE in granted:
        assert invited["data"]["invitationCreate"]["status"] == "PENDING"
    else:
        assert (invited["data"], invited["errors"][0]["extensions"]) == (None, {"code": "FORBIDDEN"})


async def test_a_ministry_invites_its_officers(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country())
    admin = await token_for(client, ministry, Role.MINISTRY_ADMIN)
    _, token = await _invite_and_get_token(client, admin, caplog, email="controle@dps.sn", role="OVERSIGHT_OFFICER")
    accepted = await _accept(client, token)
    viewer = await graphql(client, VIEWER, token=accepted["accessToken"])
    assert viewer["data"]["viewer"] == {"role": "OVERSIGHT_OFFICER", "tenant": {"slug": ministry.slug}}
