"""The declaration pages over HTTP: the form filled in from the employees'
recorded salaries, five presses of its button file one declaration, a
correction only of the employer's declaration in force, another tenant's
manager gets 404, and each role sees what it may."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date
from html import unescape

import asyncpg
import httpx
import pytest
from openpyxl import Workbook

from schemes.members import enrolment
from schemes.members.tables import ContractKind
from schemes.rules.model import MemberCategory
from tenants.identity.http import CSRF_COOKIE
from tenants.permissions import Permission, permissions_of
from tenants.roles import MINISTRY_ROLES, Role
from tests.factories import make_tenant, make_user
from tests.pages import HTML, field_error, field_value, post_form, sign_in
from tests.schemes.contributions.companies import Company, make_company
from tests.schemes.contributions.ledger_check import check_ledger, gid
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")


async def _signed_in(browser: httpx.AsyncClient, company: Company, role: Role = Role.MANAGER) -> None:
    response = await sign_in(browser, await make_user(company.tenant, role))
    assert response.status_code == 303, response.text


def _form_of(html: str) -> dict[str, str]:
    """The hidden and text fields of the page's declaration form, as a browser would send them (no file)."""
    fields = dict(re.findall(r'<input (?:type="hidden" )?name="([^"]+)" value="([^"]*)"', html))
    scheme = re.search(r'<select id="f-scheme" name="scheme"[^>]*>\s*<option value="([^"]+)"', html)
    if scheme:
        fields["scheme"] = scheme.group(1)
    for name in re.findall(r'<input id="f-[^"]+" name="([^"]+)"', html):
        fields[name] = field_value(html, name) or ""
    fields.pop("_csrf", None)
    fields.pop("payroll", None)
    return fields


