"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app import db
from app.runtime import Runtime

log = structlog.get_logger(__name__)

CHECK_TIMEOUT = 3.0


async def _probe(name: str, check: Callable[[], Awaitable[None]]) -> bool:
    try:
        await asyncio.wait_for(check(), timeout=CHECK_TIMEOUT)
    except Exception as error:
        log.warning("health.check_failed", component=name, error=type(error).__name__)
        return False
    return True


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012

    @get("/live", sync_to_thread=False, include_in_schema=False)
    def live(self) -> dict[str, str]:
        """The process is up and serving requests."""
        return {"status": "ok"}

    @get("/ready", include_in_schema=False)
    async def ready(self, runtime: NamedDependency[Runtime]) -> Response[dict[str, object]]:
        """The database, the job broker and the file storage each answer."""
        checks = {"database": db.ping, "broker": runtime.check_broker, "storage": runtime.storage.check}
        results = await asyncio.gather(*(_probe(name, check) for name, check in checks.items()))
        components = {name: "ok" if ok else "unavailable" for name, ok in zip(checks, results, strict=True)}
        ready = all(results)
        return Response(
            {"status": "ok" if ready else "unavailable", "components": components},
            status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE,
        )
