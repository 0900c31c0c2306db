"""Bulk enrolment from a file, as a manager does it: start, upload, submit,
watch the job, read the problems; again with the same file, an overlapping
one, an XLSX workbook, a broken file; other tenants and roles refused."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import Workbook, load_workbook

from schemes.imports.files import csv_bytes
from schemes.rules import service as scheme_service
from schemes.rules.model import Branch, MemberCategory
from schemes.rules.tables import SchemeStatus
from tenants.roles import Role, TenantStatus
from tenants.tx import tenant_tx
from tests.factories import change_out_of_band, context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done
from tests.partner_tokens import partner_token
from tests.schemes.imports.example import (
    CSV,
    HEADER,
    JOB,
    START,
    SUBMIT,
    artisan_row,
    example_rows,
    import_file,
    importing_tenant,
    members_of,
    start_import,
    upload,
)
from tests.schemes.rules.documents import CMU

pytestmark = pytest.mark.usefixtures("migrated")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _counts(job: dict[str, Any]) -> tuple[str, int, int, int, int]:
    return job["status"], job["rowsRead"], job["rowsImported"], job["rowsExisting"], job["rowsFailed"]


def _problems(job: dict[str, Any]) -> list[tuple[int, str | None, str]]:
    return [(p["line"], p["column"], p["code"]) for p in (e["node"] for e in job["problems"]["edges"])]


async def test_a_file_with_good_and_bad_rows_imports_the_good_and_reports_the_bad(client: httpx.AsyncClient) -> None:
    tenant, ctx, scheme = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)

    job = await import_file(client, token, csv_bytes(HEADER, example_rows(scheme.code)))

    assert _counts(job) == ("DONE", 9, 4, 0, 5)
    assert job["failure"] is None
    assert _problems(job) == [
        (6, "Date de naissance", "imports.UNREADABLE_DATE"),
        (7, None, "imports.HOUSEHOLD_NOT_IMPORTED"),
        (8, "Foyer", "imports.NO_MEMBER_IN_HOUSEHOLD"),
        (9, "Métier", "members.FIELD_REQUIRED"),
        (10, "Téléphone", "members.INVALID_PHONE"),
    ]
    messages = [e["node"]["message"] for e in job["problems"]["edges"]]
    assert messages[0] == "Date illisible : « 31/02/1980 » (attendu JJ/MM/AAAA)."
    assert messages[2] == "Le foyer « F4 » n'a pas d'adhérent sur la ligne qui précède ses ayants droit."
    assert messages[3] == "Le champ « Métier » est obligatoire pour la catégorie « artisan »."
    assert job["problems"]["totalCount"] == 5
    assert await members_of(ctx) == [("Ndiaye", "Mamadou", 2), ("Diallo", "Khadija", 0)]

    report = await client.get(job["problemsReportPath"], headers={"Authorization": f"Bearer {token}"})
    assert report.status_code == 200
    assert report.headers["content-type"] == "text/csv; charset=utf-8"
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Ligne;Colonne;Erreur"
    assert lines[1] == "6;Date de naissance;Date illisible : « 31/02/1980 » (attendu JJ/MM/AAAA)."
    assert len(lines) == 6
    english = await client.get(
        job["problemsReportPath"], headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    )
    assert english.content.decode("utf-8-sig").splitlines()[1] == (
        "6;Date de naissance;Unreadable date: “31/02/1980” (expected DD/MM/YYYY)."
    )


async def test_the_same_file_again_and_an_overlapping_one_create_no_duplicate(client: httpx.AsyncClient) -> None:
    tenant, ctx, scheme = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    rows = example_rows(scheme.code)
    await import_file(client, token, csv_bytes(HEADER, rows))

    again = await import_file(client, token, csv_bytes(HEADER, rows))
    # Spelled differently, the same person in an overlapping file.
    overlapping = [
        artisan_row("A", "NDIAYE", "Mamadou", "M", "14/02/1979", scheme.code),
        artisan_row("B", "Mbaye", "Daouda", "M", "1970", scheme.code),
    ]
    overlap = await import_file(client, token, csv_bytes(HEADER, overlapping))

    assert _counts(again) == ("DONE", 9, 0, 4, 5)
    assert _counts(overlap) == ("DONE", 2, 1, 1, 0)
    assert await members_of(ctx) == [("Ndiaye", "Mamadou", 2), ("Diallo", "Khadija", 0), ("Mbaye", "Daouda", 0)]


async def test_an_xlsx_workbook(client: httpx.AsyncClient) -> None:
    tenant, ctx, scheme = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in example_rows(scheme.code)[:4]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = await import_file(client, token, buffer.getvalue(), "adherents.xlsx", XLSX)

    assert _counts(job) == ("DONE", 4, 4, 0, 0)
    assert await members_of(ctx) == [("Ndiaye", "Mamadou", 2), ("Diallo", "Khadija", 0)]


async def test_a_file_without_its_required_columns_fails_as_a_whole(client: httpx.AsyncClient) -> None:
    tenant, ctx, _ = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)

    job = await import_file(client, token, csv_bytes(["Foyer", "Nom"], [["F1", "Ndiaye"]]))

    assert _counts(job) == ("FAILED", 0, 0, 0, 0)
    assert job["failure"] == {
        "code": "imports.FILE_MISSING_COLUMNS",
        "message": "Colonnes obligatoires absentes : Prénoms, Sexe, Date de naissance.",
    }
    assert await members_of(ctx) == []


@pytest.mark.parametrize(
    ("name", "kind", "size", "expected"),
    [
        ("adherents.pdf", "application/pdf", 100, ("UNSUPPORTED_FILE_TYPE", ["input", "contentType"])),
        ("adherents.xlsx", CSV, 100, ("UNSUPPORTED_FILE_TYPE", ["input", "fileName"])),
        ("a/b.csv", CSV, 100, ("INVALID_FILE_NAME", ["input", "fileName"])),
        ("adherents.csv", CSV, 60_000_000, ("INVALID_FILE_SIZE", ["input", "size"])),
        ("adherents.csv", CSV, 0, ("INVALID_FILE_SIZE", ["input", "size"])),
    ],
)
async def test_a_file_refused_before_it_is_sent(
    client: httpx.AsyncClient, name: str, kind: str, size: int, expected: tuple[str, list[str]]
) -> None:
    tenant, _, _ = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)

    result = await start_import(client, token, size, name, kind)

    assert (result["code"], result["path"]) == expected


async def test_a_file_not_sent_or_not_as_declared_is_not_submitted(client: httpx.AsyncClient) -> None:
    tenant, _, scheme = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    content = csv_bytes(HEADER, example_rows(scheme.code))
    form = await start_import(client, token, len(content))

    early = await graphql(client, SUBMIT, token=token, id=form["job"]["id"])
    short = await upload(client, form, content[:-1], CSV)
    binary = await upload(client, form, b"\x00" * len(content), CSV)

    assert early["data"]["memberImportSubmit"]["code"] == "FILE_NOT_UPLOADED"
    assert short.status_code == 400
    assert binary.status_code == 400


async def test_a_tenant_not_approved_cannot_import(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant, _, _ = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    await change_out_of_band(owner, "UPDATE tenants SET status = $2 WHERE id = $1", tenant.id, TenantStatus.SUSPENDED)

    result = await start_import(client, token, 100)

    assert result["code"] == "TENANT_NOT_APPROVED"


async def test_submitted_ten_times_at_once_the_file_is_imported_once(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant, ctx, scheme = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    content = csv_bytes(HEADER, example_rows(scheme.code))
    form = await start_import(client, token, len(content))
    await upload(client, form, content, CSV)

    answers = await asyncio.gather(*(graphql(client, SUBMIT, token=token, id=form["job"]["id"]) for _ in range(10)))
    await jobs_done()

    assert {a["data"]["memberImportSubmit"]["__typename"] for a in answers} == {"Job"}
    submits = await owner.fetchval(
        "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'import.submit'", tenant.id
    )
    assert submits == 1
    job = (await graphql(client, JOB, token=token, id=form["job"]["id"]))["data"]["job"]
    assert _counts(job) == ("DONE", 9, 4, 0, 5)
    assert len(await members_of(ctx)) == 2


async def test_another_tenants_import_is_not_found(client: httpx.AsyncClient) -> None:
    tenant, _, scheme = await importing_tenant()
    other, _, _ = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    intruder = await token_for(client, other, Role.MANAGER)
    job = await import_file(client, token, csv_bytes(HEADER, example_rows(scheme.code)))

    seen = await graphql(client, JOB, token=intruder, id=job["id"])
    submitted = await graphql(client, SUBMIT, token=intruder, id=job["id"])
    report = await client.get(job["problemsReportPath"], headers={"Authorization": f"Bearer {intruder}"})
    node = await graphql(client, "query ($id: ID!) { node(id: $id) { id } }", token=intruder, id=job["id"])

    assert seen["data"]["job"] is None
    assert submitted["data"]["memberImportSubmit"]["code"] == "IMPORT_NOT_FOUND"
    anonymous = await client.get(job["problemsReportPath"])
    agent = await token_for(client, tenant, Role.AGENT)
    refused = await client.get(job["problemsReportPath"], headers={"Authorization": f"Bearer {agent}"})

    assert report.status_code == 404
    assert node["data"]["node"] is None
    assert (anonymous.status_code, anonymous.json()["error"]) == (
        401,
        "Connectez-vous pour accéder à cette information.",
    )
    assert (refused.status_code, refused.json()["error"]) == (
        403,
        "Votre rôle ne permet pas cette opération (droit requis : members:write).",
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.MANAGER, True),
        (Role.TENANT_ADMIN, False),
        (Role.AGENT, False),
        (Role.CLAIMS_OFFICER, False),
        (Role.AUDITOR, False),
        (Role.MEMBER, False),
    ],
)
async def test_role_matrix(client: httpx.AsyncClient, role: Role, allowed: bool) -> None:
    tenant, _, _ = await importing_tenant()
    token = await token_for(client, tenant, role)

    body = await graphql(client, START, token=token, input={"fileName": "a.csv", "contentType": CSV, "size": 10})
    listed = await graphql(client, "{ imports(first: 5) { totalCount } }", token=token)

    if allowed:
        assert body["data"]["memberImportStart"]["__typename"] == "MemberImportUpload"
        assert listed["data"]["imports"] == {"totalCount": 1}
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(("scopes", "allowed"), [(["members:write"], True), (["enrolment:write"], False)])
async def test_partner_application_scopes(client: httpx.AsyncClient, scopes: list[str], allowed: bool) -> None:
    tenant, _, _ = await importing_tenant()
    token = await partner_token(client, tenant, scopes)

    body = await graphql(client, START, token=token, input={"fileName": "a.csv", "contentType": CSV, "size": 10})

    assert ("errors" not in body) is allowed


async def test_the_template_has_the_columns_and_examples(client: httpx.AsyncClient) -> None:
    as_csv = await client.get("/imports/members/template.csv")
    as_xlsx = await client.get("/imports/members/template.xlsx")
    unknown = await client.get("/imports/members/template.ods")

    header = as_csv.content.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[:8] == ["Foyer", "Lien", "Régime", "Catégorie", "Nom", "Prénoms", "Sexe", "Date de naissance"]
    assert len(as_csv.content.decode("utf-8-sig").splitlines()) == 5
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).worksheets[0]
    assert list(next(sheet.iter_rows(values_only=True))) == header
    assert unknown.status_code == 404


async def test_the_example_file_in_docs_imports_as_documented(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    async with tenant_tx(ctx) as tx:
        scheme = await scheme_service.create_scheme(
            tx,
            ctx,
            scheme_service.NewScheme(
                code="ARTISANS",
                name="Régime des artisans",
                branch=Branch.HEALTH,
                categories=(MemberCategory.ARTISAN,),
                status=SchemeStatus.ACTIVE,
            ),
        )
    async with tenant_tx(ctx) as tx:
        await scheme_service.create_version(
            tx, ctx, scheme_service.NewRuleVersion(scheme_id=scheme.id, effective_from=date(2020, 1, 1), document=CMU)
        )
    token = await token_for(client, tenant, Role.MANAGER)
    content = await asyncio.to_thread((Path(__file__).parents[3] / "docs" / "exemple-import-artisans.csv").read_bytes)

    job = await import_file(client, token, content, "exemple-import-artisans.csv")

    assert _counts(job) == ("DONE", 13, 9, 0, 4)
    assert _problems(job) == [
        (11, "Date de naissance", "imports.UNREADABLE_DATE"),
        (12, None, "imports.HOUSEHOLD_NOT_IMPORTED"),
        (13, "Téléphone", "members.INVALID_PHONE"),
        (14, "N° registre des métiers", "members.FIELD_REQUIRED"),
    ]
    assert await members_of(ctx) == [("Diouf", "Abdoulaye", 4), ("Mbengue", "Khady", 1), ("Cissé", "Babacar", 1)]


async def test_departments_are_read_by_name_and_a_wrong_one_is_reported(client: httpx.AsyncClient) -> None:
    tenant, ctx, scheme = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    rows = [
        [*artisan_row("F1", "Ndiaye", "Mamadou", "M", "14/02/1979", scheme.code, region="Thiès"), "mbour"],
        [*artisan_row("F2", "Faye", "Awa", "F", "1990", scheme.code, region="Thiès"), "Pikine"],
    ]

    job = await import_file(client, token, csv_bytes([*HEADER, "Département"], rows))

    assert _counts(job) == ("DONE", 2, 1, 0, 1)
    assert _problems(job) == [(3, "Département", "schemes.UNKNOWN_DEPARTMENT")]
    assert [e["node"]["message"] for e in job["problems"]["edges"]] == [
        "« Pikine » n'est pas un département de la région SN-TH."
    ]
    async with tenant_tx(ctx) as tx:
        stored = await tx.fetch(
            "SELECT last_name, address_region, address_department FROM members WHERE tenant_id = $1", ctx.tenant_id
        )
    assert [tuple(row) for row in stored] == [("Ndiaye", "SN-TH", "SN-TH-01")]
