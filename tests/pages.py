"""Using the pages over HTTP in tests, as a browser without JavaScript would."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.main import create_app
from app.settings import Settings
from tenants.identity.http import CSRF_COOKIE
from tenants.identity.tables import User
from tests.factories import PASSWORD
from tests.jobs import jobs_done
from tests.messages import last_code

HTML = {"Accept": "text/html"}


ORIGIN = "https://socle.test"
"""An https origin: the session's cookies are Secure."""


class Browser(httpx.AsyncClient):
    """A browser of one served app: a client keeping its own cookies."""

    def __init__(self, transport: httpx.ASGITransport) -> None:
        super().__init__(transport=transport, base_url=ORIGIN)
        self.transport = transport

    def another(self) -> Browser:
        """Another browser (other cookies, another person) of the same app."""
        return Browser(self.transport)


@asynccontextmanager
async def browser_of(settings: Settings) -> AsyncIterator[Browser]:
    """A browser of the app, its lifespan running. A second person uses
    :meth:`Browser.another`: two apps at once would run two job workers."""
    app = create_app(settings)
    async with LifespanManager(app), Browser(httpx.ASGITransport(app=app)) as browser:
        yield browser


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


def texts_of(html: str, tag: str) -> list[str]:
    """The text of every ``tag`` element of the page, its inner tags and spacing flattened."""
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split())
        for part in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)
    ]


async def sign_in_with_code(browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, phone: str) -> httpx.Response:
    """Ask for a code on the code's sign-in page, then send it; the last answer."""
    caplog.set_level(logging.INFO)
    await browser.get("/sign-in/code", headers=HTML)
    asked = await post_form(browser, "/sign-in/code", {"step": "request", "phone": phone, "next": "/"})
    assert asked.status_code == 200, asked.text
    await jobs_done()
    return await post_form(
        browser, "/sign-in/code", {"step": "verify", "phone": phone, "code": last_code(caplog, phone), "next": "/"}
    )
