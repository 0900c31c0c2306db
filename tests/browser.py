"""Headless Chromium for the tests: Debian's build, driven by Playwright, cut
off from every origin but the app's."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, Request, Route, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium, closed afterwards."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def only_from(origin: str, elsewhere: list[str], also: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A route handler letting requests to ``origin`` (and the origins ``also``
    names) through and recording (and aborting) the others."""

    async def route(route: Route) -> None:
        if any(route.request.url.startswith(f"{allowed}/") for allowed in (origin, *also)):
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    return route


def report_errors(page: Page, errors: list[str]) -> None:
    """Collect in ``errors`` what the page's scripts throw and the errors its console logs."""
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if is_error(message.type, message.text) else None)


async def signed_in_desk(
    browser: Browser, origin: str, path: str, email: str, password: str, elsewhere: list[str], errors: list[str]
) -> tuple[BrowserContext, Page]:
    """A desktop browser in French, cut off from every origin but ``origin``,
    its errors collected, signed in by the form ``path`` sends it to, and
    back on ``path``."""
    desk = await browser.new_context(viewport=DESKTOP, locale="fr-FR")
    await desk.route("**/*", only_from(origin, elsewhere))
    page = await desk.new_page()
    report_errors(page, errors)
    await page.goto(f"{origin}{path}")
    await sign_in_on(page, email, password)
    await page.wait_for_url(f"{origin}{path}")
    return desk, page


async def sign_in_on(page: Page, email: str, password: str) -> None:
    """Fill and send the sign-in form ``page`` shows, as a person would."""
    await page.get_by_label("Adresse e-mail ou numéro de téléphone").fill(email)
    await page.get_by_label("Mot de passe", exact=True).fill(password)
    await page.get_by_role("button", name="Se connecter").click()


FIRST_LOAD_BUDGET = 100_000
"""Bytes a page may transfer when nothing is cached yet."""
LATER_BUDGET = 30_000
"""Bytes a page may transfer once the stylesheet and the script are cached."""
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = os.environ.get("SOCLE_SCREENSHOTS")
"""Where to write the screenshots shown in the README (``make screenshots``); not written otherwise."""


class Weights:
    """Bytes transferred per page load: every response's headers and body as Chromium received them."""

    def __init__(self) -> None:
        self.pending: list[Request] = []

    def watch(self, context: BrowserContext) -> None:
        context.on("requestfinished", lambda request: self.pending.append(request))

    async def take(self) -> int:
        """The bytes of the requests finished since the last call."""
        finished, self.pending = self.pending, []
        total = 0
        for request in finished:
            sizes = await request.sizes()
            total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        return total


def is_error(kind: str, text: str) -> bool:
    """Whether a console message is an error of the page, not Chromium's log of an expected 400."""
    # Chromium logs every 4xx document: the refused form's 400 is expected here.
    return kind == "error" and not text.endswith("status of 400 (Bad Request)")


async def shot(page: Page, name: str) -> None:
    """Screenshots of ``page`` at a phone's width and a desktop's, when ``SOCLE_SCREENSHOTS`` names a folder."""
    if SCREENSHOTS is None:
        return
    folder = Path(SCREENSHOTS)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await page.set_viewport_size(size)
        # Laid out and painted again at the new width before the shot.
        await page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        await page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)
    await page.set_viewport_size(PHONE)
