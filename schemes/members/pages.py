"""The manager's desk: find a member, see their file and household, enrol a
member with their beneficiaries, change a member's status."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from schemes.documents import service as document_service
from schemes.documents.service import CONTENT_TYPES, real_type
from schemes.documents.storage import DOCUMENT_STORE
from schemes.gateways.pages import page_providers
from tenants.graphql import decode_text_id
from tenants.ids import new_id
from tenants.permissions import Permission
from tenants.tx import tenant_tx
from tenants.web import MenuItem, Page, PageSet, flat, nested, not_found

PAGE_SIZE = 20

SEARCH = """
query MemberSearch($first: Int!, $after: String, $filter: MemberFilter) {
  members(first: $first, after: $after, filter: $filter) {
    edges { node {
      id number status category firstNames lastName sex birthDate birthDateApproximate phone
      scheme { name }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
MEMBER = """
query MemberFile($id: ID!, $country: String!) {
  administrativeDivisions(country: $country) { code name }
  member(id: $id) {
    ... on Member {
      id number status statusSince category enrolledOn firstNames lastName sex birthDate birthDateApproximate
      nationality phone
      address { country region department departmentName locality }
      artisan { trade tradesRegisterNumber chamberOfTrades }
      scheme { name code }
      documents { kind number issuingCountry expiresOn }
      files { id kind status url }
      onlineAccess
      household {
        id relationship firstNames lastName sex birthDate birthDateApproximate studying addedOn
        eligibility { eligible reason endsOn }
      }
      statusHistory { fromStatus toStatus effectiveOn reason suspensionReason note changedBy changedAt }
    }
  }
}
"""
ENROLMENT_CHOICES = """
query EnrolmentChoices($country: String!) {
  schemes(first: 100) { edges { node { id name status } } }
  administrativeDivisions(country: $country) { code name }
}
"""
ENROL = """
mutation MemberEnrol($input: MemberEnrolInput!) {
  memberEnrol(input: $input) {
    ... on MemberEnrolment { member { id } }
    ... on MemberEnrolError { code path message others { path message } }
  }
}
"""
STATUS_CHANGE = """
mutation MemberStatusChange($input: MemberStatusChangeInput!) {
  memberStatusChange(input: $input) {
    ... on Member { id }
    ... on MemberStatusChangeError { code path message }
  }
}
"""

ACCESS_OPEN = """
mutation MemberAccessOpen($input: MemberAccessInput!) {
  memberAccessOpen(input: $input) { ... on MemberAccessOpenError { code path message } }
}
"""
ACCESS_CLOSE = """
mutation MemberAccessClose($input: MemberAccessInput!) {
  memberAccessClose(input: $input) { ... on MemberAccessCloseError { code path message } }
}
"""
MY_COVERAGE = """
query MyCoverage {
  myMember {
    number status statusSince firstNames lastName enrolledOn
    scheme { name }
    household {
      relationship firstNames lastName sex birthDate birthDateApproximate studying
      eligibility { eligible reason endsOn }
    }
  }
  myStatement { due paid outstanding credit currency rights rightsChangeOn }
  myOnlinePaymentProviders
  myPayments(first: 12) {
    edges { node { receiptNumber amount currency channel receivedAt isReversal receiptUrl } }
  }
}
"""

DOCUMENT_START = """
mutation DocumentUploadStart($input: DocumentUploadStartInput!) {
  documentUploadStart(input: $input) {
    ... on DocumentUpload { document { id } }
    ... on DocumentUploadStartError { code path message }
  }
}
"""
DOCUMENT_COMPLETE = """
mutation DocumentUploadComplete($input: DocumentUploadCompleteInput!) {
  documentUploadComplete(input: $input) { ... on DocumentUploadCompleteError { code path message } }
}
"""
FILED_KINDS = ("PHOTO", "IDENTITY_DOCUMENT", "PROOF_OF_TRADE", "CERTIFICATE")
"""The papers a member's file keeps, the photo first: what a phone's camera takes at the counter."""
FILE_FIELD = "file"

STATUS_FIELDS = ("status", "effectiveOn", "reason", "note")
STATUSES = ("PENDING", "ACTIVE", "SUSPENDED", "TERMINATED")
TERMINATION_REASONS = ("DEATH", "RESIGNATION", "TRANSFER", "FRAUD", "DUPLICATE")
CATEGORIES = ("ARTISAN", "PRECARIOUS_WORKER", "MIGRANT", "SALARIED", "SELF_EMPLOYED")
SEXES = ("FEMALE", "MALE")
RELATIONSHIPS = ("SPOUSE", "CHILD", "OTHER")
DOCUMENT_KINDS = ("NATIONAL_ID_CARD", "PASSPORT", "CONSULAR_CARD", "BIRTH_CERTIFICATE", "RESIDENCE_PERMIT")


@get("/members")
async def search(
    page: NamedDependency[Page],
    q: FromQuery[str] = "",
    status: FromQuery[str] = "",
    after: FromQuery[str | None] = None,
) -> Response[str]:
    """Members by a name fragment (accents and case aside), number, phone or document number."""
    page.require(Permission.MEMBERS_READ)
    query = q.strip()
    members: dict[str, Any] | None = None
    if query or status:
        member_filter: dict[str, Any] = {"search": query or None, "status": status if status in STATUSES else None}
        outcome = await page.execute(SEARCH, {"first": PAGE_SIZE, "after": after, "filter": member_filter})
        members = outcome.data["members"]
    return page.render("members/search.html", q=query, status=status, statuses=STATUSES, members=members, after=after)


async def _member(page: Page, member_id: str) -> dict[str, Any]:
    assert page.viewer.tenant is not None
    outcome = await page.execute(MEMBER, {"id": member_id, "country": page.viewer.tenant.country})
    member = outcome.data["member"]
    if not member:
        raise not_found()
    regions = {region["code"]: region["name"] for region in outcome.data["administrativeDivisions"]}
    return {**member, "regionName": regions.get(member["address"]["region"] or "")}


async def _file_page(
    page: Page,
    member_id: str,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    access_errors: dict[str, str] | None = None,
    document_errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response[str]:
    return page.render(
        "members/member.html",
        status_code=status_code,
        member=await _member(page, member_id),
        today=date.today(),
        errors=errors or {},
        form=form or {},
        access_errors=access_errors or {},
        document_errors=document_errors or {},
        filed_kinds=FILED_KINDS,
        statuses=STATUSES,
        reasons=TERMINATION_REASONS,
        notice=notice,
    )


NOTICES = {
    "enrolled": "page.NOTICE_ENROLLED",
    "status": "page.NOTICE_STATUS",
    "access": "page.NOTICE_ACCESS",
    "document": "page.NOTICE_DOCUMENT",
}


@get("/members/{member_id:str}")
async def member_file(
    page: NamedDependency[Page], member_id: FromPath[str], notice: FromQuery[str] = ""
) -> Response[str]:
    """A member's file: identity, household with each one's eligibility today, documents, status history."""
    page.require(Permission.MEMBERS_READ)
    return await _file_page(page, member_id, notice=NOTICES.get(notice))


@post("/members/{member_id:str}/status")
async def status_change(page: NamedDependency[Page], member_id: FromPath[str]) -> Response[str] | Redirect:
    """Suspend, reinstate or end a membership, from the member's file."""
    page.require(Permission.MEMBERS_WRITE)
    form = await page.form()
    variables = {
        "id": member_id,
        "status": form.get("status") if form.get("status") in STATUSES else "",
        "effectiveOn": form.get("effectiveOn") or None,
        "reason": form.get("reason") if form.get("reason") in TERMINATION_REASONS else None,
        "note": form.get("note") or None,
    }
    outcome = await page.execute(STATUS_CHANGE, {"input": variables})
    if outcome.refusal is None:
        return page.redirect(f"/members/{member_id}?notice=status")
    return await _file_page(page, member_id, status_code=400, errors=outcome.errors_within(STATUS_FIELDS), form=form)


async def store_document(page: Page, member_id: str, kind: str, file: UploadFile) -> dict[str, Any] | None:
    """File a member's document the page received, through the same start and
    complete as a partner app's upload; the refusal (``code``, ``message``) if any."""
    data = await file.read()
    # The bytes tell the type (phones send a camera's photo with any type, or none):
    # bytes of no accepted type are refused before anything is written, under
    # the type the browser declared when it is not an accepted one (an SVG).
    declared = file.content_type if file.content_type not in CONTENT_TYPES else ""
    content_type = real_type(data) or declared or "application/octet-stream"
    started = await page.execute(
        DOCUMENT_START,
        {"input": {"memberId": member_id, "kind": kind, "contentType": content_type, "size": len(data)}},
    )
    if started.refusal is not None:
        return started.refusal
    document_id = started.data["documentUploadStart"]["document"]["id"]
    context, uuid = page.viewer.tenant, decode_text_id(document_id, "Document")
    if context is None or uuid is None:
        raise not_found()
    async with tenant_tx(context) as tx:
        await document_service.receive(tx, context, page.services.get(DOCUMENT_STORE), uuid, data)
    completed = await page.execute(DOCUMENT_COMPLETE, {"input": {"documentId": document_id}})
    return completed.refusal


@post("/members/{member_id:str}/documents")
async def document_add(page: NamedDependency[Page], member_id: FromPath[str]) -> Response[str] | Redirect:
    """File a photo or a scan of the member's papers, from the phone's camera or a file."""
    page.require(Permission.ENROLMENT_WRITE)
    posted = await page.request.form()
    file, kind = posted.get(FILE_FIELD), posted.get("kind")
    if not isinstance(file, UploadFile) or not file.filename:
        message = page.t("page.FILE_REQUIRED")
    else:
        refusal = await store_document(page, member_id, kind if kind in FILED_KINDS else "", file)
        if refusal is None:
            return page.redirect(f"/members/{member_id}?notice=document#documents")
        if refusal["code"] == "DOCUMENT_MEMBER_NOT_FOUND":
            raise not_found()
        message = refusal["message"]
    return await _file_page(page, member_id, status_code=400, document_errors={FILE_FIELD: message})


@post("/members/{member_id:str}/access")
async def access_change(page: NamedDependency[Page], member_id: FromPath[str]) -> Response[str] | Redirect:
    """Open or close the member's access online, from their file."""
    page.require(Permission.MEMBERS_WRITE)
    form = await page.form()
    document = ACCESS_CLOSE if form.get("action") == "close" else ACCESS_OPEN
    outcome = await page.execute(document, {"input": {"member": member_id}})
    if outcome.refusal is None:
        return page.redirect(f"/members/{member_id}?notice=access#access")
    if outcome.refusal.get("code") == "MEMBER_NOT_FOUND":
        raise not_found()
    return await _file_page(page, member_id, status_code=400, access_errors=outcome.errors)


@get("/me")
async def my_coverage(page: NamedDependency[Page]) -> Response[str]:
    """A member's own page: their card number, scheme, status and household
    with each one's rights today, their dues with the rights they leave, and
    their latest payments with their receipts."""
    page.require(Permission.SELF_SERVICE)
    outcome = await page.execute(MY_COVERAGE)
    return page.render(
        "members/me.html",
        member=outcome.data["myMember"],
        statement=outcome.data["myStatement"],
        pay_online=bool(page_providers(outcome.data["myOnlinePaymentProviders"])),
        payments=[edge["node"] for edge in outcome.data["myPayments"]["edges"]],
    )


MEMBER_FIELDS = (
    "scheme",
    "category",
    "person.firstNames",
    "person.lastName",
    "person.sex",
    "person.birthDate",
    "person.birthYear",
    "person.nationality",
    "phone",
    "address.country",
    "address.region",
    "address.department",
    "address.locality",
    "documents.*.kind",
    "documents.*.number",
    "artisan.trade",
    "artisan.tradesRegisterNumber",
    "artisan.chamberOfTrades",
    "idempotencyKey",
)
BENEFICIARY_FIELDS = (
    "beneficiaries.*.relationship",
    "beneficiaries.*.person.firstNames",
    "beneficiaries.*.person.lastName",
    "beneficiaries.*.person.sex",
    "beneficiaries.*.person.birthDate",
    "beneficiaries.*.person.birthYear",
    "beneficiaries.*.studying",
)
ENROLMENT_FIELDS = (*MEMBER_FIELDS, *BENEFICIARY_FIELDS)
MAX_BENEFICIARY_ROWS = 12
"""Beneficiaries one form shows at most; a scheme's own limit is the enrolment's to check."""


def enrolment_input(values: dict[str, str]) -> dict[str, Any]:
    """``memberEnrol``'s input from the form: rows of beneficiaries left
    blank (their selects aside) dropped, a number where the input wants one."""
    data = nested(values, ENROLMENT_FIELDS)
    # A blank row still sends its relationship, chosen by default.
    beneficiaries = [{**row, "studying": "studying" in row} for row in data.pop("beneficiaries", []) if "person" in row]
    data["beneficiaries"] = beneficiaries
    if data.get("category") != "ARTISAN":
        data.pop("artisan", None)
    for person in (data.get("person", {}), *(row.get("person", {}) for row in beneficiaries)):
        year = person.get("birthYear")
        if year is not None and year.isdigit():
            person["birthYear"] = int(year)
    data["documents"] = [document for document in data.get("documents", []) if document.get("number")]
    return data


def _rows(values: dict[str, str]) -> int:
    indexes = [
        int(key.split(".")[1]) for key in values if key.startswith("beneficiaries.") and key.split(".")[1].isdigit()
    ]
    return min(max(indexes, default=-1) + 1, MAX_BENEFICIARY_ROWS)


async def _enrol_page(page: Page, values: dict[str, str], rows: int, **context: Any) -> Response[str]:
    assert page.viewer.tenant is not None
    choices = (await page.execute(ENROLMENT_CHOICES, {"country": page.viewer.tenant.country})).data
    schemes = [edge["node"] for edge in choices["schemes"]["edges"] if edge["node"]["status"] == "ACTIVE"]
    return page.render(
        "members/enrol.html",
        form=values,
        rows=rows,
        max_rows=MAX_BENEFICIARY_ROWS,
        schemes=[(scheme["id"], scheme["name"]) for scheme in schemes],
        regions=[(region["code"], region["name"]) for region in choices["administrativeDivisions"]],
        categories=CATEGORIES,
        sexes=SEXES,
        relationships=RELATIONSHIPS,
        document_kinds=DOCUMENT_KINDS,
        **context,
    )


@get("/members/new")
async def enrol_form(page: NamedDependency[Page]) -> Response[str]:
    """One form for the member and their beneficiaries."""
    page.require(Permission.ENROLMENT_WRITE)
    assert page.viewer.tenant is not None
    country = page.viewer.tenant.country
    blank = {"idempotencyKey": new_id().hex, "person.nationality": country, "address.country": country}
    return await _enrol_page(page, blank, 2, errors={})


@post("/members/new")
async def enrol(page: NamedDependency[Page]) -> Response[str] | Redirect:
    """Enrol the member; a refusal shows the form again with the error next
    to its field. "Add a beneficiary" shows it again with one more row."""
    page.require(Permission.ENROLMENT_WRITE)
    values = await page.form()
    if values.get("action") == "add":
        rows = min(_rows(values) + 1, MAX_BENEFICIARY_ROWS)
        return await _enrol_page(page, values, rows, errors={})
    data = enrolment_input(values)
    outcome = await page.execute(ENROL, {"input": data})
    if outcome.refusal is None:
        member_id = outcome.data["memberEnrol"]["member"]["id"]
        photo = (await page.request.form()).get("photo")
        if isinstance(photo, UploadFile) and photo.filename:
            refusal = await store_document(page, member_id, "PHOTO", photo)
            if refusal is not None:
                # The member is enrolled: their file says so, and why the photo is not filed.
                errors = {FILE_FIELD: refusal["message"]}
                return await _file_page(page, member_id, document_errors=errors, notice="page.NOTICE_ENROLLED_NO_PHOTO")
        return page.redirect(f"/members/{member_id}?notice=enrolled")
    # Shown as sent, the blank rows dropped, so that the error's path names the row it is about.
    shown = flat(data)
    return await _enrol_page(
        page, shown, max(_rows(shown), 1), status_code=400, errors=outcome.errors_within(ENROLMENT_FIELDS)
    )


PAGES = PageSet(
    name="members",
    templates=Path(__file__).with_name("templates"),
    handlers=[search, enrol_form, member_file, status_change, access_change, my_coverage],
    uploads=[enrol, document_add],
    menu=[
        MenuItem("page.MENU_MY_COVERAGE", "/me", Permission.SELF_SERVICE),
        MenuItem("page.MENU_MEMBERS", "/members", Permission.MEMBERS_READ),
        MenuItem("page.MENU_ENROL", "/members/new", Permission.ENROLMENT_WRITE),
    ],
)
