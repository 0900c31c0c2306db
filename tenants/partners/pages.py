"""The administrator's page of partner applications: the tenant's
applications with their scopes, registering one, a new secret, revoking
one. A secret is shown once, on the answer that made it, and never again."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from tenants.permissions import CLIENT_SCOPES, Permission
from tenants.web import MenuItem, Page, PageSet

APPLICATIONS = """
query ApiClients {
  apiClients(first: 100) { edges { node { id name clientId scopes createdAt secretRotatedAt revokedAt } } }
}
"""
SHOWN_ONCE = "client { name clientId } clientSecret"
CREATE = f"""
mutation ApiClientCreate($input: ApiClientCreateInput!) {{
  apiClientCreate(input: $input) {{
    ... on ApiClientSecret {{ {SHOWN_ONCE} }}
    ... on ApiClientCreateError {{ code path message }}
  }}
}}
"""
ROTATE = f"""
mutation ApiClientRotateSecret($id: ID!) {{
  apiClientRotateSecret(id: $id) {{
    ... on ApiClientSecret {{ {SHOWN_ONCE} }}
    ... on ApiClientRotateSecretError {{ code path message }}
  }}
}}
"""
REVOKE = """
mutation ApiClientRevoke($id: ID!) { apiClientRevoke(id: $id) { ... on ApiClientRevokeError { code path message } } }
"""
SCOPES = [permission.value for permission in Permission if permission in CLIENT_SCOPES]
"""The scopes an application may be granted, in the order of the permissions."""


async def _applications(
    page: Page,
    *,
    secret: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    notice: str | None = None,
) -> Response[str]:
    outcome = await page.execute(APPLICATIONS)
    return page.render(
        "partners/applications.html",
        status_code=400 if errors else 200,
        applications=[edge["node"] for edge in outcome.data["apiClients"]["edges"]],
        scopes=SCOPES,
        secret=secret,
        errors=errors or {},
        form=form or {"scopes": []},
        notice=notice,
    )


@get("/admin/applications")
async def applications(page: NamedDependency[Page], notice: FromQuery[str] = "") -> Response[str]:
    """The tenant's partner applications."""
    page.require(Permission.API_CLIENTS_MANAGE)
    return await _applications(page, notice="page.NOTICE_APP_REVOKED" if notice == "revoked" else None)


@post("/admin/applications")
async def register(page: NamedDependency[Page]) -> Response[str]:
    """Register an application with the scopes chosen; its secret is on this answer only."""
    page.require(Permission.API_CLIENTS_MANAGE)
    posted = await page.request.form()
    scopes = [scope for scope in posted.getall("scopes", []) if isinstance(scope, str)]
    name = str(posted.get("name", ""))
    outcome = await page.execute(CREATE, {"input": {"name": name, "scopes": scopes}})
    if outcome.refusal is not None:
        errors = outcome.errors_within(("name", "scopes"))
        return await _applications(page, errors=errors, form={"name": name, "scopes": scopes})
    return await _applications(page, secret=outcome.data["apiClientCreate"])


@post("/admin/applications/{client_id:str}/secret")
async def rotate(page: NamedDependency[Page], client_id: FromPath[str]) -> Response[str]:
    """A new secret for an application; the old one stops working at once."""
    page.require(Permission.API_CLIENTS_MANAGE)
    outcome = await page.execute(ROTATE, {"id": client_id})
    if outcome.refusal is not None:
        return await _applications(page, errors=outcome.errors_within(()))
    return await _applications(page, secret=outcome.data["apiClientRotateSecret"])


@post("/admin/applications/{client_id:str}/revoke")
async def revoke(page: NamedDependency[Page], client_id: FromPath[str]) -> Response[str] | Redirect:
    """Revoke an application: its tokens stop working at once."""
    page.require(Permission.API_CLIENTS_MANAGE)
    outcome = await page.execute(REVOKE, {"id": client_id})
    if outcome.refusal is not None:
        return await _applications(page, errors=outcome.errors_within(()))
    return page.redirect("/admin/applications?notice=revoked")


PAGES = PageSet(
    name="partners",
    templates=Path(__file__).with_name("templates"),
    handlers=[applications, register, rotate, revoke],
    menu=[MenuItem("page.MENU_APPLICATIONS", "/admin/applications", Permission.API_CLIENTS_MANAGE)],
)
