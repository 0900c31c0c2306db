"""A member's access online: a manager opens it, the member signs in with a
code sent to their phone and reads their own coverage and nothing else; the
refusals (no phone, terminated, a phone of the staff or of another member);
closing it ends their sessions; other tenants and roles refused; opened many
times at once, one account."""

from __future__ import annotations

import asyncio
from datetime import date

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from schemes.members import identity as ids
from schemes.members import lifecycle
from schemes.members.tables import Member, MemberStatus, TerminationReason
from schemes.rules.model import Sex
from schemes.rules.tables import Scheme
from tenants.permissions import Permission, permissions_of
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind, role_fits_tenant
from tenants.scoping import within
from tenants.tx import tenant_tx
from tests.factories import context, make_user
from tests.graphql_client import code_token, graphql, token_for
from tests.schemes.members.factories import artisan, enrol, household_with_phone, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")

OPEN = """
mutation ($member: ID!) {
  memberAccessOpen(input: {member: $member}) {
    __typename
    ... on Member { number onlineAccess }
    ... on MemberAccessOpenError { code path message }
  }
}
"""
CLOSE = """
mutation ($member: ID!) {
  memberAccessClose(input: {member: $member}) {
    __typename
    ... on Member { number onlineAccess }
    ... on MemberAccessCloseError { code path message }
  }
}
"""
MINE = """
{ myMember { number firstNames lastName status scheme { name }
  household(on: "2025-01-01") { firstNames relationship eligibility(on: "2025-01-01") { eligible } } } }
"""


async def test_a_member_with_access_signs_in_by_code_and_reads_their_own_coverage(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, owner: asyncpg.Connection
) -> None:
    phone = unique_phone()
    tenant, member, member_id = await household_with_phone(phone)
    manager = await token_for(client, tenant, Role.MANAGER)
    assert await code_token(client, caplog, phone) is None

    opened = await graphql(client, OPEN, token=manager, member=member_id)
    token = await code_token(client, caplog, phone)

    assert opened["data"]["memberAccessOpen"] == {"__typename": "Member", "number": member.number, "onlineAccess": True}
    assert token is not None
    mine = await graphql(client, MINE, token=token)
    assert mine == {
        "data": {
            "myMember": {
                "number": member.number,
                "firstNames": "Moussa",
                "lastName": "Diop",
                "status": "PENDING",
                "scheme": {"name": "Couverture maladie universelle"},
                "household": [
                    {"firstNames": "Aïssatou", "relationship": "SPOUSE", "eligibility": {"eligible": True}},
                    {"firstNames": "Binta", "relationship": "CHILD", "eligibility": {"eligible": True}},
                ],
            }
        }
    }
    account = await owner.fetchrow("SELECT full_name, password_hash FROM users WHERE phone = $1", phone)
    assert dict(account) == {"full_name": "Moussa Diop", "password_hash": None}
    # The member reads their own coverage, not the tenant's members.
    others = await graphql(client, "query ($id: ID!) { member(id: $id) { number } }", token=token, id=member_id)
    assert others["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    actions = await owner.fetch(
        "SELECT action FROM audit_events WHERE tenant_id = $1 AND target_id = $2 ORDER BY seq",
        tenant.id,
        str(member.id),
    )
    assert [row["action"] for row in actions][-1] == "member.access_open"


