"""GraphQL types, query and mutations of partner applications."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import relay

from tenants.graphql import Info, decode_id, field, nodes_by_id, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.partners import errors
from tenants.partners import service as partner_service
from tenants.partners.tables import ApiClient as ApiClientRow
from tenants.permissions import Permission, client_scopes_listed
from tenants.tx import tenant_tx


@strawberry.type(description="A partner application of the tenant (OAuth2 client credentials).")
class ApiClient(relay.Node):
    id: relay.NodeID[UUID]
    name: str
    client_id: str = strawberry.field(description="The `client_id` to present at `POST /oauth/token`.")
    scopes: list[str] = strawberry.field(description="Scopes the application may ask for.")
    created_at: datetime
    secret_rotated_at: datetime | None
    revoked_at: datetime | None = strawberry.field(description="Set once revoked: its tokens stop working.")

    @classmethod
    def from_row(cls, row: ApiClientRow) -> ApiClient:
        """The GraphQL view of a client row."""
        return cls(
            id=row.id,
            name=row.name,
            client_id=str(row.id),
            scopes=sorted(partner_service.granted_scopes(row.scopes)),
            created_at=row.created_at,
            secret_rotated_at=row.secret_rotated_at,
            revoked_at=row.revoked_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ApiClient | None]:
        return await nodes_by_id(
            info, node_ids, Permission.API_CLIENTS_MANAGE, partner_service.clients_by_id, cls.from_row
        )


@strawberry.type(description="A client and its secret, shown this once: store it now.")
class ApiClientSecret:
    client: ApiClient
    client_secret: str


@strawberry.input(description="Register a partner application.")
class ApiClientCreateInput:
    name: str
    scopes: list[str] = strawberry.field(
        description=f"The scopes granted, among {client_scopes_listed()}. Claim adjudication and the "
        "administration of users, licences and applications are never granted to an application."
    )


def _client_id(id: relay.GlobalID) -> UUID:  # noqa: A002
    """The client's id, or a "not found" for anything that is not a client's id."""
    found = decode_id(id, "ApiClient")
    if found is None:
        raise errors.ClientNotFound(path=("input", "id"))
    return found


def _issued(issued: partner_service.IssuedSecret) -> ApiClientSecret:
    return ApiClientSecret(client=ApiClient.from_row(issued.client), client_secret=issued.secret)


@strawberry.type
class Query:
    @field(
        "The tenant's partner applications, newest first. Requires `api_clients:manage`; `first` is at most 100.",
        permission=Permission.API_CLIENTS_MANAGE,
    )
    async def api_clients(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ApiClient]:
        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (datetime, UUID),
            rows=partner_service.list_clients,
            count=partner_service.count_clients,
            node=ApiClient.from_row,
            key=lambda row: (row.created_at, row.id),
        )


@strawberry.type
class Mutation:
    @mutation(
        "Register a partner application; its secret is returned once. Requires `api_clients:manage`.",
        errors=[errors.InvalidClientName, errors.InvalidScopes],
        permission=Permission.API_CLIENTS_MANAGE,
    )
    async def api_client_create(self, info: Info, input: ApiClientCreateInput) -> ApiClientSecret:  # noqa: A002
        context = tenant_of(info)
        data = partner_service.NewClient(name=input.name, scopes=frozenset(input.scopes))
        async with tenant_tx(context) as tx:
            issued = await partner_service.register(tx, context, data)
        return _issued(issued)

    @mutation(
        "Give an application a new secret; the old one stops working. Requires `api_clients:manage`.",
        errors=[errors.ClientNotFound, errors.ClientRevoked],
        permission=Permission.API_CLIENTS_MANAGE,
    )
    async def api_client_rotate_secret(self, info: Info, id: relay.GlobalID) -> ApiClientSecret:  # noqa: A002
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            issued = await partner_service.rotate_secret(tx, context, _client_id(id))
        return _issued(issued)

    @mutation(
        "Revoke an application: its secret and tokens stop working. Requires `api_clients:manage`.",
        errors=[errors.ClientNotFound],
        permission=Permission.API_CLIENTS_MANAGE,
    )
    async def api_client_revoke(self, info: Info, id: relay.GlobalID) -> ApiClient:  # noqa: A002
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            row = await partner_service.revoke(tx, context, _client_id(id))
        return ApiClient.from_row(row)
