"""The administrator's page of the tenant's people: its users with their
roles, the invitations sent, inviting someone, changing a role, ending a
user's access."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from tenants.permissions import Permission
from tenants.roles import Role, role_fits_tenant
from tenants.web import MenuItem, Outcome, Page, PageSet, nested

PEOPLE = """
query TenantPeople {
  users(first: 100) { edges { node { id fullName email phone role isActive } } pageInfo { hasNextPage } }
  invitations(first: 100) {
    edges { node { id fullName email phone role status createdAt expiresAt sentAt } }
  }
}
"""
INVITE = """
mutation InvitationCreate($input: InvitationCreateInput!) {
  invitationCreate(input: $input) { ... on InvitationCreateError { code path message } }
}
"""
RESEND = """
mutation InvitationResend($id: ID!) { invitationResend(id: $id) { ... on InvitationResendError { code path message } } }
"""
REVOKE = """
mutation InvitationRevoke($id: ID!) { invitationRevoke(id: $id) { ... on InvitationRevokeError { code path message } } }
"""
ROLE_CHANGE = """
mutation UserRoleChange($input: UserRoleChangeInput!) {
  userRoleChange(input: $input) { ... on UserRoleChangeError { code path message } }
}
"""
DEACTIVATE = """
mutation UserDeactivate($user: ID!) { userDeactivate(user: $user) { ... on UserDeactivateError { code path message } } }
"""
INVITATION_FIELDS = ("fullName", "role", "email", "phone", "language")
NOTICES = {
    "invited": "page.NOTICE_INVITED",
    "resent": "page.NOTICE_RESENT",
    "revoked": "page.NOTICE_REVOKED",
    "role": "page.NOTICE_ROLE",
    "deactivated": "page.NOTICE_DEACTIVATED",
}


def _roles(page: Page) -> list[str]:
    assert page.viewer.tenant is not None
    kind = page.viewer.tenant.tenant_kind
    return [role.name for role in Role if role_fits_tenant(role, kind)]


async def _people(
    page: Page,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response[str]:
    """The page of people; with ``errors``, a form it refused (``form`` as it was sent)."""
    outcome = await page.execute(PEOPLE)
    return page.render(
        "invitations/people.html",
        status_code=400 if errors else 200,
        users=[edge["node"] for edge in outcome.data["users"]["edges"]],
        invitations=[edge["node"] for edge in outcome.data["invitations"]["edges"]],
        roles=_roles(page),
        errors=errors or {},
        form=form or {},
        notice=notice,
    )


@get("/admin/people")
async def people(page: NamedDependency[Page], notice: FromQuery[str] = "") -> Response[str]:
    """The tenant's users and invitations."""
    page.require(Permission.USERS_READ)
    return await _people(page, notice=NOTICES.get(notice))


@post("/admin/people/invite")
async def invite(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Invite someone by email or SMS, with the role they will hold."""
    page.require(Permission.USERS_MANAGE)
    form = await page.form()
    outcome = await page.execute(INVITE, {"input": nested(form, INVITATION_FIELDS)})
    if outcome.refusal is None:
        return page.redirect("/admin/people?notice=invited")
    return await _refused(page, outcome, form)


async def _refused(page: Page, outcome: Outcome, form: dict[str, str]) -> Response[str]:
    return await _people(page, errors=outcome.errors_within(INVITATION_FIELDS), form=form)


async def _act(page: Page, document: str, variables: dict[str, Any], done: str) -> Response[str] | Redirect:
    page.require(Permission.USERS_MANAGE)
    outcome = await page.execute(document, variables)
    if outcome.refusal is None:
        return page.redirect(f"/admin/people?notice={done}")
    return await _refused(page, outcome, {})


@post("/admin/people/invitations/{invitation_id:str}/resend")
async def resend(page: NamedDependency[Page], invitation_id: FromPath[str]) -> Response[str] | Redirect:
    """Send a pending invitation again, with a new link."""
    return await _act(page, RESEND, {"id": invitation_id}, "resent")


@post("/admin/people/invitations/{invitation_id:str}/revoke")
async def revoke(page: NamedDependency[Page], invitation_id: FromPath[str]) -> Response[str] | Redirect:
    """Withdraw a pending invitation: its link stops working."""
    return await _act(page, REVOKE, {"id": invitation_id}, "revoked")


@post("/admin/people/users/{user_id:str}/role")
async def role_change(page: NamedDependency[Page], user_id: FromPath[str]) -> Response[str] | Redirect:
    """Give a user another role in the tenant."""
    form = await page.form()
    return await _act(page, ROLE_CHANGE, {"input": {"user": user_id, "role": form.get("role", "")}}, "role")


@post("/admin/people/users/{user_id:str}/deactivate")
async def deactivate(page: NamedDependency[Page], user_id: FromPath[str]) -> Response[str] | Redirect:
    """End a user's access to the tenant; their sessions end at once."""
    return await _act(page, DEACTIVATE, {"user": user_id}, "deactivated")


PAGES = PageSet(
    name="invitations",
    templates=Path(__file__).with_name("templates"),
    handlers=[people, invite, resend, revoke, role_change, deactivate],
    menu=[MenuItem("page.MENU_PEOPLE", "/admin/people", Permission.USERS_READ)],
)
