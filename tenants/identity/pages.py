"""Signing in and out, the invitation's and the password reset's links, and
changing one's password: the pages of :mod:`tenants.identity.api`'s mutations."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect

from tenants.web import NextPath, Outcome, Page, PageSet, safe_next

SIGN_IN = """
mutation SignIn($identifier: String!, $password: String!, $tenant: String) {
  sessionCreate(input: {identifier: $identifier, password: $password, tenant: $tenant, cookies: true}) {
    ... on SessionCreateError { code path message }
  }
}
"""
CODE_REQUEST = """
mutation SignInCodeRequest($phone: String!) {
  signInCodeRequest(input: {phone: $phone}) {
    ... on SignInCodeRequested { phone expiresInSeconds }
    ... on SignInCodeRequestError { code path message }
  }
}
"""
CODE_SIGN_IN = """
mutation SignInWithCode($phone: String!, $code: String!, $tenant: String) {
  sessionCreateWithCode(input: {phone: $phone, code: $code, tenant: $tenant, cookies: true}) {
    ... on SessionCreateWithCodeError { code path message }
  }
}
"""
SIGN_OUT = "mutation SignOut { sessionRevoke }"
RESET_REQUEST = """
mutation PasswordResetRequest($identifier: String!) {
  passwordResetRequest(input: {identifier: $identifier}) {
    ... on PasswordResetRequestError { code path message }
  }
}
"""
RESET = """
mutation PasswordReset($token: String!, $password: String!) {
  passwordReset(input: {token: $token, password: $password}) {
    ... on PasswordResetError { code path message }
  }
}
"""
CHANGE = """
mutation PasswordChange($currentPassword: String!, $newPassword: String!) {
  passwordChange(input: {currentPassword: $currentPassword, newPassword: $newPassword}) {
    ... on PasswordChanged { endedSessions }
    ... on PasswordChangeError { code path message }
  }
}
"""
ACCEPT = """
mutation InvitationAccept($token: String!, $password: String!) {
  invitationAccept(input: {token: $token, password: $password, cookies: true}) {
    ... on InvitationAcceptError { code path message }
  }
}
"""

NOTICES = frozenset({"signed_out", "password_reset", "password_changed", "reset_sent"})
"""The notices a page may be sent to with ``?notice=``: a fixed list, so that a link cannot make a page say anything."""

FORM_REFUSED = 400


def _notice(notice: str | None) -> str | None:
    return f"page.NOTICE_{notice.upper()}" if notice in NOTICES else None


def _refused(page: Page, template: str, outcome: Outcome, **context: object) -> Response[str]:
    return page.render(template, status_code=FORM_REFUSED, errors=outcome.errors, **context)


async def _use_link(page: Page, document: str, template: str, done: str) -> Response[str] | Redirect:
    """Send the token of a link's form with the password typed, then go on
    to ``done``; a refusal shows ``template`` again with the token kept."""
    form = await page.form()
    token = form.get("token", "")
    outcome = await page.execute(document, {"token": token, "password": form.get("password", "")})
    if outcome.refusal is not None:
        return _refused(page, template, outcome, token=token)
    return page.redirect(done)


@get("/sign-in")
async def sign_in_form(
    page: NamedDependency[Page], next_path: NextPath = None, notice: FromQuery[str | None] = None
) -> Response[str] | Redirect:
    """The sign-in page (password), or where a signed-in person goes."""
    if page.viewer.tenant is not None:
        return page.redirect(safe_next(next_path))
    return page.render("identity/sign_in.html", errors={}, form={}, next=safe_next(next_path), notice=_notice(notice))


@post("/sign-in")
async def sign_in(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Sign in with an email or phone number and a password; the tenant is
    asked for when the person belongs to several."""
    form = await page.form()
    variables = {
        "identifier": form.get("identifier", ""),
        "password": form.get("password", ""),
        "tenant": form.get("tenant") or None,
    }
    outcome = await page.execute(SIGN_IN, variables)
    next_path = safe_next(form.get("next"))
    if outcome.refusal is not None:
        return _refused(page, "identity/sign_in.html", outcome, form=form, next=next_path, notice=None)
    return page.redirect(next_path)


