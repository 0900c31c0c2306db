"""How Socle is served, read from its CLI, so the baseline runs under the same
ASGI server and worker count."""

from __future__ import annotations

import inspect
import sys

from app import cli
from app.settings import Settings

_SERVERS = ("granian", "hypercorn", "uvicorn")


def socle_server() -> str:
    """The ASGI server ``socle serve`` runs (the one its code imports)."""
    source = inspect.getsource(inspect.unwrap(cli.serve.callback))  # type: ignore[arg-type]
    found = [name for name in _SERVERS if f"import {name}" in source]
    if len(found) != 1:
        raise RuntimeError(f"cannot tell which ASGI server socle serve uses (found {found or 'none'})")
    return found[0]


def serve_command(app_factory: str, *, host: str, port: int, settings: Settings) -> list[str]:
    """The command serving ``app_factory`` (``module:function``) the way
    ``socle serve`` serves Socle: same server, same worker count."""
    server = socle_server()
    workers = str(settings.http_workers)
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", app_factory, "--factory", "--host", host, "--port", str(port),
                "--workers", workers, "--log-level", "warning", "--no-access-log", "--no-server-header"]  # fmt: skip
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", host,
                "--port", str(port), "--workers", workers, "--no-log", app_factory]  # fmt: skip
    return [sys.executable, "-m", "hypercorn", f"{app_factory}()", "--bind", f"{host}:{port}", "--workers", workers]
