"""Partner applications (OAuth2 client credentials) of a tenant: registered,
rotated and revoked by its administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tenants.audit import service as audit
from tenants.context import Principal, PrincipalKind, TenantContext
from tenants.identity import opaque_tokens
from tenants.partners import errors
from tenants.partners.tables import ApiClient
from tenants.permissions import CLIENT_SCOPES, Permission, client_scopes_listed, with_implied
from tenants.registry import service as tenant_service
from tenants.scoping import within
from tenants.tx import Transaction


@dataclass(frozen=True)
class NewClient:
    """What registering a partner application needs."""

    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class IssuedSecret:
    """A client with its secret, shown this once."""

    client: ApiClient
    secret: str


def secret_matches(client: ApiClient, secret: str) -> bool:
    """Whether ``secret`` is the client's current secret (constant time)."""
    return opaque_tokens.matches(client.secret_hash, secret)


def granted_scopes(registered: str) -> frozenset[str]:
    """The scopes a client's registration grants: those it was registered
    with that may still be granted (a scope withdrawn from partner
    applications stops counting for those registered before)."""
    return frozenset(scope for scope in registered.split() if scope in CLIENT_SCOPES)


def client_permissions(scopes: frozenset[str]) -> frozenset[Permission]:
    """What granted scopes allow (writes include their reads)."""
    return with_implied({Permission(scope) for scope in scopes if scope in CLIENT_SCOPES})


def _checked(data: NewClient) -> tuple[str, str]:
    name = data.name.strip()
    if not 2 <= len(name) <= 200:
        raise errors.InvalidClientName(path=("input", "name"))
    unknown = sorted(scope for scope in data.scopes if scope not in CLIENT_SCOPES)
    if unknown or not data.scopes or len(data.scopes) > len(CLIENT_SCOPES):
        raise errors.InvalidScopes(
            path=("input", "scopes"), scopes=", ".join(unknown) or "-", allowed=client_scopes_listed()
        )
    return name, " ".join(sorted(data.scopes))


async def register(tx: Transaction, ctx: TenantContext, data: NewClient) -> IssuedSecret:
    """Register a partner application in the context's tenant."""
    name, scopes = _checked(data)
    secret = opaque_tokens.random_secret()
    clients = within(ctx, ApiClient)
    client = clients.new(name=name, scopes=scopes, secret_hash=opaque_tokens.digest(secret))
    await clients.insert(client)
    await audit.record_change(tx, ctx, "api_client.create", "api_client", client.id, name=name, scopes=scopes)
    return IssuedSecret(client=client, secret=secret)


async def list_clients(
    tx: Transaction, ctx: TenantContext, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[ApiClient]:
    """Up to ``limit`` of the tenant's partner applications, newest first,
    after the one created at ``after`` (keyset pagination on time and id)."""
    query = within(ctx, ApiClient).objects().order_by(ApiClient.created_at, ApiClient.id, ascending=False)
    if after is not None:
        created_at, client_id = after
        query = query.where(
            (ApiClient.created_at < created_at) | ((ApiClient.created_at == created_at) & (ApiClient.id < client_id))
        )
    return await query.limit(limit)


async def count_clients(tx: Transaction, ctx: TenantContext) -> int:
    """How many partner applications the tenant has."""
    count: int = await within(ctx, ApiClient).count()
    return count


async def clients_by_id(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[ApiClient]:
    """The context's clients among ``ids``."""
    if not ids:
        return []
    return await within(ctx, ApiClient).objects().where(ApiClient.id.is_in(ids))


async def _find(ctx: TenantContext, client_id: UUID) -> ApiClient:
    client = await within(ctx, ApiClient).objects().where(ApiClient.id == client_id).first()
    if client is None:
        raise errors.ClientNotFound(path=("input", "id"))
    return client


async def rotate_secret(tx: Transaction, ctx: TenantContext, client_id: UUID) -> IssuedSecret:
    """Give a client a new secret; the old one stops working at once."""
    client = await _find(ctx, client_id)
    if client.revoked_at is not None:
        raise errors.ClientRevoked(path=("input", "id"))
    secret = opaque_tokens.random_secret()
    client.secret_hash, client.secret_rotated_at = opaque_tokens.digest(secret), datetime.now(UTC)
    await (
        within(ctx, ApiClient)
        .update({ApiClient.secret_hash: client.secret_hash, ApiClient.secret_rotated_at: client.secret_rotated_at})
        .where(ApiClient.id == client_id)
    )
    await audit.record_change(tx, ctx, "api_client.rotate_secret", "api_client", client.id)
    return IssuedSecret(client=client, secret=secret)


async def revoke(tx: Transaction, ctx: TenantContext, client_id: UUID) -> ApiClient:
    """Revoke a client: its secret and every token it holds stop working."""
    client = await _find(ctx, client_id)
    if client.revoked_at is None:
        client.revoked_at = datetime.now(UTC)
        await within(ctx, ApiClient).update({ApiClient.revoked_at: client.revoked_at}).where(ApiClient.id == client_id)
        await audit.record_change(tx, ctx, "api_client.revoke", "api_client", client.id)
    return client


async def find_active(tx: Transaction, client_id: str | UUID) -> ApiClient | None:
    """The client with this id unless revoked or its tenant withdrawn
    (platform transaction), for the token endpoint, which then checks the secret."""
    try:
        identifier = client_id if isinstance(client_id, UUID) else UUID(client_id)
    except ValueError:
        return None
    # The client id is all the token endpoint knows: its tenant follows from it.
    row = await tx.fetchrow(
        "SELECT c.* FROM api_clients c JOIN tenants t ON t.id = c.tenant_id"
        " WHERE c.id = $1 AND c.revoked_at IS NULL AND t.status <> 'withdrawn'",
        identifier,
        across_tenants=True,
    )
    return ApiClient(**dict(row)) if row else None


async def client_context(
    tx: Transaction, client_id: UUID, tenant_id: UUID, token_scopes: frozenset[str], request_id: str | None
) -> TenantContext | None:
    """The context of a partner application's request (platform transaction):
    its tenant, and the permissions of the scopes its token was issued with
    that its registration still grants; None once revoked."""
    row = await tx.fetchrow(
        f"SELECT c.name, c.scopes, {tenant_service.TENANT_SCOPE}"
        " FROM api_clients c JOIN tenants t ON t.id = c.tenant_id"
        " WHERE c.id = $1 AND c.tenant_id = $2 AND c.revoked_at IS NULL AND t.status <> 'withdrawn'",
        client_id,
        tenant_id,
    )
    if row is None:
        return None
    # A token asked for fewer scopes than registered is held to them.
    scopes = token_scopes & granted_scopes(row["scopes"])
    principal = Principal(kind=PrincipalKind.CLIENT, id=client_id, name=row["name"], scopes=scopes)
    return tenant_service.context_from_row(row, principal, None, request_id, client_permissions(scopes))