async def test_five_presses_file_one_declaration(browser: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    company = await make_company()
    await _signed_in(browser, company)
    path = f"/employers/{company.employer_id}/declarations/new"
    form = await browser.get(path, headers=HTML)
    assert form.status_code == 200
    fields = _form_of(form.text)
    assert {key: value for key, value in fields.items() if key.endswith(".salary")} == {
        "lines.0.salary": "250000",
        "lines.1.salary": "180006",
        "lines.2.salary": "600000",
    }
    answers = await asyncio.gather(*(post_form(browser, path, fields) for _ in range(5)))
    assert {(answer.status_code, answer.headers.get("location")) for answer in answers} == {
        (303, f"/employers/{company.employer_id}/declarations?notice=filed")
    }
    assert await owner.fetch(
        "SELECT version, employees, amount FROM employer_declarations WHERE tenant_id = $1", company.tenant.id
    ) == [(1, 3, 102_001)]
    assert (await check_ledger(owner, company.tenant.id))["due"] == 102_001

    listed = await browser.get(f"/employers/{company.employer_id}/declarations", headers=HTML)
    (declaration_id,) = re.findall(r"declarations/new\?replaces=([^\"]+)\"", listed.text)
    correction = await browser.get(f"{path}?replaces={declaration_id}", headers=HTML)
    assert correction.status_code == 200
    corrected = _form_of(correction.text) | {"lines.2.salary": "", "note": "Départ de Mme Sarr"}
    filed = await post_form(browser, path, corrected)
    assert filed.status_code == 303
    stale = await browser.get(f"{path}?replaces={declaration_id}", headers=HTML)
    assert stale.status_code == 404
    assert await owner.fetch(
        "SELECT version, employees, amount, note FROM employer_declarations WHERE tenant_id = $1 ORDER BY version",
        company.tenant.id,
    ) == [(1, 3, 102_001, ""), (2, 2, 64_501, "Départ de Mme Sarr")]


async def test_the_form_lists_the_employees_of_the_schemes_on_salaries(browser: httpx.AsyncClient) -> None:
    company = await make_company()
    flat = await make_scheme(company.ctx)
    job = enrolment.Job(
        employer_id=company.employer.id, contract_kind=ContractKind.PERMANENT, staff_number="SDBTP-0004", salary=100_000
    )
    seasonal = artisan(flat, category=MemberCategory.SALARIED, artisan=None, phone=unique_phone(), jobs=(job,))
    await enrol(company.ctx, seasonal, today=date(2020, 1, 1))
    await _signed_in(browser, company)
    form = await browser.get(f"/employers/{company.employer_id}/declarations/new", headers=HTML)
    fields = _form_of(form.text)
    assert sorted(value for key, value in fields.items() if key.endswith(".staffNumber")) == [
        "SDBTP-0001",
        "SDBTP-0002",
        "SDBTP-0003",
    ]


async def test_a_wrong_period_is_refused_next_to_its_field(
    browser: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    company = await make_company()
    await _signed_in(browser, company)
    path = f"/employers/{company.employer_id}/declarations/new"
    fields = _form_of((await browser.get(path, headers=HTML)).text) | {"period": "2026-13"}
    refused = await post_form(browser, path, fields)
    assert refused.status_code == 400
    assert 'id="f-period-error">« 2026-13 » ne désigne pas une période du régime' in refused.text
    assert field_value(refused.text, "lines.1.salary") == "180006"
    assert (
        await owner.fetchval("SELECT count(*) FROM employer_declarations WHERE tenant_id = $1", company.tenant.id) == 0
    )


async def test_another_tenants_manager_finds_nothing(browser: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    company = await make_company()
    await _signed_in(browser, company)
    path = f"/employers/{company.employer_id}/declarations/new"
    fields = _form_of((await browser.get(path, headers=HTML)).text)
    stranger = browser.another()  # type: ignore[attr-defined]
    other = await make_company(await make_tenant())
    await _signed_in(stranger, other)
    assert (await stranger.get(f"/employers/{company.employer_id}/declarations", headers=HTML)).status_code == 404
    assert (await stranger.get(path, headers=HTML)).status_code == 404
    assert (await post_form(stranger, path, fields)).status_code == 404
    assert (await stranger.get(f"{path[:-4]}/new?replaces=not-an-id", headers=HTML)).status_code == 404
    foreign = gid("EmployerDeclaration", company.employer.id)
    own = f"/employers/{other.employer_id}/declarations/new?replaces={foreign}"
    assert (await stranger.get(own, headers=HTML)).status_code == 404
    assert (
        await owner.fetchval(
            "SELECT count(*) FROM employer_declarations WHERE tenant_id = ANY ($1::uuid[])",
            [company.tenant.id, other.tenant.id],
        )
        == 0
    )


@pytest.mark.parametrize("role", [role for role in Role if role not in MINISTRY_ROLES])
async def test_role_matrix(browser: httpx.AsyncClient, role: Role) -> None:
    company = await make_company()
    granted = permissions_of(role)
    await _signed_in(browser, company, role)
    listed = await browser.get(f"/employers/{company.employer_id}/declarations", headers=HTML)
    assert listed.status_code == (200 if Permission.CONTRIBUTIONS_READ in granted else 403)
    writes = Permission.CONTRIBUTIONS_WRITE in granted
    form = await browser.get(f"/employers/{company.employer_id}/declarations/new", headers=HTML)
    assert form.status_code == (200 if writes else 403)
    if listed.status_code == 200:
        assert ("/declarations/new" in listed.text) is writes


async def _send_payroll(
    browser: httpx.AsyncClient, company: Company, name: str, content: bytes
) -> tuple[str, httpx.Response]:
    path = f"/employers/{company.employer_id}/declarations"
    fields = _form_of((await browser.get(f"{path}/new", headers=HTML)).text)
    response = await browser.post(
        f"{path}/payroll",
        data={"_csrf": browser.cookies[CSRF_COOKIE], **fields},
        files={"payroll": (name, content, "application/octet-stream")},
        headers=HTML,
    )
    return f"{path}/new", response


async def test_a_payroll_file_fills_the_form_in(browser: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    company = await make_company()
    await _signed_in(browser, company)
    payroll = "Matricule;Nom;Salaire brut\r\nSDBTP-0001;Ndiaye;180 006\r\nsdbtp-0002;Fall;250000\r\nSDBTP-0099;Diallo;90000\r\n"
    path, filled = await _send_payroll(browser, company, "paie-novembre.csv", payroll.encode("cp1252"))
    assert filled.status_code == 200
    assert "3 lignes lues du fichier : vérifiez-les, puis déposez la déclaration." in filled.text
    fields = _form_of(filled.text)
    assert [(fields[f"lines.{i}.staffNumber"], fields[f"lines.{i}.salary"]) for i in range(3)] == [
        ("SDBTP-0001", "180 006"),
        ("sdbtp-0002", "250000"),
        ("SDBTP-0099", "90000"),
    ]
    assert [fields[f"lines.{i}.name"] for i in range(3)] == ["Ndiaye Awa", "Fall Ibrahima", ""]
    assert "Salarié inconnu" in filled.text

    refused = await post_form(browser, path, fields)
    assert refused.status_code == 400
    assert (
        'id="f-lines.2-error">Aucun membre du régime employé par cet employeur pendant la période ne porte le '
        "numéro « SDBTP-0099 ».</p>" in unescape(refused.text)
    )
    filed = await post_form(browser, path, fields | {"lines.2.salary": ""})
    assert filed.status_code == 303
    assert await owner.fetch(
        "SELECT employees, salaries, amount FROM employer_declarations WHERE tenant_id = $1", company.tenant.id
    ) == [(2, 430_006, 64_501)]


async def test_a_workbook_names_employees_by_member_number(browser: httpx.AsyncClient) -> None:
    company = await make_company()
    await _signed_in(browser, company)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Numéro d'adhérent", "Salaire brut"])
    sheet.append([company.staff[2].number, 300_000])
    content = io.BytesIO()
    workbook.save(content)
    _, filled = await _send_payroll(browser, company, "PAIE.XLSX", content.getvalue())
    fields = _form_of(filled.text)
    assert (fields["lines.0.name"], fields["lines.0.memberNumber"], fields["lines.0.salary"]) == (
        "Sarr Khady",
        company.staff[2].number,
        "300000",
    )


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("paie.pdf", b"%PDF-1.4", "Seuls les fichiers CSV (.csv) et Excel (.xlsx) sont acceptés (.csv, .xlsx)."),
        ("paie.csv", b"Matricule;Nom\r\nSDBTP-0001;Ndiaye\r\n", "Colonnes obligatoires absentes : Salaire brut."),
        ("paie.csv", b"", "Le fichier est vide : la première ligne doit porter les noms des colonnes."),
        (
            "paie.xlsx",
            b"PK\x03\x04 not a workbook",
            "Le fichier est illisible : enregistrez-le en CSV (UTF-8) ou en Excel (.xlsx) et réessayez.",
        ),
    ],
)
async def test_a_payroll_file_that_cannot_be_read_is_told(
    browser: httpx.AsyncClient, name: str, content: bytes, error: str
) -> None:
    company = await make_company()
    await _signed_in(browser, company)
    _, refused = await _send_payroll(browser, company, name, content)
    assert refused.status_code == 400
    assert field_error(refused.text, "payroll") == error
    assert field_value(refused.text, "lines.1.salary") == "180006"
