"""GraphQL query and mutations of a tenant's users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry import relay

from tenants import errors, users
from tenants.api import Role
from tenants.graphql import Info, decode_id, requires, tenant_of
from tenants.mutation_errors import MutationErrors
from tenants.permissions import Permission
from tenants.roles import Role as RoleValue
from tenants.tx import tenant_tx


@strawberry.type(description="A user of the tenant and their role in it.")
class TenantUser:
    id: relay.GlobalID = strawberry.field(description="The user's global id (type `User`).")
    full_name: str
    email: str | None
    phone: str | None = strawberry.field(description="E.164.")
    role: Role
    is_active: bool = strawberry.field(description="False once deactivated: the user cannot act in this tenant.")

    @classmethod
    def from_user(cls, user: users.TenantUser) -> TenantUser:
        """The GraphQL view of a tenant's user."""
        return cls(
            id=relay.GlobalID("User", str(user.user_id)),
            full_name=user.full_name,
            email=user.email,
            phone=user.phone,
            role=user.role,
            is_active=user.is_active,
        )


@strawberry.input(description="Give a user another role in the tenant.")
class UserRoleChangeInput:
    user: relay.GlobalID
    role: Role


ROLE_CHANGE_ERRORS = MutationErrors(
    "UserRoleChange", [errors.UserNotFound, errors.RoleNotInTenant, errors.LastAdministrator]
)
DEACTIVATE_ERRORS = MutationErrors("UserDeactivate", [errors.UserNotFound, errors.LastAdministrator])

if TYPE_CHECKING:  # the error types are built at run time
    UserRoleChangeResult = Any
    UserDeactivateResult = Any
else:
    UserRoleChangeResult = Annotated[TenantUser | ROLE_CHANGE_ERRORS.type, strawberry.union("UserRoleChangeResult")]
    UserDeactivateResult = Annotated[TenantUser | DEACTIVATE_ERRORS.type, strawberry.union("UserDeactivateResult")]


def _user_id(id: relay.GlobalID) -> UUID:  # noqa: A002
    found = decode_id(id, "User")
    if found is None:
        raise errors.UserNotFound(path=("input", "user"))
    return found


@strawberry.type
class Query:
    @strawberry.field(
        description="The tenant's users, by name (at most 500). Requires `users:read`.",
        extensions=[requires(Permission.USERS_READ)],
    )
    async def users(self, info: Info) -> list[TenantUser]:
        context = tenant_of(info)
        async with tenant_tx(context) as tx:
            found = await users.list_users(tx, context)
        return [TenantUser.from_user(user) for user in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Change a user's role; the tenant keeps at least one active administrator. "
        "Requires `users:manage`.",
        extensions=[requires(Permission.USERS_MANAGE)],
    )
    async def user_role_change(self, info: Info, input: UserRoleChangeInput) -> UserRoleChangeResult:  # noqa: A002
        context = tenant_of(info)

        async def run() -> TenantUser:
            async with tenant_tx(context) as tx:
                user = await users.change_role(tx, context, _user_id(input.user), RoleValue(input.role))
            return TenantUser.from_user(user)

        return await ROLE_CHANGE_ERRORS.guard(run())

    @strawberry.mutation(
        description="Deactivate a user in the tenant: their tokens stop working at once. Requires `users:manage`.",
        extensions=[requires(Permission.USERS_MANAGE)],
    )
    async def user_deactivate(self, info: Info, user: relay.GlobalID) -> UserDeactivateResult:
        context = tenant_of(info)

        async def run() -> TenantUser:
            async with tenant_tx(context) as tx:
                found = await users.deactivate(tx, context, _user_id(user))
            return TenantUser.from_user(found)

        return await DEACTIVATE_ERRORS.guard(run())
