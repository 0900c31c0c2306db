"""Documents go straight from the client to object storage with signed forms,
through moto's S3 server and through the local folder's own routes: the
declared type and size held, another tenant's documents and links refused,
expired links refused, the role and scope matrix."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import boto3
import httpx
import pytest
from strawberry import relay

from app.settings import Settings
from app.storage import make_storage
from schemes.documents import service
from schemes.documents.tables import Document, DocumentKind
from schemes.members.tables import Member
from tenants.permissions import Permission, permissions_of
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind, role_fits_tenant
from tenants.tx import tenant_tx
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import fetch_link, graphql, token_for
from tests.partner_tokens import partner_token
from tests.schemes.documents.conftest import BUCKET, make_member, png

pytestmark = pytest.mark.usefixtures("migrated")

START = """
mutation ($input: DocumentUploadStartInput!) {
  documentUploadStart(input: $input) {
    __typename
    ... on DocumentUpload {
      url method expiresAt fields { name value }
      document { id kind contentType size status storedAt }
    }
    ... on DocumentUploadStartError { code path message }
  }
}
"""
COMPLETE = """
mutation ($id: ID!) {
  documentUploadComplete(input: {documentId: $id}) {
    __typename
    ... on Document { id kind contentType size status }
    ... on DocumentUploadCompleteError { code path message }
  }
}
"""
READ = "query ($id: ID!) { document(id: $id) { status url } }"
NODE = "query ($id: ID!) { node(id: $id) { ... on Document { status } } }"

PHOTO = png(4, 4)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".ljust(len(PHOTO), b" ")


def _member_id(member: Member) -> str:
    return str(relay.GlobalID("Member", str(member.id)))


async def _start(
    client: httpx.AsyncClient,
    token: str,
    member: Member,
    *,
    content_type: str = "image/png",
    size: int = len(PHOTO),
    kind: str = "PHOTO",
    language: str | None = None,
) -> Any:
    variables = {"memberId": _member_id(member), "kind": kind, "contentType": content_type, "size": size}
    body = await graphql(client, START, token=token, language=language, input=variables)
    return body["data"]["documentUploadStart"] if body.get("data") else body


async def _send(client: httpx.AsyncClient, upload: dict[str, Any], data: bytes, content_type: str) -> httpx.Response:
    """POST the file with the signed form, as a browser would: to the storage's URL."""
    fields = [(field["name"], field["value"]) for field in upload["fields"]]
    files = {"file": ("fichier", data, content_type)}
    url = upload["url"]
    if url.startswith("http://localhost"):
        # The local folder's route is served by the app under test.
        return await client.post(urlsplit(url).path, data=dict(fields), files=files)
    async with httpx.AsyncClient() as outside:
        return await outside.post(url, data=dict(fields), files=files)


@pytest.fixture
async def mutual() -> Tenant:
    return await make_tenant()


