"""The job that works an import through."""

from __future__ import annotations

from uuid import UUID

import dramatiq

from schemes.imports import service as import_service
from schemes.imports.kinds import IMPORTERS
from schemes.imports.service import ImportFiles
from tenants.context import SYSTEM
from tenants.registry import service as tenant_service
from tenants.tx import platform_tx

_files: ImportFiles | None = None

TIME_LIMIT_MS = 4 * 3600 * 1000
"""A country's register (hundreds of thousands of rows) takes minutes; dramatiq's default limit is ten."""


def configure(files: ImportFiles) -> None:
    """Give this process's jobs the storage import files are in."""
    global _files
    _files = files


@dramatiq.actor(actor_name=import_service.RUN_ACTOR, max_retries=5, time_limit=TIME_LIMIT_MS)
async def run_import(tenant_id: str, job_id: str) -> None:
    """Work the import through from where it stands: a retry after a crash
    continues after the last batch committed."""
    if _files is None:
        raise RuntimeError("import storage is not configured: build the runtime first")
    async with platform_tx() as tx:
        ctx = await tenant_service.context_for(tx, SYSTEM, UUID(tenant_id))
    await import_service.run(ctx, UUID(job_id), _files, IMPORTERS)
