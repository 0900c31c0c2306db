"""What the import tests share: an import made as a client makes it (start,
upload, submit, the job once run), and the example file, four people in two
households that import and five rows that do not, each for a reason the
tests name."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from schemes.employers import service as employer_service
from schemes.members.tables import Member
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.scoping import within
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.graphql_client import graphql
from tests.jobs import jobs_done
from tests.schemes.members.factories import make_scheme

CSV = "text/csv"

START = """
mutation ($input: MemberImportStartInput!) {
  memberImportStart(input: $input) {
    __typename
    ... on MemberImportUpload { job { id status fileName } url method fields { name value } }
    ... on MemberImportStartError { code path message }
  }
}
"""

SUBMIT = """
mutation ($id: ID!) {
  memberImportSubmit(input: {id: $id}) {
    __typename
    ... on Job { id status }
    ... on MemberImportSubmitError { code path message }
  }
}
"""

JOB = """
query ($id: ID!) {
  job(id: $id) {
    status rowsRead rowsImported rowsExisting rowsFailed problemsReportPath
    failure { code message }
    problems(first: 100) { totalCount edges { node { line column code message } } }
  }
}
"""


async def start_import(
    client: httpx.AsyncClient, token: str, size: int, name: str = "adherents.csv", kind: str = CSV
) -> dict[str, Any]:
    """Start an import as a client does: the upload form the API answers."""
    body = await graphql(client, START, token=token, input={"fileName": name, "contentType": kind, "size": size})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["memberImportStart"]
    return result


async def upload(client: httpx.AsyncClient, form: dict[str, Any], content: bytes, kind: str) -> httpx.Response:
    """Send the file with the upload form, as a client does."""
    fields = {field["name"]: field["value"] for field in form["fields"]}
    return await client.post(urlsplit(form["url"]).path, data=fields, files={"file": ("f", content, kind)})


async def import_file(
    client: httpx.AsyncClient, token: str, content: bytes, name: str = "adherents.csv", kind: str = CSV
) -> dict[str, Any]:
    """Import a file as a client does; the job once it has run."""
    form = await start_import(client, token, len(content), name, kind)
    assert form["__typename"] == "MemberImportUpload", form
    assert (await upload(client, form, content, kind)).status_code == 204
    submitted = await graphql(client, SUBMIT, token=token, id=form["job"]["id"])
    assert submitted["data"]["memberImportSubmit"] == {"__typename": "Job", "id": form["job"]["id"], "status": "QUEUED"}
    await jobs_done()
    job: dict[str, Any] = (await graphql(client, JOB, token=token, id=form["job"]["id"]))["data"]["job"]
    job["id"] = form["job"]["id"]
    return job


HEADER = [
    "Foyer", "Lien", "Régime", "Catégorie", "Nom", "Prénoms", "Sexe", "Date de naissance", "Téléphone",
    "Type de pièce", "Numéro de pièce", "Région", "Métier", "N° registre des métiers", "Chambre des métiers",
    "Employeur", "Matricule", "Salaire mensuel", "Type de contrat", "Scolarisé",
]  # fmt: skip


def row(**cells: str) -> list[str]:
    """A row of the template's columns, by short names; the others blank."""
    keys = {
        "Foyer": "household", "Lien": "relationship", "Régime": "scheme", "Catégorie": "category", "Nom": "last",
        "Prénoms": "first", "Sexe": "sex", "Date de naissance": "birth", "Téléphone": "phone",
        "Type de pièce": "kind", "Numéro de pièce": "number", "Région": "region", "Métier": "trade",
        "N° registre des métiers": "register", "Chambre des métiers": "chamber", "Employeur": "employer",
        "Matricule": "staff", "Salaire mensuel": "salary", "Type de contrat": "contract", "Scolarisé": "studying",
    }  # fmt: skip
    return [cells.get(keys[header], "") for header in HEADER]


def artisan_row(household: str, last: str, first: str, sex: str, birth: str, scheme: str, **more: str) -> list[str]:
    """An artisan's row, with their trade, register number and chamber."""
    return row(
        household=household, scheme=scheme, category="artisan", last=last, first=first, sex=sex, birth=birth,
        trade="Couturier", register="DK-2020-0112", chamber="Chambre des métiers de Dakar", **more,
    )  # fmt: skip


def example_rows(scheme: str) -> list[list[str]]:
    """Four people in two households that import, five rows that do not."""
    return [
        artisan_row("F1", "Ndiaye", "Mamadou", "M", "14/02/1979", scheme, phone="77 412 33 08", kind="CNI",
                 number="1 751 1979 01234", region="Thiès"),
        row(household="F1", relationship="épouse", last="Sarr", first="Awa", sex="F", birth="1985"),
        row(household="F1", relationship="enfant", last="Ndiaye", first="Fatou", sex="F", birth="03/09/2012",
             studying="oui"),
        row(household="F2", scheme=scheme, category="salarié", last="Diallo", first="Khadija", sex="F",
             birth="22/07/1990", employer="3067221", staff="MAT-0192", salary="185 000", contract="CDI"),
        artisan_row("F3", "Fall", "Ibrahima", "M", "31/02/1980", scheme),
        row(household="F3", relationship="enfant", last="Fall", first="Moussa", sex="M", birth="2010"),
        row(household="F4", relationship="conjoint", last="Sow", first="Cheikh", sex="M", birth="1975"),
        row(household="F5", scheme=scheme, category="artisan", last="Ba", first="Aminata", sex="F", birth="1992",
             register="DK-2021-0042", chamber="Chambre des métiers de Dakar"),
        artisan_row("F6", "Gueye", "Ousmane", "M", "05/05/1988", scheme, phone="12"),
    ]  # fmt: skip


async def importing_tenant() -> tuple[Tenant, TenantContext, Scheme]:
    """A mutual with a scheme and an employer (NINEA 3067221), ready to import the example rows."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Sococim Industries", registration_number="3067221")
        )
    return tenant, ctx, scheme


async def members_of(ctx: TenantContext) -> list[tuple[str, str, int]]:
    """The tenant's members in enrolment order: last name, first names, beneficiaries."""
    async with tenant_tx(ctx) as tx:
        members = await within(ctx, Member).objects().order_by(Member.sequence)
        counts = {
            row["member_id"]: row["count"]
            for row in await tx.fetch(
                "SELECT member_id, count(*) FROM beneficiaries WHERE tenant_id = $1 GROUP BY member_id", ctx.tenant_id
            )
        }
    return [(m.last_name, m.first_names, counts.get(m.id, 0)) for m in members]
