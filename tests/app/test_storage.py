"""File storage: a local folder, and S3 through boto3 against moto's server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from app.settings import Settings
from app.storage import LocalStorage, S3Storage, Storage, StorageKeyError, make_storage


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Storage:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket="socle-files")
    storage = make_storage(
        Settings(storage_url="s3://socle-files/demo", storage_endpoint_url=s3_endpoint, storage_region="us-east-1")
    )
    assert isinstance(storage, S3Storage)
    return storage


@pytest.fixture
def local_storage(tmp_path: Path) -> LocalStorage:
    storage = make_storage(Settings(storage_url=f"file://{tmp_path}/files"))
    assert isinstance(storage, LocalStorage)
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest) -> Storage:
    fixture: Storage = request.getfixturevalue(f"{request.param}_storage")
    return fixture


async def test_put_then_get(storage: Storage) -> None:
    await storage.check()
    await storage.put("tenant-a/documents/carte.pdf", b"%PDF-1.7", "application/pdf")
    assert await storage.get("tenant-a/documents/carte.pdf") == b"%PDF-1.7"


async def test_missing_key(storage: Storage) -> None:
    with pytest.raises(KeyError):
        await storage.get("tenant-a/absent.pdf")


@pytest.mark.parametrize("key", ["", "/etc/passwd", "tenant-a/../tenant-b/carte.pdf"])
async def test_keys_stay_inside_the_storage(storage: Storage, key: str) -> None:
    with pytest.raises(StorageKeyError):
        await storage.put(key, b"x", "text/plain")


async def test_s3_prefix(s3_storage: S3Storage, s3_endpoint: str) -> None:
    await s3_storage.put("a/b.txt", b"ok", "text/plain")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    stored = client.get_object(Bucket="socle-files", Key="demo/a/b.txt")
    assert (stored["Body"].read(), stored["ContentType"]) == (b"ok", "text/plain")


async def test_unreachable_bucket_fails_the_check(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    storage = make_storage(
        Settings(storage_url="s3://no-such-bucket", storage_endpoint_url=s3_endpoint, storage_region="us-east-1")
    )
    with pytest.raises(Exception, match="404"):
        await storage.check()
