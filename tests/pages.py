"""Using the pages over HTTP in tests, as a browser without JavaScript would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape

import httpx

from app.main import create_app
from app.settings import Settings
from tenants.identity.http import CSRF_COOKIE
from tenants.identity.tables import User
from tests.factories import PASSWORD
from tests.graphql_client import serve

HTML = {"Accept": "text/html"}


@asynccontextmanager
async def browser_of(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app keeping its cookies, on an https origin (the session's cookies are Secure)."""
    async with serve(create_app(settings), base_url="https://socle.test") as client:
        yield client


def field_error(html: str, name: str) -> str | None:
    """The error shown next to the field ``name``, if any."""
    found = re.search(rf'<p class="error" id="f-{re.escape(name)}-error">([^<]*)</p>', html)
    return unescape(found.group(1)) if found else None


def field_value(html: str, name: str) -> str | None:
    """The value a text field ``name`` shows, if any."""
    found = re.search(rf'<input id="f-{re.escape(name)}" name="{re.escape(name)}" type="[a-z]+" value="([^"]*)"', html)
    return found.group(1) if found else None


async def csrf_of(browser: httpx.AsyncClient, path: str = "/sign-in") -> str:
    """The CSRF token the browser has after visiting ``path``, which its forms carry."""
    response = await browser.get(path, headers=HTML)
    assert response.status_code == 200, response.text
    token = browser.cookies.get(CSRF_COOKIE)
    assert token
    assert f'name="_csrf" value="{token}"' in response.text
    return token


async def sign_in(
    browser: httpx.AsyncClient, user: User, password: str = PASSWORD, next_path: str = "/"
) -> httpx.Response:
    """Sign in with the sign-in page's form."""
    csrf = await csrf_of(browser)
    form = {"_csrf": csrf, "identifier": user.email or user.phone or "", "password": password, "next": next_path}
    return await browser.post("/sign-in", data=form, headers=HTML)


async def post_form(browser: httpx.AsyncClient, path: str, form: dict[str, str]) -> httpx.Response:
    """Send a form of a signed-in browser, with its CSRF token."""
    return await browser.post(path, data={"_csrf": browser.cookies[CSRF_COOKIE], **form}, headers=HTML)
