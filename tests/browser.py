"""Headless Chromium for the tests: Debian's build, driven by Playwright, cut
off from every origin but the app's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, Route, async_playwright

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


def only_from(origin: str, elsewhere: list[str]):  # type: ignore[no-untyped-def]
    """A route handler letting requests to ``origin`` through and recording (and aborting) the others."""

    async def route(route: Route) -> None:
        if route.request.url.startswith(f"{origin}/"):
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    return route


async def sign_in_on(page: Page, email: str, password: str) -> None:
    """Fill and send the sign-in form ``page`` shows, as a person would."""
    await page.get_by_label("Adresse e-mail ou numéro de téléphone").fill(email)
    await page.get_by_label("Mot de passe", exact=True).fill(password)
    await page.get_by_role("button", name="Se connecter").click()
