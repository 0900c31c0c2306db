"""The raw floor: a minimal ASGI application (no framework) that answers the
benchmark's GraphQL operations with asyncpg and orjson.

Per request it does what Socle must and nothing more: it verifies the bearer
token (ES256, with the keys of Socle's JWKS route, read at start), checks the
session with the statement of ``identity_service.user_context`` in a platform
transaction, then opens a tenant transaction with the same four
transaction-scoped settings as ``tenants.tx`` and runs the scenario's
statements (:mod:`infra.bench.scenarios`). It is served by the same ASGI
server and worker count as Socle (:mod:`infra.bench.serving`), configured
from the environment: ``BENCH_DATABASE_URL``, ``BENCH_JWKS_URL``,
``BENCH_POOL_MIN_SIZE`` and ``BENCH_POOL_MAX_SIZE``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
import urllib.request
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from infra.bench.scenarios import SCENARIOS, Caller, Scenario
from tenants.identity.service import USER_CONTEXT
from tenants.identity.tokens import AUDIENCE, CLOCK_LEEWAY, ISSUER
from tenants.tx import SET_CONTEXT

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_LEEWAY = CLOCK_LEEWAY.total_seconds()
_JSON_HEADERS = [(b"content-type", b"application/json")]


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def public_keys(jwks: dict[str, Any]) -> dict[str, ec.EllipticCurvePublicKey]:
    """The P-256 keys of a JWKS document, by key id."""
    keys = {}
    for key in jwks["keys"]:
        if key.get("kty") == "EC" and key.get("crv") == "P-256":
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(_b64(key["x"]), "big"), int.from_bytes(_b64(key["y"]), "big"), ec.SECP256R1()
            )
            keys[key["kid"]] = numbers.public_key()
    return keys


def verified_claims(keys: dict[str, ec.EllipticCurvePublicKey], token: str) -> dict[str, Any] | None:
    """The claims of a user's access token Socle would accept; None otherwise."""
    try:
        header_part, payload_part, signature_part = token.split(".")
        header = orjson.loads(_b64(header_part))
        key = keys.get(header.get("kid"))
        signature = _b64(signature_part)
        if header.get("alg") != "ES256" or key is None or len(signature) != 64:
            return None
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        key.verify(der, f"{header_part}.{payload_part}".encode(), ec.ECDSA(hashes.SHA256()))
        claims: dict[str, Any] = orjson.loads(_b64(payload_part))
    except (ValueError, InvalidSignature, orjson.JSONDecodeError):
        return None
    now = time.time()
    audience = claims.get("aud")
    if (
        claims.get("iss") != ISSUER
        or (audience != AUDIENCE and not (isinstance(audience, list) and AUDIENCE in audience))
        or claims.get("typ") != "user"
        or not all(name in claims for name in ("sub", "tid", "sid", "exp"))
        or claims["exp"] + _LEEWAY < now
        or claims.get("nbf", now) - _LEEWAY > now
        or claims.get("iat", now) - _LEEWAY > now
    ):
        return None
    return claims


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
        body: bytes = response.read()
        return body


class _Connection:
    """A scenario's :class:`infra.bench.scenarios.Queries` on the request's connection."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def fetch(self, statement: str, *args: Any) -> list[Any]:
        rows: list[Any] = await self.connection.fetch(statement, *args)
        return rows


class Baseline:
    """The ASGI application."""

    def __init__(self, database_url: str, jwks_url: str, pool_min_size: int, pool_max_size: int) -> None:
        self.database_url = database_url
        self.jwks_url = jwks_url
        self.pool_sizes = (pool_min_size, pool_max_size)
        self.pool: asyncpg.Pool | None = None
        self.keys: dict[str, ec.EllipticCurvePublicKey] = {}
        self.scenarios: dict[str, Scenario] = {s.operation: s for s in SCENARIOS}

    async def start(self) -> None:
        """Read Socle's public keys and open the pool, with Socle's connection settings."""
        self.keys = public_keys(orjson.loads(await asyncio.to_thread(_read, self.jwks_url)))
        self.pool = await asyncpg.create_pool(
            self.database_url,
            min_size=self.pool_sizes[0],
            max_size=self.pool_sizes[1],
            server_settings={"statement_timeout": "30s", "idle_in_transaction_session_timeout": "60s"},
        )

    async def stop(self) -> None:
        """Close the pool."""
        if self.pool is not None:
            await self.pool.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, payload = await self._answer(scope, body)
        await send({"type": "http.response.start", "status": status, "headers": _JSON_HEADERS})
        await send({"type": "http.response.body", "body": payload})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _answer(self, scope: Scope, body: bytes) -> tuple[int, bytes]:
        if scope["method"] != "POST" or scope["path"] != "/graphql":
            return 404, b'{"errors":[{"message":"not found"}]}'
        request = orjson.loads(body)
        scenario = self.scenarios.get(request.get("operationName") or "")
        if scenario is None:
            return 400, b'{"errors":[{"message":"unknown operation"}]}'
        claims = self._claims(scope)
        if claims is None:
            return 401, b'{"errors":[{"message":"invalid access token"}]}'
        assert self.pool is not None
        caller = await self._caller(claims)
        if caller is None:
            return 401, b'{"errors":[{"message":"session ended"}]}'
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                SET_CONTEXT,
                str(caller.tenant_id),
                "{" + ",".join(sorted(str(i) for i in caller.supervised)) + "}" if caller.supervised else "",
                str(caller.user_id),
                "",
            )
            data = await scenario.answer(_Connection(connection), caller, request.get("variables") or {})
        return 200, orjson.dumps({"data": data})

    def _claims(self, scope: Scope) -> dict[str, Any] | None:
        for name, value in scope["headers"]:
            if name == b"authorization":
                kind, _, token = value.decode("latin-1").partition(" ")
                return verified_claims(self.keys, token.strip()) if kind.lower() == "bearer" else None
        return None

    async def _caller(self, claims: dict[str, Any]) -> Caller | None:
        assert self.pool is not None
        user_id, tenant_id = UUID(claims["sub"]), UUID(claims["tid"])
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(SET_CONTEXT, "", "", "", "on")
            row = await connection.fetchrow(USER_CONTEXT, UUID(claims["sid"]), user_id, tenant_id)
        if row is None:
            return None
        return Caller(
            tenant_id=row["tenant_id"], user_id=user_id, country=row["country"], supervised=tuple(row["supervised"])
        )


def create_app() -> Baseline:
    """The application, configured from the environment (the ASGI server's factory)."""
    return Baseline(
        database_url=os.environ["BENCH_DATABASE_URL"],
        jwks_url=os.environ["BENCH_JWKS_URL"],
        pool_min_size=int(os.environ.get("BENCH_POOL_MIN_SIZE", "2")),
        pool_max_size=int(os.environ.get("BENCH_POOL_MAX_SIZE", "10")),
    )
