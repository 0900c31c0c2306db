"""Members to attach documents to, a real S3 server (moto's) and apps storing in it."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import date

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from app.main import create_app
from app.settings import Settings
from schemes.members.tables import Member
from schemes.rules import service as scheme_service
from schemes.rules.model import Branch, MemberCategory
from tenants.audit import service as audit
from tenants.registry.tables import Tenant
from tenants.scoping import within
from tenants.tx import tenant_tx
from tests.factories import context
from tests.graphql_client import serve

BUCKET = "socle-documents"


def png(width: int = 1, height: int = 1) -> bytes:
    """A real PNG image of white pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


async def make_member(tenant: Tenant, number: str = "M-000001") -> Member:
    """A member of ``tenant`` in a scheme of its own."""
    ctx = await context(tenant)
    async with tenant_tx(ctx) as tx:
        scheme = await scheme_service.create_scheme(
            tx,
            ctx,
            scheme_service.NewScheme(
                code=f"S{number[-4:]}", name="Régime CMU", branch=Branch.HEALTH, categories=(MemberCategory.ARTISAN,)
            ),
        )
        members = within(ctx, Member)
        member = members.new(
            scheme_id=scheme.id,
            category="artisan",
            number=number,
            sequence=int(number[-6:]),
            status="active",
            status_on=date(2026, 1, 5),
            enrolled_on=date(2026, 1, 5),
            first_names="Fatou",
            last_name="Diop",
            normalized_name="diop fatou",
            sex="female",
            birth_date=date(1984, 3, 12),
            nationality="SN",
            address_country="SN",
        )
        await members.insert(member)
        await audit.record_change(tx, ctx, "member.enrol", "member", member.id)
    return member


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_settings(settings: Settings, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    if BUCKET not in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    return settings.model_copy(
        update={
            "storage_url": f"s3://{BUCKET}/socle",
            "storage_endpoint_url": s3_endpoint,
            "storage_region": "us-east-1",
        }
    )


@pytest.fixture
async def s3_client(s3_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app storing documents in moto's S3."""
    async with serve(create_app(s3_settings)) as client:
        yield client


@pytest.fixture
async def small_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app with the local folder and a 2 KiB document limit
    (imports too: the folder's routes take forms up to the larger of both)."""
    small = settings.model_copy(update={"document_max_bytes": 2048, "import_max_bytes": 2048})
    async with serve(create_app(small)) as client:
        yield client
