"""Tokens of partner applications for tests: registered by a tenant administrator, issued by /oauth/token."""

from __future__ import annotations

import httpx

from tenants.registry.tables import Tenant
from tenants.roles import Role
from tests.graphql_client import graphql, token_for

_REGISTER = """
mutation ($scopes: [String!]!) {
  apiClientCreate(input: {name: "Application partenaire", scopes: $scopes}) {
    ... on ApiClientSecret { clientSecret client { clientId } }
  }
}
"""


async def partner_token(client: httpx.AsyncClient, tenant: Tenant, scopes: list[str]) -> str:
    """The access token of a new partner application of ``tenant`` granted ``scopes``."""
    admin = await token_for(client, tenant, Role.TENANT_ADMIN)
    registered = (await graphql(client, _REGISTER, token=admin, scopes=scopes))["data"]["apiClientCreate"]
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(registered["client"]["clientId"], registered["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