class TestLocalFolder:
    async def test_upload_complete_and_read(
        self, client: httpx.AsyncClient, mutual: Tenant, owner: asyncpg.Connection
    ) -> None:
        member = await make_member(mutual)
        agent = await token_for(client, mutual, Role.AGENT)
        upload = await _start(client, agent, member)
        document = upload["document"]
        document_id = relay.GlobalID.from_id(document["id"]).node_id
        key = f"{mutual.id}/documents/{document_id}"
        assert (upload["__typename"], upload["url"], upload["method"]) == (
            "DocumentUpload",
            "http://localhost:8000/files/upload",
            "POST",
        )
        fields = {field["name"]: field["value"] for field in upload["fields"]}
        assert [field["name"] for field in upload["fields"]] == ["key", "Content-Type", "size", "expires", "signature"]
        assert (fields["key"], fields["Content-Type"], fields["size"]) == (key, "image/png", str(len(PHOTO)))
        assert document == {
            "id": document["id"],
            "kind": "PHOTO",
            "contentType": "image/png",
            "size": len(PHOTO),
            "status": "PENDING",
            "storedAt": None,
        }

        sent = await _send(client, upload, PHOTO, "image/png")
        assert (sent.status_code, sent.content) == (204, b"")
        completed = (await graphql(client, COMPLETE, token=agent, id=document["id"]))["data"]
        assert completed["documentUploadComplete"] == {
            "__typename": "Document",
            "id": document["id"],
            "kind": "PHOTO",
            "contentType": "image/png",
            "size": len(PHOTO),
            "status": "STORED",
        }
        again = (await graphql(client, COMPLETE, token=agent, id=document["id"]))["data"]
        assert again == completed

        manager = await token_for(client, mutual, Role.MANAGER)
        read = (await graphql(client, READ, token=manager, id=document["id"]))["data"]["document"]
        assert read["status"] == "STORED"
        assert urlsplit(read["url"]).path == f"/files/{key}"
        fetched = await fetch_link(client, read["url"])
        assert (fetched.status_code, fetched.headers["content-type"], fetched.content) == (200, "image/png", PHOTO)

        events = await owner.fetch(
            "SELECT action, target_id FROM audit_events WHERE tenant_id = $1 AND target_type = 'document' ORDER BY seq",
            mutual.id,
        )
        assert [tuple(row) for row in events] == [
            ("document.upload_start", document_id),
            ("document.store", document_id),
        ]

    async def test_the_folder_refuses_another_type_or_size(self, small_client: httpx.AsyncClient) -> None:
        mutual = await make_tenant()
        member = await make_member(mutual)
        agent = await token_for(small_client, mutual, Role.AGENT)

        upload = await _start(small_client, agent, member)
        wrong_type = await _send(small_client, upload, PDF, "image/png")
        assert (wrong_type.status_code, wrong_type.json()["error"]) == (
            400,
            "Le fichier n'est pas du type déclaré (image/png).",
        )
        wrong_size = await _send(small_client, upload, PHOTO + b"\x00", "image/png")
        assert (wrong_size.status_code, wrong_size.json()["error"]) == (
            400,
            f"Le fichier ne fait pas la taille déclarée ({len(PHOTO)} octets).",
        )
        too_large = await _send(small_client, upload, PHOTO + b"\x00" * 70_000, "image/png")
        assert (too_large.status_code, too_large.json()["error"]) == (413, "Requête trop volumineuse.")
        not_sent = (await graphql(small_client, COMPLETE, token=agent, id=upload["document"]["id"]))["data"]
        assert not_sent["documentUploadComplete"] == {
            "__typename": "DocumentUploadCompleteError",
            "code": "DOCUMENT_NOT_UPLOADED",
            "path": ["input", "documentId"],
            "message": "Le fichier n'est pas encore arrivé : envoyez-le avec le formulaire reçu, puis réessayez.",
        }

        above_limit = await _start(small_client, agent, member, size=2049)
        assert above_limit == {
            "__typename": "DocumentUploadStartError",
            "code": "INVALID_DOCUMENT_SIZE",
            "path": ["input", "size"],
            "message": "La taille du fichier doit être comprise entre 1 et 2048 octets.",
        }

    async def test_expired_and_tampered_links_are_refused(
        self, client: httpx.AsyncClient, mutual: Tenant, settings: Settings
    ) -> None:
        member = await make_member(mutual)
        agent = await token_for(client, mutual, Role.AGENT)
        upload = await _start(client, agent, member)
        storage = make_storage(settings, settings.secret())
        key = {f["name"]: f["value"] for f in upload["fields"]}["key"]

        expired = storage.upload_form(key, "image/png", len(PHOTO), -1)
        expired_form = {
            "fields": [{"name": n, "value": v} for n, v in expired.fields],
            "url": expired.url,
        }
        refused = await _send(client, expired_form, PHOTO, "image/png")
        assert (refused.status_code, refused.json()["error"]) == (
            403,
            "Lien invalide ou expiré : demandez-en un nouveau.",
        )

        bent = {
            **upload,
            "fields": [
                f if f["name"] != "Content-Type" else {**f, "value": "application/pdf"} for f in upload["fields"]
            ],
        }
        assert (await _send(client, bent, PDF, "application/pdf")).status_code == 403

        assert (await _send(client, upload, PHOTO, "image/png")).status_code == 204
        await graphql(client, COMPLETE, token=agent, id=upload["document"]["id"])
        old_link = storage.download_url(key, "image/png", -1)
        expired_read = await fetch_link(client, old_link)
        assert (expired_read.status_code, expired_read.json()["error"]) == (
            403,
            "Lien invalide ou expiré : demandez-en un nouveau.",
        )
        in_english = await client.get(
            urlsplit(old_link).path + "?" + urlsplit(old_link).query, headers={"Accept-Language": "en"}
        )
        assert in_english.json()["error"] == "Invalid or expired link: ask for a new one."


