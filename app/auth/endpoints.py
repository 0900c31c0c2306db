"""HTTP endpoints of authentication outside GraphQL."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from app.runtime import Runtime


@get("/.well-known/jwks.json", include_in_schema=False, cache_control=CacheControlHeader(max_age=300))
async def jwks(runtime: NamedDependency[Runtime]) -> dict[str, Any]:
    """The public keys that verify Socle's access tokens (RFC 7517), read
    afresh so that a key rotated in by another process is published at once."""
    await runtime.keys.reload()
    ring = await runtime.keys.ring()
    return ring.jwks()
