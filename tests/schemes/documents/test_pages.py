"""Documents on a member's file over HTTP: a photo sent with the file's form
(from a phone's camera) is stored through the same start and complete as a
partner app's upload, locally and in S3; a file of another type or none is
refused at its field; another tenant's member is a 404; the roles that
enrol may file papers."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.settings import Settings
from tenants.identity.http import CSRF_COOKIE
from tenants.permissions import Permission, permissions_of
from tenants.roles import Role, TenantKind, role_fits_tenant
from tests.factories import make_tenant, make_user
from tests.pages import HTML, browser_of, field_error, sign_in
from tests.schemes.documents.conftest import png
from tests.schemes.members.factories import household_with_phone

pytestmark = pytest.mark.usefixtures("migrated")


async def _send(
    browser: httpx.AsyncClient, path: str, content: bytes, name: str, kind: str = "PHOTO"
) -> httpx.Response:
    # Phones often send a photo taken with the camera with no type at all.
    declared = "image/svg+xml" if name.endswith(".svg") else "application/octet-stream"
    return await browser.post(
        f"{path}/documents",
        data={"_csrf": browser.cookies[CSRF_COOKIE], "kind": kind},
        files={"file": (name, content, declared)},
        headers=HTML,
    )


async def _filed(browser: httpx.AsyncClient) -> dict[str, Any]:
    tenant, _, member_id = await household_with_phone()
    await sign_in(browser, await make_user(tenant, Role.MANAGER))
    return {"tenant": tenant, "path": f"/members/{member_id}"}


async def _photo_link(browser: httpx.AsyncClient, path: str) -> str:
    file = await browser.get(path, headers=HTML)
    links: list[str] = re.findall(r'<li>Photo · <a href="([^"]+)">Télécharger</a></li>', file.text)
    assert len(links) == 1, file.text
    return links[0].replace("&amp;", "&")


async def test_a_photo_from_the_camera_is_filed_and_downloads(browser: httpx.AsyncClient) -> None:
    filed = await _filed(browser)
    image = png(4, 3)

    sent = await _send(browser, filed["path"], image, "IMG_20261202_101512.jpg")

    assert (sent.status_code, sent.headers["location"]) == (303, f"{filed['path']}?notice=document#documents")
    shown = await browser.get(sent.headers["location"], headers=HTML)
    assert "La pièce est enregistrée." in shown.text
    download = await browser.get(await _photo_link(browser, filed["path"]))
    assert (download.status_code, download.headers["content-type"], download.content) == (200, "image/png", image)


async def test_a_photo_is_filed_in_s3(s3_settings: Settings) -> None:
    async with browser_of(s3_settings) as browser:
        filed = await _filed(browser)
        image = png(2, 2)

        sent = await _send(browser, filed["path"], image, "photo.png")

        assert sent.status_code == 303
        link = await _photo_link(browser, filed["path"])
        assert link.startswith(s3_settings.storage_endpoint_url or "")
        async with httpx.AsyncClient() as outside:
            assert (await outside.get(link)).content == image


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        (
            b"Nom;Prenoms\nDiop;Fatou\n",
            "liste.csv",
            "Le type « application/octet-stream » n'est pas accepté : image/jpeg, image/png, application/pdf, "
            "image/webp.",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "icone.svg",
            "Le type « image/svg+xml » n'est pas accepté : image/jpeg, image/png, application/pdf, image/webp.",
        ),
        (None, "", "Choisissez un fichier."),
    ],
)
async def test_a_file_that_is_no_photo_or_scan_is_refused_at_its_field(
    browser: httpx.AsyncClient, content: bytes | None, name: str, error: str
) -> None:
    filed = await _filed(browser)

    if content is None:
        refused = await browser.post(
            f"{filed['path']}/documents", data={"_csrf": browser.cookies[CSRF_COOKIE], "kind": "PHOTO"}, headers=HTML
        )
    else:
        refused = await _send(browser, filed["path"], content, name)

    assert refused.status_code == 400
    assert field_error(refused.text, "file") == error
    assert "<li>Photo" not in refused.text


async def test_another_tenants_member_is_a_404(browser: httpx.AsyncClient) -> None:
    _, _, member_id = await household_with_phone()
    await sign_in(browser, await make_user(await make_tenant(), Role.MANAGER))

    sent = await _send(browser, f"/members/{member_id}", png(), "photo.png")

    assert sent.status_code == 404


@pytest.mark.parametrize("role", [role for role in Role if role_fits_tenant(role, TenantKind.MUTUAL)])
async def test_role_matrix(browser: httpx.AsyncClient, role: Role) -> None:
    tenant, _, member_id = await household_with_phone()
    await sign_in(browser, await make_user(tenant, role))
    path = f"/members/{member_id}"

    sent = await _send(browser, path, png(), "photo.png")

    assert sent.status_code == (303 if Permission.ENROLMENT_WRITE in permissions_of(role) else 403)