class TestS3:
    async def test_presigned_post_upload_of_a_png(
        self, s3_client: httpx.AsyncClient, s3_endpoint: str, owner: asyncpg.Connection
    ) -> None:
        mutual = await make_tenant()
        member = await make_member(mutual)
        agent = await token_for(s3_client, mutual, Role.AGENT)
        upload = await _start(s3_client, agent, member)
        document_id = relay.GlobalID.from_id(upload["document"]["id"]).node_id
        fields = {field["name"]: field["value"] for field in upload["fields"]}
        assert (upload["url"], fields["key"], fields["Content-Type"]) == (
            f"{s3_endpoint}/{BUCKET}",
            f"socle/{mutual.id}/documents/{document_id}",
            "image/png",
        )
        policy = json.loads(base64.b64decode(fields["policy"]))
        assert [c for c in policy["conditions"] if not isinstance(c, dict) or "Content-Type" in c] == [
            {"Content-Type": "image/png"},
            ["content-length-range", len(PHOTO), len(PHOTO)],
        ]

        sent = await _send(s3_client, upload, PHOTO, "image/png")
        assert sent.status_code == 204, sent.text
        completed = (await graphql(s3_client, COMPLETE, token=agent, id=upload["document"]["id"]))["data"]
        assert completed["documentUploadComplete"]["status"] == "STORED"
        manager = await token_for(s3_client, mutual, Role.MANAGER)
        read = (await graphql(s3_client, READ, token=manager, id=upload["document"]["id"]))["data"]["document"]
        query = parse_qs(urlsplit(read["url"]).query)
        assert (query["X-Amz-Expires"], query["response-content-type"]) == (["300"], ["image/png"])
        fetched = await fetch_link(s3_client, read["url"])
        assert (fetched.status_code, fetched.content) == (200, PHOTO)

    @pytest.mark.parametrize(
        ("data", "declared"), [(PDF, "image/png"), (PHOTO + b"\x00" * 10, "image/png")], ids=["type", "size"]
    )
    async def test_a_file_other_than_declared_is_removed(
        self, s3_client: httpx.AsyncClient, s3_endpoint: str, data: bytes, declared: str
    ) -> None:
        """moto keeps no POST policy, so the check at completion is the one that speaks here (S3 refuses the POST)."""
        mutual = await make_tenant()
        member = await make_member(mutual)
        agent = await token_for(s3_client, mutual, Role.AGENT)
        upload = await _start(s3_client, agent, member)
        assert (await _send(s3_client, upload, data, declared)).status_code == 204
        refused = (await graphql(s3_client, COMPLETE, token=agent, id=upload["document"]["id"]))["data"]
        assert refused["documentUploadComplete"] == {
            "__typename": "DocumentUploadCompleteError",
            "code": "DOCUMENT_MISMATCH",
            "path": ["input", "documentId"],
            "message": f"Le fichier reçu n'est pas celui déclaré (image/png, {len(PHOTO)} octets) : il a été "
            "supprimé, recommencez l'envoi.",
        }
        key = {f["name"]: f["value"] for f in upload["fields"]}["key"]
        s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
        assert s3.list_objects_v2(Bucket=BUCKET, Prefix=key)["KeyCount"] == 0


class TestStartRefusals:
    @pytest.mark.parametrize(
        ("given", "path", "message"),
        [
            (
                {"content_type": "text/html"},
                ["input", "contentType"],
                "Le type « text/html » n'est pas accepté : image/jpeg, image/png, application/pdf, image/webp.",
            ),
            ({"size": 0}, ["input", "size"], "La taille du fichier doit être comprise entre 1 et 10485760 octets."),
            (
                {"size": 10_485_761},
                ["input", "size"],
                "La taille du fichier doit être comprise entre 1 et 10485760 octets.",
            ),
        ],
    )
    async def test_refusals_name_the_field(
        self, client: httpx.AsyncClient, mutual: Tenant, given: dict[str, Any], path: list[str], message: str
    ) -> None:
        member = await make_member(mutual)
        refused = await _start(client, await token_for(client, mutual, Role.AGENT), member, **given)
        assert (refused["path"], refused["message"]) == (path, message)

    async def test_in_english(self, client: httpx.AsyncClient, mutual: Tenant) -> None:
        member = await make_member(mutual)
        refused = await _start(
            client, await token_for(client, mutual, Role.AGENT), member, content_type="image/gif", language="en"
        )
        assert refused == {
            "__typename": "DocumentUploadStartError",
            "code": "UNSUPPORTED_CONTENT_TYPE",
            "path": ["input", "contentType"],
            "message": "The type “image/gif” is not accepted: image/jpeg, image/png, application/pdf, image/webp.",
        }


