"""Files served under names that change with their content, so that a browser
keeps them for good and never asks twice: the pages' stylesheet, script and
icons, and GraphiQL's files."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

ASSET_CACHE = "public, max-age=31536000, immutable"
"""A name never serves two contents, so a browser may keep what it got."""

MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
}
_COMPRESSIBLE = {".js", ".css", ".svg"}


@dataclass(frozen=True)
class Asset:
    """One file, with the name it is served under."""

    name: str
    content: bytes
    media_type: str
    gzipped: bytes | None = None
    """The content compressed once at start-up, for browsers that accept gzip."""


def hashed_asset(path: Path, *, compress: bool = False) -> Asset:
    """``path`` read once, named ``stem.<digest>.suffix``."""
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()[:16]
    gzipped = gzip.compress(content, 9, mtime=0) if compress and path.suffix in _COMPRESSIBLE else None
    return Asset(
        name=f"{path.stem}.{digest}{path.suffix}",
        content=content,
        media_type=MEDIA_TYPES[path.suffix],
        gzipped=gzipped if gzipped is not None and len(gzipped) < len(content) else None,
    )


def accepts_gzip(request: Request) -> bool:  # type: ignore[type-arg]
    """Whether the client takes a gzip-encoded body."""
    return any(
        part.split(";")[0].strip() in {"gzip", "*"} and "q=0" not in part.replace(" ", "")
        for part in request.headers.get("accept-encoding", "").split(",")
    )


def asset_response(asset: Asset, request: Request) -> Response[bytes]:  # type: ignore[type-arg]
    """``asset``'s answer, compressed when the client accepts it."""
    headers = {"Cache-Control": ASSET_CACHE, "Vary": "Accept-Encoding"}
    if asset.gzipped is not None and accepts_gzip(request):
        return Response(asset.gzipped, media_type=asset.media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(asset.content, media_type=asset.media_type, headers=headers)


@dataclass(frozen=True)
class StaticFiles:
    """A folder's files by their own name, served under their hashed name at ``prefix``."""

    prefix: str
    by_file: Mapping[str, Asset]

    @classmethod
    def load(cls, folder: Path, prefix: str) -> StaticFiles:
        """Read every file of ``folder`` once."""
        files = sorted(path for path in folder.iterdir() if path.suffix in MEDIA_TYPES)
        return cls(prefix=prefix, by_file={path.name: hashed_asset(path, compress=True) for path in files})

    def url(self, file: str) -> str:
        """The URL of ``file`` (its own name, e.g. ``socle.css``)."""
        return f"{self.prefix}/{self.by_file[file].name}"

    def route(self) -> HTTPRouteHandler:
        """The route serving the files by their hashed names."""
        by_name = {asset.name: asset for asset in self.by_file.values()}

        @get(f"{self.prefix}/{{name:str}}", include_in_schema=False, sync_to_thread=False)
        def static_file(name: FromPath[str], request: Request) -> Response[bytes]:  # type: ignore[type-arg]
            asset = by_name.get(name)
            if asset is None:
                raise NotFoundException()
            return asset_response(asset, request)

        return static_file
