"""Piccolo's engine and app registry (``PICCOLO_CONF=app.db``), and how Socle connects.

The engine is created without connecting: its connection settings are bound at
start-up by :func:`connect`, once the settings are validated and (for the
embedded default) the local server is running. It keeps one asyncpg pool per
event loop, because the web server and dramatiq's async actors run on
different loops and an asyncpg pool belongs to the loop that made it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

from app import local_postgres
from app.settings import Settings, SettingsError

MINIMUM_SERVER_VERSION = 150000


class SocleEngine(PostgresEngine):
    """PostgresEngine configured at start-up, with a connection pool per event loop."""

    def __init__(self) -> None:
        self._pools: dict[asyncio.AbstractEventLoop, asyncpg.Pool] = {}
        self.pool_options: dict[str, Any] = {}
        super().__init__(config={}, extensions=())

    async def check_version(self) -> None:
        """Skipped at construction: :func:`check_server` runs once connected."""

    async def prep_database(self) -> None:
        """Extensions are created by migrations, as the owner."""

    @property
    def pool(self) -> asyncpg.Pool | None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self._pools.get(loop)

    @pool.setter
    def pool(self, value: asyncpg.Pool | None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # PostgresEngine.__init__ sets ``pool = None`` before any loop runs.
            return
        if value is None:
            self._pools.pop(loop, None)
        else:
            self._pools[loop] = value

    async def start_connection_pool(self, **kwargs: Any) -> None:
        """Open the pool of the running event loop, if it has none yet."""
        if self.pool is None:
            self.pool = await asyncpg.create_pool(
                **{**self.config, **self.pool_options, "reset": keep_session, **kwargs}
            )

    async def close_connection_pool(self) -> None:
        """Close the pool of the running event loop, if it has one."""
        pool = self.pool
        if pool is not None:
            self.pool = None
            await pool.close()


async def keep_session(connection: asyncpg.Connection) -> None:
    """What a released connection needs beyond asyncpg's rollback of an open
    transaction: nothing, which saves a round trip per checkout.

    asyncpg's default reset (``RESET ALL``, ``UNLISTEN *``, ``CLOSE ALL``,
    releasing advisory locks) undoes session state, and Socle keeps none: its
    settings are transaction-scoped (``set_config(..., true)``), its advisory
    locks transaction-level, its cursors inside transactions, and it never
    listens.
    """


DB = SocleEngine()

APP_REGISTRY = AppRegistry(apps=["tenants.piccolo_app", "schemes.piccolo_app"])


@dataclass(frozen=True)
class DatabaseUrls:
    """The two connections Socle uses: the application role and the schema owner."""

    app: str
    owner: str | None

    @property
    def app_role(self) -> str:
        """Name of the application role, taken from its URL."""
        user = urlsplit(self.app).username
        if not user:
            raise SettingsError("invalid setting SOCLE_DATABASE_URL: must name a user")
        return unquote(user)

    @property
    def app_password(self) -> str | None:
        """Password of the application role, if its URL has one."""
        password = urlsplit(self.app).password
        return unquote(password) if password else None


def database_urls(settings: Settings) -> DatabaseUrls:
    """Resolve the URLs, starting the embedded server when none is configured."""
    if settings.database_url is None:
        server = local_postgres.start(settings.data_dir.resolve() / "pgdata")
        return DatabaseUrls(app=server.app_url, owner=settings.database_owner_url or server.owner_url)
    return DatabaseUrls(app=settings.database_url, owner=settings.database_owner_url)


def connect(url: str, settings: Settings) -> None:
    """Bind the engine to ``url``; pools open lazily per event loop with :func:`open_pool`."""
    DB.config = {
        "dsn": url,
        "server_settings": {
            "application_name": "socle",
            # A runaway statement or a forgotten open transaction must not hold
            # locks and connections for ever.
            "statement_timeout": "30s",
            "idle_in_transaction_session_timeout": "60s",
        },
    }
    DB.pool_options = {"min_size": settings.database_pool_min_size, "max_size": settings.database_pool_max_size}


async def open_pool() -> None:
    """Open the connection pool of the running event loop."""
    await DB.start_connection_pool()


async def close_pool() -> None:
    """Close the connection pool of the running event loop."""
    await DB.close_connection_pool()


async def check_server(url: str, *, application_role: bool) -> None:
    """Refuse a server older than PostgreSQL 15, and an application role that
    could see through row-level security: superuser, BYPASSRLS or table owner,
    or a direct or indirect member of such a role (it could ``SET ROLE`` to it)."""
    connection = await asyncpg.connect(url)
    try:
        version = await connection.fetchval("SELECT current_setting('server_version_num')::int")
        if version < MINIMUM_SERVER_VERSION:
            raise SettingsError(
                f"invalid setting SOCLE_DATABASE_URL: PostgreSQL 15 or newer is required (got {version})"
            )
        if not application_role:
            return
        row = await connection.fetchrow(
            """
            SELECT current_user AS login, r.rolname
            FROM pg_roles r
            WHERE pg_has_role(current_user, r.oid, 'MEMBER')
              AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole
                   OR EXISTS (SELECT 1 FROM pg_tables t
                              WHERE t.schemaname = 'public' AND t.tableowner = r.rolname))
            ORDER BY r.rolname <> current_user, r.rolname
            LIMIT 1
            """
        )
        if row is not None:
            role = f"role {row['login']!r}"
            if row["rolname"] != row["login"]:
                role += f" is a member of {row['rolname']!r}, which"
            raise SettingsError(
                f"invalid setting SOCLE_DATABASE_URL: {role} is a superuser, bypasses "
                "row-level security, creates roles or owns tables; connect as the application role"
            )
    finally:
        await connection.close()


async def ping() -> None:
    """Run ``SELECT 1`` on a pooled connection."""
    pool = DB.pool
    if pool is None:
        raise ConnectionError("the database pool is not open")
    await pool.fetchval("SELECT 1")