async def test_opening_again_changes_nothing(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    phone = unique_phone()
    tenant, _, member_id = await household_with_phone(phone)
    manager = await token_for(client, tenant, Role.MANAGER)

    first = await graphql(client, OPEN, token=manager, member=member_id)
    again = await graphql(client, OPEN, token=manager, member=member_id)

    assert first == again
    assert (
        await owner.fetchval(
            "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'member.access_open'", tenant.id
        )
        == 1
    )


async def test_without_a_phone_or_terminated_there_is_no_access(client: httpx.AsyncClient) -> None:
    tenant, _, without_phone = await household_with_phone(None)
    manager = await token_for(client, tenant, Role.MANAGER)
    phone = unique_phone()
    other_tenant, member, terminated_id = await household_with_phone(phone)
    ctx = await context(other_tenant)
    async with tenant_tx(ctx) as tx:
        await lifecycle.change_status(
            tx,
            ctx,
            lifecycle.StatusChange(
                member_id=member.id,
                to_status=MemberStatus.TERMINATED,
                effective_on=date.today(),
                reason=TerminationReason.RESIGNATION,
                note=None,
            ),
            date.today(),
        )
    other_manager = await token_for(client, other_tenant, Role.MANAGER)

    no_phone = await graphql(client, OPEN, token=manager, member=without_phone)
    terminated = await graphql(client, OPEN, token=other_manager, member=terminated_id)

    assert no_phone["data"]["memberAccessOpen"] == {
        "__typename": "MemberAccessOpenError",
        "code": "PHONE_REQUIRED",
        "path": ["input", "member"],
        "message": "L'accès en ligne se fait par un code envoyé par SMS : indiquez d'abord le téléphone de l'adhérent.",
    }
    assert terminated["data"]["memberAccessOpen"] == {
        "__typename": "MemberAccessOpenError",
        "code": "ACCESS_OF_TERMINATED",
        "path": ["input", "member"],
        "message": f"L'adhérent n° {member.number} est radié : il n'a plus d'accès en ligne.",
    }


async def test_a_phone_of_the_staff_or_of_another_members_access_is_refused(client: httpx.AsyncClient) -> None:
    phone = unique_phone()
    tenant, member, member_id = await household_with_phone(phone)
    # The same phone for a second member of the tenant: a family's one phone.
    brother = await _brother(tenant, member, phone)
    manager = await token_for(client, tenant, Role.MANAGER)
    staff_phone = unique_phone()
    staff_tenant, _, staff_member_id = await household_with_phone(staff_phone)
    await make_user(staff_tenant, Role.AGENT, phone=staff_phone)
    staff_manager = await token_for(client, staff_tenant, Role.MANAGER)

    await graphql(client, OPEN, token=manager, member=member_id)
    shared = await graphql(client, OPEN, token=manager, member=to_base64("Member", brother.id))
    staff = await graphql(client, OPEN, token=staff_manager, member=staff_member_id)

    assert shared["data"]["memberAccessOpen"] == {
        "__typename": "MemberAccessOpenError",
        "code": "PHONE_OF_ANOTHER_MEMBER",
        "path": ["input", "member"],
        "message": f"Ce numéro de téléphone ouvre déjà l'accès en ligne de l'adhérent n° {member.number}.",
    }
    assert staff["data"]["memberAccessOpen"]["code"] == "PHONE_OF_STAFF"


async def _brother(tenant: Tenant, member: Member, phone: str) -> Member:
    """Another member of ``member``'s scheme with the same phone."""
    ctx = await context(tenant)
    async with tenant_tx(ctx):
        scheme = await within(ctx, Scheme).objects().where(Scheme.id == member.scheme_id).first()
    assert scheme is not None
    person = ids.Person(first_names="Cheikh", last_name="Diop", sex=Sex.MALE, birth_year=1983, nationality="SN")
    return await enrol(ctx, artisan(scheme, phone=phone, person=person))


async def test_closing_ends_the_members_sessions_and_opening_again_restores_them(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    phone = unique_phone()
    tenant, member, member_id = await household_with_phone(phone)
    manager = await token_for(client, tenant, Role.MANAGER)
    await graphql(client, OPEN, token=manager, member=member_id)
    token = await code_token(client, caplog, phone)

    closed = await graphql(client, CLOSE, token=manager, member=member_id)
    refused = await client.post("/graphql", json={"query": MINE}, headers={"Authorization": f"Bearer {token}"})
    await graphql(client, OPEN, token=manager, member=member_id)
    again = await code_token(client, caplog, phone)

    assert closed["data"]["memberAccessClose"] == {
        "__typename": "Member",
        "number": member.number,
        "onlineAccess": False,
    }
    assert refused.status_code == 401
    assert again is not None
    assert (await graphql(client, MINE, token=again))["data"]["myMember"]["number"] == member.number


async def test_another_tenants_member_is_not_found(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    phone = unique_phone()
    _, _, member_id = await household_with_phone(phone)
    other, _, _ = await household_with_phone(unique_phone())
    intruder = await token_for(client, other, Role.MANAGER)

    opened = await graphql(client, OPEN, token=intruder, member=member_id)
    closed = await graphql(client, CLOSE, token=intruder, member=member_id)

    assert opened["data"]["memberAccessOpen"]["code"] == "MEMBER_NOT_FOUND"
    assert closed["data"]["memberAccessClose"]["code"] == "MEMBER_NOT_FOUND"
    assert await code_token(client, caplog, phone) is None


@pytest.mark.parametrize("role", [role for role in Role if role_fits_tenant(role, TenantKind.MUTUAL)])
async def test_role_matrix(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, role: Role) -> None:
    phone = unique_phone()
    tenant, _, member_id = await household_with_phone(phone)
    token = await token_for(client, tenant, role)

    opened = await graphql(client, OPEN, token=token, member=member_id)
    mine = await graphql(client, MINE, token=token)

    may_open = Permission.MEMBERS_WRITE in permissions_of(role)
    assert ("errors" not in opened) is may_open
    if not may_open:
        assert opened["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    if Permission.SELF_SERVICE in permissions_of(role):
        # A member account with no member linked (invited by hand) has no coverage to show.
        assert mine == {"data": {"myMember": None}}
    else:
        assert mine["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_opened_ten_times_at_once_one_account_one_membership(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    phone = unique_phone()
    tenant, member, member_id = await household_with_phone(phone)
    manager = await token_for(client, tenant, Role.MANAGER)

    bodies = await asyncio.gather(*(graphql(client, OPEN, token=manager, member=member_id) for _ in range(10)))

    assert {body["data"]["memberAccessOpen"]["onlineAccess"] for body in bodies} == {True}
    users = await owner.fetch("SELECT id FROM users WHERE phone = $1", phone)
    assert len(users) == 1
    assert (
        await owner.fetchval(
            "SELECT count(*) FROM memberships WHERE user_id = $1 AND tenant_id = $2", users[0]["id"], tenant.id
        )
        == 1
    )
    assert await owner.fetchval("SELECT user_id FROM members WHERE id = $1", member.id) == users[0]["id"]


async def test_two_members_sharing_a_phone_opened_at_once_one_gets_it(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    phone = unique_phone()
    tenant, member, member_id = await household_with_phone(phone)
    brother = await _brother(tenant, member, phone)
    manager = await token_for(client, tenant, Role.MANAGER)

    bodies = await asyncio.gather(
        *(
            graphql(client, OPEN, token=manager, member=target)
            for target in [member_id, to_base64("Member", brother.id)] * 5
        )
    )

    outcomes = sorted(body["data"]["memberAccessOpen"]["__typename"] for body in bodies)
    assert outcomes.count("Member") == 5
    assert outcomes.count("MemberAccessOpenError") == 5
    assert (
        await owner.fetchval("SELECT count(*) FROM members WHERE tenant_id = $1 AND user_id IS NOT NULL", tenant.id)
        == 1
    )
