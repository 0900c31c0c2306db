"""One benchmark run from start to end: the bench's own database (the data
set cached by members and seed), Socle served as in production with Redis
and a worker, the raw baseline and PostGraphile beside it, the rows check,
the statement counts, the RLS comparison, the interleaved load, the report."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from app.settings import Settings
from infra.bench import client, declarations, explain, imports, load, postgraphile, report, stack, statements
from infra.bench.client import Target
from infra.bench.dataset import Dataset
from infra.bench.scenarios import SCENARIOS, Caller, Scenario
from infra.bench.serving import socle_server
from tenants.registry.service import TENANT_SCOPE

DatasetFactory = Callable[[str, int, int], Dataset]
"""``(owner_url, members, seed)``: fills the freshly migrated database."""
_CACHE = "dataset.json"
"""Beside the database: the data set it holds, with the members and seed it was made with."""


@dataclass(frozen=True)
class Options:
    """What ``python -m infra.bench`` was asked for."""

    members: int = 100_000
    seed: int = 2026
    duration: float = 10.0
    rounds: int = 3
    concurrency: tuple[int, ...] = (8, 32)
    import_rows: tuple[int, ...] = (10_000, 100_000)
    out: Path = Path("docs/benchmarks.md")
    root: Path = Path("var/bench")
    counted_requests: int = 20
    """Requests per scenario whose statements are counted."""
    warm_up: bool = True
    """A run before each measured one (the smoke test has no use for it)."""


def _cache_key(options: Options) -> dict[str, int]:
    return {"members": options.members, "seed": options.seed}


def _cached(root: Path, options: Options) -> Dataset | None:
    """The data set of the database under ``root``, if it was made with these members and seed."""
    cache = root / _CACHE
    if not cache.exists():
        return None
    stored = json.loads(cache.read_text())
    return Dataset.from_json(json.dumps(stored["dataset"])) if stored["key"] == _cache_key(options) else None


def _fresh_database_unless_cached(root: Path, options: Options) -> None:
    """Remove the database under ``root`` unless it holds the data set asked for."""
    if _cached(root, options) is None:
        (root / _CACHE).unlink(missing_ok=True)
        shutil.rmtree(root / "pgdata", ignore_errors=True)


def _dataset(root: Path, options: Options, owner_url: str, factory: DatasetFactory) -> Dataset:
    """The cached data set, or a new one generated and cached beside the database."""
    found = _cached(root, options)
    if found is not None:
        return found
    data = factory(owner_url, options.members, options.seed)
    stored = {"key": _cache_key(options), "dataset": json.loads(data.to_json())}
    (root / _CACHE).write_text(json.dumps(stored, ensure_ascii=False, indent=1))
    return data


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


async def _caller(owner_url: str, token: str) -> Caller:
    claims = _claims(token)
    connection = await asyncpg.connect(owner_url)
    try:
        row = await connection.fetchrow(f"SELECT {TENANT_SCOPE} FROM tenants t WHERE t.id = $1", UUID(claims["tid"]))
    finally:
        await connection.close()
    return Caller(
        tenant_id=row["tenant_id"],
        user_id=UUID(claims["sub"]),
        country=row["country"],
        supervised=tuple(row["supervised"]),
    )


async def _server_version(owner_url: str) -> str:
    connection = await asyncpg.connect(owner_url)
    try:
        version: str = await connection.fetchval("SHOW server_version")
        return version
    finally:
        await connection.close()


def _send(target: Target, scenario: Scenario, data: Dataset, token: str) -> Callable[[], object]:
    body = target.body(scenario, data, 0)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send() -> object:
        return httpx.post(target.url, content=body, headers=headers, timeout=60).raise_for_status()

    return send


def _measure(
    targets: list[Target], scenario: Scenario, data: Dataset, socle_url: str, options: Options
) -> dict[str, dict[str, Any]]:
    """The scenario under load, targets interleaved round by round; medians by concurrency."""
    identifier, tenant = scenario.signs_in_as(data)
    variants = 200
    found: dict[str, dict[str, Any]] = {}
    for concurrency in options.concurrency:
        by_target: dict[str, list[load.Measure]] = {t.name: [] for t in targets}
        for _ in range(options.rounds):
            for target in targets:
                bodies = [b for i in range(variants) if (b := target.body(scenario, data, i)) is not None]
                if not bodies:
                    continue
                token = client.sign_in(socle_url, identifier, data.password, tenant)
                if options.warm_up:
                    warm_up = max(1.0, options.duration / 5)
                    load.run_wrk(target.url, bodies, token, concurrency=concurrency, seconds=warm_up)
                measure = load.run_wrk(target.url, bodies, token, concurrency=concurrency, seconds=options.duration)
                by_target[target.name].append(measure)
        found[str(concurrency)] = {name: load.as_json(load.median(m)) for name, m in by_target.items() if m}
    return found


def _targets(
    processes: ExitStack, database: stack.Database, data: Dataset, settings: Settings, socle_port: int, logs: Path
) -> list[Target]:
    """The baseline and PostGraphile (where its Node.js is installed), started
    beside Socle; every target."""
    baseline_port = stack.free_port()
    processes.enter_context(
        stack.running(
            stack.baseline_command(baseline_port, settings),
            environment=stack.baseline_environment(database, socle_port=socle_port, settings=settings),
            log=logs / "baseline.log",
            ready_port=baseline_port,
        )
    )
    socle_url = f"http://{stack.HOST}:{socle_port}/graphql"
    targets = [
        Target("socle", socle_url, client.socle_body, client.socle_rows),
        Target("baseline", f"http://{stack.HOST}:{baseline_port}/graphql", client.socle_body, client.socle_rows),
    ]
    if postgraphile.node_binary() is not None:
        asyncio.run(postgraphile.create_search(database.owner_url))
        graphile_url = processes.enter_context(
            postgraphile.serve(
                database.app_url,
                port=stack.free_port(),
                pool_size=settings.database_pool_max_size,
                jwks_url=f"http://{stack.HOST}:{socle_port}/.well-known/jwks.json",
            )
        )
        targets.append(client.graphile_target(graphile_url))
    return targets


def run(options: Options, factory: DatasetFactory) -> Path:
    """The whole benchmark; the path of the JSON results."""
    root = options.root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    _fresh_database_unless_cached(root, options)
    database = asyncio.run(stack.start_database(root))
    socle_port, redis_port = stack.free_port(), stack.free_port()
    environment = stack.socle_environment(root, port=socle_port, broker_url=f"redis://{stack.HOST}:{redis_port}/0")
    settings = Settings()
    logs = root / "logs"
    socle_url = f"http://{stack.HOST}:{socle_port}/graphql"
    with ExitStack() as redis:
        redis.enter_context(
            stack.running(stack.redis_command(redis_port), log=logs / "redis.log", ready_port=redis_port)
        )
        stack.socle("migrate", environment=environment)
        data = _dataset(root, options, database.owner_url, factory)
        # Socle, its worker and the other targets stop before the imports,
        # which start their own Socle and worker on databases of their own.
        with ExitStack() as processes:
            processes.enter_context(
                stack.running(
                    stack.socle_serve_command(),
                    environment=environment,
                    log=logs / "socle.log",
                    ready_url=f"http://{stack.HOST}:{socle_port}/health/ready",
                )
            )
            processes.enter_context(
                stack.running(stack.socle_worker_command(), environment=environment, log=logs / "worker.log")
            )
            targets = _targets(processes, database, data, settings, socle_port, logs)
            scenarios = [_scenario(s, targets, data, socle_url, database, options) for s in SCENARIOS]
            declared = declarations.benchmark(database.owner_url, socle_url, data, date.today())
        imported = imports.benchmark(database, environment, options.import_rows, seed=options.seed, root=root)
    results = {
        "machine": report.machine(),
        "versions": report.versions(
            asyncio.run(_server_version(database.owner_url)),
            postgraphile.VERSION if any(t.name == "postgraphile" for t in targets) else None,
        ),
        "dataset": {"members": options.members, "seed": options.seed},
        "settings": {
            "duration": options.duration,
            "rounds": options.rounds,
            "warm_up": options.warm_up,
            "concurrency": list(options.concurrency),
            "server": socle_server(),
            "workers": settings.http_workers,
        },
        "scenarios": scenarios,
        "imports": imported,
        "declarations": declared,
    }
    stack.stop_database(root)
    return report.write(results, options.out)


def _scenario(
    scenario: Scenario,
    targets: list[Target],
    data: Dataset,
    socle_url: str,
    database: stack.Database,
    options: Options,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": scenario.name,
        "description": scenario.description,
        "available": scenario.available,
        "note": scenario.note,
    }
    if not scenario.available:
        return found
    identifier, tenant = scenario.signs_in_as(data)
    token = client.sign_in(socle_url, identifier, data.password, tenant)
    found["rows"] = client.same_rows(targets, scenario, data, token)
    count = asyncio.run(
        statements.count(
            database.owner_url, database.app_role, _send(targets[0], scenario, data, token), options.counted_requests
        )
    )
    found["statements"] = asdict(count)
    caller = asyncio.run(_caller(database.owner_url, token))
    cost = asyncio.run(
        explain.rls_cost(database.app_url, database.owner_url, scenario, caller, scenario.variables(data, 0))
    )
    found["rls"] = {**asdict(cost), "ratio": cost.ratio}
    found["load"] = _measure(targets, scenario, data, socle_url, options)
    return found
