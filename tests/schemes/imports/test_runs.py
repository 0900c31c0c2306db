"""Runs of an import, through the service: two at once count every row once,
and a country-sized file keeps the memory of a batch."""

from __future__ import annotations

import asyncio
import tracemalloc
from pathlib import Path

import pytest

from app.settings import Settings
from app.storage import make_storage
from schemes.imports import service as import_service
from schemes.imports.files import Column, Row, write_csv
from schemes.imports.kinds import IMPORTERS
from schemes.imports.service import BatchOutcome, Importer
from schemes.imports.tables import ImportJob, ImportKind, ImportStatus
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction, tenant_tx
from tests.factories import context, make_tenant
from tests.schemes.imports.example import HEADER, example_rows, importing_tenant, members_of

pytestmark = pytest.mark.usefixtures("migrated")


async def _queued(ctx: TenantContext, settings: Settings, path: Path) -> ImportJob:
    """An import of the file at ``path``, uploaded and submitted."""
    content = await asyncio.to_thread(path.read_bytes)
    storage = make_storage(settings, settings.secret())
    async with tenant_tx(ctx) as tx:
        job = await import_service.start_import(
            tx,
            ctx,
            import_service.NewImport(ImportKind.MEMBERS, path.name, "text/csv", len(content)),
            max_size=settings.import_max_bytes,
        )
    await storage.put(job.file_key, content, "text/csv")
    async with tenant_tx(ctx) as tx:
        await within(ctx, ImportJob).update({ImportJob.status: ImportStatus.QUEUED}).where(ImportJob.id == job.id)
        await audit.record_change(tx, ctx, "import.submit", "import", job.id)
    return job


async def _job(ctx: TenantContext, job: ImportJob) -> tuple[str, int, int, int, int, int]:
    async with tenant_tx(ctx):
        found = await within(ctx, ImportJob).objects().where(ImportJob.id == job.id).first()
    assert found is not None
    return (
        found.status,
        found.next_line,
        found.rows_read,
        found.rows_imported,
        found.rows_existing,
        found.rows_failed,
    )


async def test_two_runs_of_one_import_at_once_count_every_row_once(settings: Settings, tmp_path: Path) -> None:
    _, ctx, scheme = await importing_tenant()
    path = tmp_path / "adherents.csv"
    write_csv(path, HEADER, iter(example_rows(scheme.code) * 3))
    job = await _queued(ctx, settings, path)
    storage = make_storage(settings, settings.secret())

    await asyncio.gather(*(import_service.run(ctx, job.id, storage, IMPORTERS, batch_rows=2) for _ in range(2)))

    # 27 rows: the first copy imports 4 and reports 5; the copies find the 4 already there.
    assert await _job(ctx, job) == ("done", 29, 27, 4, 8, 15)
    assert len(await members_of(ctx)) == 2


async def test_a_100_000_row_file_keeps_the_memory_of_a_batch(settings: Settings, tmp_path: Path) -> None:
    ctx = await context(await make_tenant())
    path = tmp_path / "registre.csv"
    write_csv(
        path,
        ["Foyer", "Nom", "Prénoms", "Sexe", "Date de naissance"],
        ((f"F{i}", f"Nom{i}", f"Prénom{i}", "F", "1980") for i in range(100_000)),
    )
    job = await _queued(ctx, settings, path)
    counted: list[int] = []

    async def count(tx: Transaction, ctx: TenantContext, rows: list[Row]) -> BatchOutcome:
        counted.append(len(rows))
        return BatchOutcome(imported=len(rows))

    columns = [Column("household", "Foyer", required=True), Column("last_name", "Nom")]
    importer = Importer(columns=columns, group="household", write=count)

    tracemalloc.start()
    await import_service.run(ctx, job.id, make_storage(settings, settings.secret()), {ImportKind.MEMBERS: importer})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert await _job(ctx, job) == ("done", 100_002, 100_000, 100_000, 0, 0)
    assert counted == [500] * 200
    assert peak < 8_000_000, peak
