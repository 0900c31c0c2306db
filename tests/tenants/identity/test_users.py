"""Tenant administrators manage their users; a tenant keeps an administrator."""

from __future__ import annotations

import httpx
import pytest
from strawberry.relay import to_base64

from tenants.identity.tables import User
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tests.factories import make_tenant, make_user
from tests.graphql_client import graphql, nodes, sign_in, token_for

pytestmark = pytest.mark.usefixtures("migrated")

USERS = "{ users { edges { node { fullName role isActive } } } }"
ROLE_CHANGE = """
mutation ($user: ID!, $role: Role!) {
  userRoleChange(input: {user: $user, role: $role}) {
    __typename
    ... on TenantUser { fullName role isActive }
    ... on UserRoleChangeError { code path message }
  }
}
"""
DEACTIVATE = """
mutation ($user: ID!) {
  userDeactivate(user: $user) {
    __typename
    ... on TenantUser { fullName role isActive }
    ... on UserDeactivateError { code path message }
  }
}
"""


def _id(user: User) -> str:
    return to_base64("User", user.id)


@pytest.fixture
async def mutual() -> Tenant:
    return await make_tenant()


async def _signed_in(client: httpx.AsyncClient, tenant: Tenant, role: Role) -> tuple[User, str]:
    user = await make_user(tenant, role)
    assert user.email
    return user, (await sign_in(client, user.email))["accessToken"]


async def test_admin_changes_a_role_and_it_applies_at_once(client: httpx.AsyncClient, mutual: Tenant) -> None:
    _, admin = await _signed_in(client, mutual, Role.TENANT_ADMIN)
    agent, agent_token = await _signed_in(client, mutual, Role.AGENT)
    body = await graphql(client, ROLE_CHANGE, token=admin, user=_id(agent), role="CLAIMS_OFFICER")
    assert body["data"]["userRoleChange"] == {
        "__typename": "TenantUser",
        "fullName": agent.full_name,
        "role": "CLAIMS_OFFICER",
        "isActive": True,
    }
    viewer = await graphql(client, "{ viewer { role } }", token=agent_token)
    assert viewer == {"data": {"viewer": {"role": "CLAIMS_OFFICER"}}}


async def test_ministry_roles_do_not_exist_in_a_mutual(client: httpx.AsyncClient, mutual: Tenant) -> None:
    _, admin = await _signed_in(client, mutual, Role.TENANT_ADMIN)
    agent = await make_user(mutual, Role.AGENT)
    body = await graphql(client, ROLE_CHANGE, token=admin, user=_id(agent), role="OVERSIGHT_OFFICER")
    assert body["data"]["userRoleChange"] == {
        "__typename": "UserRoleChangeError",
        "code": "ROLE_NOT_IN_TENANT",
        "path": ["input", "role"],
        "message": "Le rôle « oversight_officer » n'existe pas dans ce type de structure.",
    }


async def test_the_last_administrator_stays(client: httpx.AsyncClient, mutual: Tenant) -> None:
    admin_user, admin = await _signed_in(client, mutual, Role.TENANT_ADMIN)
    refused = {
        "__typename": "UserDeactivateError",
        "code": "LAST_ADMINISTRATOR",
        "path": ["input", "user"],
        "message": "C'est le dernier administrateur actif : nommez-en un autre d'abord.",
    }
    assert (await graphql(client, DEACTIVATE, token=admin, user=_id(admin_user)))["data"]["userDeactivate"] == refused
    demoted = await graphql(client, ROLE_CHANGE, token=admin, user=_id(admin_user), role="MANAGER")
    assert demoted["data"]["userRoleChange"]["code"] == "LAST_ADMINISTRATOR"

    second = await make_user(mutual, Role.TENANT_ADMIN)
    body = await graphql(client, DEACTIVATE, token=admin, user=_id(second))
    assert body["data"]["userDeactivate"]["isActive"] is False
    body = await graphql(client, ROLE_CHANGE, token=admin, user=_id(second), role="TENANT_ADMIN")
    assert body["data"]["userRoleChange"]["role"] == "TENANT_ADMIN"


async def test_deactivated_user_is_out_at_once(client: httpx.AsyncClient, mutual: Tenant) -> None:
    _, admin = await _signed_in(client, mutual, Role.TENANT_ADMIN)
    manager, manager_token = await _signed_in(client, mutual, Role.MANAGER)
    await graphql(client, DEACTIVATE, token=admin, user=_id(manager))
    response = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={"Authorization": f"Bearer {manager_token}"}
    )
    assert response.status_code == 401
    listed = await graphql(client, USERS, token=admin)
    assert {(user["fullName"], user["isActive"]) for user in nodes(listed["data"]["users"])} == {
        (f"tenant_admin {mutual.slug}", True),
        (manager.full_name, False),
    }


async def test_another_tenants_user_is_not_found(client: httpx.AsyncClient, mutual: Tenant) -> None:
    _, admin = await _signed_in(client, mutual, Role.TENANT_ADMIN)
    stranger = await make_user(await make_tenant(), Role.MANAGER)
    body = await graphql(client, DEACTIVATE, token=admin, user=_id(stranger))
    assert body["data"]["userDeactivate"] == {
        "__typename": "UserDeactivateError",
        "code": "USER_NOT_FOUND",
        "path": ["input", "user"],
        "message": "Utilisateur introuvable dans cette structure.",
    }
    assert [user["fullName"] for user in nodes((await graphql(client, USERS, token=admin))["data"]["users"])] == [
        f"tenant_admin {mutual.slug}"
    ]


async def test_ministry_cannot_manage_a_supervised_tenants_users(client: httpx.AsyncClient) -> None:
    from tests.factories import fresh_country

    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    supervised = await make_tenant(country=country)
    target = await make_user(supervised, Role.MANAGER)
    token = await token_for(client, ministry, Role.MINISTRY_ADMIN)
    body = await graphql(client, DEACTIVATE, token=token, user=_id(target))
    assert body["data"]["userDeactivate"]["code"] == "USER_NOT_FOUND"


@pytest.mark.parametrize("role", [r for r in Role if r not in {Role.MINISTRY_ADMIN, Role.OVERSIGHT_OFFICER}])
async def test_role_matrix(client: httpx.AsyncClient, mutual: Tenant, role: Role) -> None:
    token = await token_for(client, mutual, role)
    listed = await graphql(client, USERS, token=token)
    target = await make_user(mutual, Role.AGENT)
    changed = await graphql(client, ROLE_CHANGE, token=token, user=_id(target), role="MANAGER")
    can_read = role in {Role.TENANT_ADMIN, Role.AUDITOR}
    can_manage = role is Role.TENANT_ADMIN
    assert ("errors" not in listed) is can_read
    assert ("errors" not in changed) is can_manage
