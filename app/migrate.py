"""``socle migrate``: apply the Piccolo migrations as the schema owner and
create (or update) the application's login role."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from app import db
from app.settings import Settings, SettingsError
from tenants.rls import APPLICATION_ROLE

_ENSURE_ROLE = """
SELECT format(
    CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
         THEN 'ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD %L'
         ELSE 'CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD %L'
    END, $1::text, $2::text)
"""


async def ensure_application_role(owner_url: str, role: str, password: str | None) -> None:
    """Create the login role the application connects with, member of the
    group role that migrations grant table privileges to."""
    connection = await asyncpg.connect(owner_url)
    try:
        statement = await connection.fetchval(_ENSURE_ROLE, role, password)
        await connection.execute(statement)
        await connection.execute(f'GRANT {APPLICATION_ROLE} TO "{role}"')
    finally:
        await connection.close()


@dataclass(frozen=True)
class MigrationReport:
    """How many migrations a run applied, and how many the database has."""

    applied: int
    total: int

    def __str__(self) -> str:
        done = f"database up to date ({self.total} migrations)"
        if not self.applied:
            return done
        return f"{self.applied} migration{'s' if self.applied != 1 else ''} applied; {done}"


async def _applied_migrations() -> int:
    return await Migration.count() if await Migration.table_exists() else 0


async def migrate(settings: Settings) -> MigrationReport:
    """Bring the database schema up to date and make the application role ready."""
    urls = db.database_urls(settings)
    if urls.owner is None:
        raise SettingsError("invalid setting SOCLE_DATABASE_OWNER_URL: required to migrate an external database")
    await db.check_server(urls.owner, application_role=False)
    db.connect(urls.owner, settings)
    before = await _applied_migrations()
    # Piccolo prints, per app, every migration as "already complete" before
    # running the ones that are not; the report says it in one true line.
    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")
    await ensure_application_role(urls.owner, urls.app_role, urls.app_password)
    total = await _applied_migrations()
    return MigrationReport(applied=total - before, total=total)