class TestIsolation:
    async def test_another_tenants_documents_and_links(self, client: httpx.AsyncClient) -> None:
        a, b = await make_tenant(), await make_tenant()
        member_a, member_b = await make_member(a), await make_member(b)
        agent_a, agent_b = await token_for(client, a, Role.AGENT), await token_for(client, b, Role.AGENT)
        upload_a = await _start(client, agent_a, member_a)
        upload_b = await _start(client, agent_b, member_b)
        for upload in (upload_a, upload_b):
            assert (await _send(client, upload, PHOTO, "image/png")).status_code == 204

        refused = (await graphql(client, COMPLETE, token=agent_b, id=upload_a["document"]["id"]))["data"]
        assert refused["documentUploadComplete"] == {
            "__typename": "DocumentUploadCompleteError",
            "code": "DOCUMENT_NOT_FOUND",
            "path": ["input", "documentId"],
            "message": "Document introuvable.",
        }
        on_their_member = await _start(client, agent_b, member_a)
        assert (on_their_member["code"], on_their_member["path"]) == (
            "DOCUMENT_MEMBER_NOT_FOUND",
            ["input", "memberId"],
        )
        await graphql(client, COMPLETE, token=agent_a, id=upload_a["document"]["id"])
        await graphql(client, COMPLETE, token=agent_b, id=upload_b["document"]["id"])

        manager_a, manager_b = await token_for(client, a, Role.MANAGER), await token_for(client, b, Role.MANAGER)
        assert (await graphql(client, READ, token=manager_b, id=upload_a["document"]["id"]))["data"] == {
            "document": None
        }
        assert (await graphql(client, NODE, token=manager_b, id=upload_a["document"]["id"]))["data"] == {"node": None}

        # A's link, bent to B's key: the signature covers the key.
        link = (await graphql(client, READ, token=manager_a, id=upload_a["document"]["id"]))["data"]["document"]["url"]
        parts = urlsplit(link)
        key_b = {f["name"]: f["value"] for f in upload_b["fields"]}["key"]
        bent = await client.get(f"/files/{key_b}?{parts.query}")
        assert bent.status_code == 403
        climbing = await client.get(f"/files/{parts.path.removeprefix('/files/')}/../../{key_b}?{parts.query}")
        assert (climbing.status_code, climbing.json()["error"]) == (
            403,
            "Lien invalide ou expiré : demandez-en un nouveau.",
        )
        form_a = {f["name"]: f["value"] for f in upload_a["fields"]}
        forged = {
            "url": upload_a["url"],
            "fields": [{"name": n, "value": key_b if n == "key" else v} for n, v in form_a.items()],
        }
        assert (await _send(client, forged, PHOTO, "image/png")).status_code == 403

    async def test_row_level_security_alone(self, owner: asyncpg.Connection) -> None:
        a, b = await make_tenant(), await make_tenant()
        member_b = await make_member(b)
        ctx_a, ctx_b = await context(a), await context(b)
        store = make_storage(Settings(storage_url="file:///tmp/socle-rls-test"), "s" * 40)
        async with tenant_tx(ctx_b) as tx:
            await service.start_upload(
                tx,
                ctx_b,
                store,
                service.NewUpload(member_id=member_b.id, kind=DocumentKind.PHOTO, content_type="image/png", size=10),
            )
        async with tenant_tx(ctx_a) as tx:
            seen = await tx.connection.fetchval("SELECT count(*) FROM documents")
            updated = await tx.connection.execute("UPDATE documents SET status = 'stored', stored_at = now()")
        assert (seen, updated) == (0, "UPDATE 0")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with tenant_tx(ctx_a) as tx:
                await tx.connection.execute(
                    "INSERT INTO documents (id, tenant_id, member_id, kind, content_type, size, status, created_at)"
                    " VALUES (gen_random_uuid(), $1, $2, 'photo', 'image/png', 1, 'pending', now())",
                    b.id,
                    member_b.id,
                )
        rows = await owner.fetch("SELECT status FROM documents WHERE tenant_id = $1", b.id)
        assert [row["status"] for row in rows] == ["pending"]

    async def test_a_members_documents_in_one_batch(self) -> None:
        mutual = await make_tenant()
        first, second, third = [await make_member(mutual, f"M-00000{i}") for i in (1, 2, 3)]
        ctx = await context(mutual)
        store = make_storage(Settings(storage_url="file:///tmp/socle-batch-test"), "s" * 40)
        made: list[Document] = []
        async with tenant_tx(ctx) as tx:
            for member, kind in ((first, "photo"), (first, "identity_document"), (third, "certificate")):
                started = await service.start_upload(
                    tx,
                    ctx,
                    store,
                    service.NewUpload(
                        member_id=member.id, kind=DocumentKind(kind), content_type="application/pdf", size=100
                    ),
                )
                made.append(started.document)
        async with tenant_tx(ctx) as tx:
            found = await service.documents_of_members(tx, ctx, [third.id, second.id, first.id])
        assert [[d.id for d in documents] for documents in found] == [[made[2].id], [], [made[0].id, made[1].id]]