@get("/sign-in/code")
async def code_form(page: NamedDependency[Page], next_path: NextPath = None) -> Response[str]:
    """Sign in with a code sent by SMS: first the phone number."""
    return page.render("identity/sign_in_code.html", errors={}, form={}, sent=None, next=safe_next(next_path))


@post("/sign-in/code")
async def code_sign_in(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Ask for a code (``step=request``), then sign in with it."""
    form = await page.form()
    next_path = safe_next(form.get("next"))
    phone = form.get("phone", "")
    if form.get("step") != "verify":
        outcome = await page.execute(CODE_REQUEST, {"phone": phone})
        if outcome.refusal is not None:
            return _refused(page, "identity/sign_in_code.html", outcome, form=form, sent=None, next=next_path)
        sent = outcome.data["signInCodeRequest"]
        return page.render(
            "identity/sign_in_code.html", errors={}, form={"phone": sent["phone"]}, sent=sent, next=next_path
        )
    variables = {"phone": phone, "code": form.get("code", "").strip(), "tenant": form.get("tenant") or None}
    outcome = await page.execute(CODE_SIGN_IN, variables)
    if outcome.refusal is not None:
        sent = {"phone": phone, "expiresInSeconds": None}
        return _refused(page, "identity/sign_in_code.html", outcome, form=form, sent=sent, next=next_path)
    return page.redirect(next_path)


@post("/sign-out")
async def sign_out(page: NamedDependency[Page]) -> Redirect:
    """End the session; its tokens stop working at once."""
    if page.viewer.tenant is not None:
        await page.execute(SIGN_OUT)
    return page.redirect("/sign-in?notice=signed_out")


@get("/password/forgot")
async def forgot_form(page: NamedDependency[Page]) -> Response[str]:
    """Ask for a link to choose a new password."""
    return page.render("identity/password_forgot.html", errors={}, form={})


@post("/password/forgot")
async def forgot(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Send the link, by email or SMS; the answer is the same whether the account exists or not."""
    form = await page.form()
    outcome = await page.execute(RESET_REQUEST, {"identifier": form.get("identifier", "")})
    if outcome.refusal is not None:
        return _refused(page, "identity/password_forgot.html", outcome, form=form)
    return page.redirect("/sign-in?notice=reset_sent")


@get("/password/reset")
async def reset_form(page: NamedDependency[Page], token: FromQuery[str] = "") -> Response[str]:
    """The page of the link sent to reset a password."""
    return page.render("identity/password_reset.html", errors={}, token=token)


@post("/password/reset")
async def reset(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Choose the new password; every session of the account ends."""
    return await _use_link(page, RESET, "identity/password_reset.html", "/sign-in?notice=password_reset")


@get("/password/change")
async def change_form(page: NamedDependency[Page], notice: FromQuery[str | None] = None) -> Response[str]:
    """Change one's password."""
    page.require()
    return page.render("identity/password_change.html", errors={}, notice=_notice(notice))


@post("/password/change")
async def change(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Check the current password and set the new one; other sessions end."""
    page.require()
    form = await page.form()
    variables = {"currentPassword": form.get("currentPassword", ""), "newPassword": form.get("newPassword", "")}
    outcome = await page.execute(CHANGE, variables)
    if outcome.refusal is not None:
        return _refused(page, "identity/password_change.html", outcome, notice=None)
    return page.redirect("/password/change?notice=password_changed")


@get("/invitations/accept")
async def accept_form(page: NamedDependency[Page], token: FromQuery[str] = "") -> Response[str]:
    """The page of an invitation's link: set a password (or give one's own) to join."""
    return page.render("identity/invitation_accept.html", errors={}, token=token)


@post("/invitations/accept")
async def accept(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Join the tenant that invited, signed in at once."""
    return await _use_link(page, ACCEPT, "identity/invitation_accept.html", "/")


PAGES = PageSet(
    name="identity",
    templates=Path(__file__).with_name("templates"),
    handlers=[
        sign_in_form,
        sign_in,
        code_form,
        code_sign_in,
        sign_out,
        forgot_form,
        forgot,
        reset_form,
        reset,
        change_form,
        change,
        accept_form,
        accept,
    ],
)
