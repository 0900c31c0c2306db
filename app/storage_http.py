"""The local folder's signed routes: ``POST /files/upload`` takes a file
sent with a form from :meth:`LocalStorage.upload_form`, ``GET /files/<key>``
reads one through a link from :meth:`LocalStorage.download_url`. They hold
the limits S3 holds for its presigned forms: the signed key, content type
and size, and the expiry. With S3 storage they answer 404."""

from __future__ import annotations

import contextlib

import anyio
from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import File
from litestar.status_codes import (
    HTTP_204_NO_CONTENT,
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
)

from app.i18n import chosen_locale, translate
from app.requests import request_id_of
from app.runtime import Runtime
from app.storage import HEAD_BYTES, LocalStorage, StorageKeyError
from schemes.documents.service import real_type
from schemes.imports.files import CONTENT_TYPES, looks_like

FORM_OVERHEAD = 65_536
"""Bytes a form's fields and multipart boundaries may add to its file."""


def _refusal(request: Request, status: int, code: str, **params: object) -> Response[dict[str, str]]:  # type: ignore[type-arg]
    locale = chosen_locale(request)
    return Response(
        {"error": translate(code, locale, **params), "request_id": request_id_of(request.scope) or ""},
        status_code=status,
    )


def _local(runtime: Runtime) -> LocalStorage | None:
    return runtime.storage if isinstance(runtime.storage, LocalStorage) else None


@post("/upload")
async def upload(request: Request, runtime: NamedDependency[Runtime]) -> Response[None] | Response[dict[str, str]]:  # type: ignore[type-arg]
    """Store the form's file under its signed key, if the form is signed,
    unexpired, and the file has the signed type and size."""
    storage = _local(runtime)
    if storage is None or storage.signer is None:
        return _refusal(request, HTTP_404_NOT_FOUND, "api.NOT_FOUND")
    form = await request.form()
    file = form.get("file")
    values = {name: form.get(name) for name in ("key", "Content-Type", "size", "expires", "signature")}
    if not isinstance(file, UploadFile) or not all(isinstance(value, str) for value in values.values()):
        return _refusal(request, HTTP_403_FORBIDDEN, "storage.LINK_INVALID")
    key, content_type = str(values["key"]), str(values["Content-Type"])
    try:
        size, expires = int(str(values["size"])), int(str(values["expires"]))
    except ValueError:
        return _refusal(request, HTTP_403_FORBIDDEN, "storage.LINK_INVALID")
    if not storage.signer.valid(str(values["signature"]), "upload", key, content_type, size, expires):
        return _refusal(request, HTTP_403_FORBIDDEN, "storage.LINK_INVALID")
    # The signature holds the size, so reading one byte more tells a larger file.
    data = await file.read(size + 1)
    if len(data) != size:
        return _refusal(request, HTTP_400_BAD_REQUEST, "storage.WRONG_SIZE", size=size)
    if not _fits(content_type, data[:HEAD_BYTES]):
        return _refusal(request, HTTP_400_BAD_REQUEST, "storage.WRONG_CONTENT_TYPE", content_type=content_type)
    await storage.put(key, data, content_type)
    return Response(None, status_code=HTTP_204_NO_CONTENT)


@get("/{key:path}")
async def download(
    request: Request,  # type: ignore[type-arg]
    runtime: NamedDependency[Runtime],
    key: FromPath[str],
    type: FromQuery[str] = "",  # noqa: A002
    expires: FromQuery[int] = 0,
    signature: FromQuery[str] = "",
) -> File | Response[dict[str, str]]:
    """The file under ``key``, through a signed, unexpired link."""
    storage = _local(runtime)
    key = key.lstrip("/")
    if storage is None or storage.signer is None:
        return _refusal(request, HTTP_404_NOT_FOUND, "api.NOT_FOUND")
    if not storage.signer.valid(signature, "download", key, type, None, expires):
        return _refusal(request, HTTP_403_FORBIDDEN, "storage.LINK_INVALID")
    path = None
    with contextlib.suppress(StorageKeyError):
        path = storage.path(key)
    if path is None or not await anyio.Path(path).is_file():
        return _refusal(request, HTTP_404_NOT_FOUND, "api.NOT_FOUND")
    return File(path=path, media_type=type, content_disposition_type="inline", filename=path.name)


def _fits(content_type: str, head: bytes) -> bool:
    """Whether a file's first bytes show the format its form declares: a
    document's (image, PDF) or an import file's (CSV, XLSX)."""
    import_format = CONTENT_TYPES.get(content_type)
    if import_format is not None:
        return looks_like(import_format, head)
    return real_type(head) == content_type


def storage_router(max_bytes: int) -> Router:
    """The ``/files`` routes, taking forms up to the largest file (document or import) plus the form's own fields."""
    return Router(path="/files", route_handlers=[upload, download], request_max_body_size=max_bytes + FORM_OVERHEAD)