ROLES = [role for role in Role if role_fits_tenant(role, TenantKind.MUTUAL)]


class TestRoleMatrix:
    @pytest.mark.parametrize("role", ROLES)
    async def test_roles(self, client: httpx.AsyncClient, mutual: Tenant, role: Role) -> None:
        await self._check(client, mutual, await token_for(client, mutual, role), permissions_of(role))

    @pytest.mark.parametrize(
        "scopes", [["members:read"], ["enrolment:write"], ["members:write", "enrolment:write"]], ids=str
    )
    async def test_partner_scopes(self, client: httpx.AsyncClient, mutual: Tenant, scopes: list[str]) -> None:
        granted = {Permission(scope) for scope in scopes}
        if Permission.MEMBERS_WRITE in granted:
            granted.add(Permission.MEMBERS_READ)
        await self._check(client, mutual, await partner_token(client, mutual, scopes), frozenset(granted))

    async def _check(
        self, client: httpx.AsyncClient, mutual: Tenant, token: str, granted: frozenset[Permission]
    ) -> None:
        member = await make_member(mutual, "M-000042")
        agent = await token_for(client, mutual, Role.AGENT)
        existing = await _start(client, agent, member)
        await _send(client, existing, PHOTO, "image/png")
        await graphql(client, COMPLETE, token=agent, id=existing["document"]["id"])

        started = await _start(client, token, member)
        completed = await graphql(client, COMPLETE, token=token, id=existing["document"]["id"])
        if Permission.ENROLMENT_WRITE in granted:
            assert started["__typename"] == "DocumentUpload"
            assert completed["data"]["documentUploadComplete"]["status"] == "STORED"
        else:
            assert [e["extensions"]["code"] for e in started["errors"]] == ["FORBIDDEN"]
            assert [e["extensions"]["code"] for e in completed["errors"]] == ["FORBIDDEN"]
        read = await graphql(client, READ, token=token, id=existing["document"]["id"])
        if Permission.MEMBERS_READ in granted:
            assert read["data"]["document"]["status"] == "STORED"
            assert read["data"]["document"]["url"].startswith("http://localhost:8000/files/")
        else:
            assert [e["extensions"]["code"] for e in read["errors"]] == ["FORBIDDEN"]


async def test_a_ministry_reads_a_supervised_tenants_document_recorded(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    country = fresh_country()
    mutual = await make_tenant(country=country)
    member = await make_member(mutual)
    agent = await token_for(client, mutual, Role.AGENT)
    upload = await _start(client, agent, member)
    assert (await _send(client, upload, PHOTO, "image/png")).status_code == 204
    await graphql(client, COMPLETE, token=agent, id=upload["document"]["id"])
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    officer = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)

    read = (await graphql(client, READ, token=officer, id=upload["document"]["id"]))["data"]["document"]
    assert read["status"] == "STORED"
    assert (await fetch_link(client, read["url"])).content == PHOTO
    reads = await owner.fetch(
        "SELECT action, target_id FROM audit_events WHERE tenant_id = $1 AND action LIKE 'oversight.%'", ministry.id
    )
    assert [tuple(row) for row in reads] == [("oversight.documents_read", str(mutual.id))]
    refused = await graphql(client, COMPLETE, token=officer, id=upload["document"]["id"])
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["FORBIDDEN"]
