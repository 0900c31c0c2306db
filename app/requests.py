"""Request ids and access logs: every log line of a request carries its id,
and the response returns it in ``X-Request-ID`` so a user can quote it."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
SCOPE_KEY = "socle.request_id"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

log = structlog.get_logger("socle.http")


def request_id_of(scope: Scope) -> str:
    """The id given to the request by :class:`RequestIdMiddleware`."""
    return str(scope[SCOPE_KEY])  # type: ignore[literal-required]


class RequestIdMiddleware:
    """Reuse a well-formed ``X-Request-ID`` from a proxy or make one, bind it
    to the log context, and write one access line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _ACCEPTED.match(incoming) else uuid.uuid4().hex
        scope[SCOPE_KEY] = request_id  # type: ignore[literal-required]
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                method=scope.get("method"),
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("request_id")
