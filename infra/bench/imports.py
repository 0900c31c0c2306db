"""The bulk import's benchmark: a manager imports a generated file through
Socle's public API (``memberImportStart``, the upload, ``memberImportSubmit``,
then ``job(id)`` until it is done), worked through by a ``socle worker`` of
its own on Redis, beside PostgreSQL's COPY of the same file into a bare table.

Each size runs in a database of its own, copied from one migrated template
holding a small data set (its tenants, schemes and managers): the import
never meets members of an earlier run, and each worker is started for its
run, so that its peak resident memory (``VmHWM``) is that run's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from infra.bench import client, stack
from infra.bench.dataset import Dataset, copy_import_rows, generate, write_import_csv

TEMPLATE = "bench_imports_template"
TEMPLATE_MEMBERS = 1_000
"""Members of the import databases' data set: the tenants and accounts matter, not the register."""
POLL_SECONDS = 0.5
TIMEOUT_SECONDS = 3_600.0

_START = """mutation BenchImportStart($input: MemberImportStartInput!) {
  memberImportStart(input: $input) {
    __typename
    ... on MemberImportUpload { job { id } url fields { name value } }
    ... on MemberImportStartError { code message }
  }
}"""
_SUBMIT = """mutation BenchImportSubmit($id: ID!) {
  memberImportSubmit(input: {id: $id}) {
    __typename ... on Job { status } ... on MemberImportSubmitError { code message }
  }
}"""
_JOB = """query BenchImportJob($id: ID!) {
  job(id: $id) { status rowsRead rowsImported rowsExisting rowsFailed failure { code message } }
}"""


@dataclass(frozen=True)
class ImportRun:
    """One import of a file of ``rows`` rows, and COPY of the same file."""

    rows: int
    seconds: float
    rows_per_second: float
    imported: int
    existing: int
    failed: int
    worker_peak_rss_mib: float
    worker_cpu_seconds: float
    web_cpu_seconds: float
    """Socle's web process's CPU during the import: small, since the job runs in the worker."""
    copy_seconds: float
    copy_rows_per_second: float


def _on(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


async def _execute(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _database_environment(environment: Mapping[str, str], database: stack.Database, name: str) -> dict[str, str]:
    return {
        **environment,
        "SOCLE_DATABASE_URL": _on(database.app_url, name),
        "SOCLE_DATABASE_OWNER_URL": _on(database.owner_url, name),
    }


def prepare(database: stack.Database, environment: Mapping[str, str], seed: int) -> Dataset:
    """The migrated template with its small data set, made again each run."""
    asyncio.run(_execute(database.owner_url, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)",
                         f"CREATE DATABASE {TEMPLATE}"))  # fmt: skip
    stack.socle("migrate", environment=_database_environment(environment, database, TEMPLATE))
    return asyncio.run(generate(_on(database.owner_url, TEMPLATE), members=TEMPLATE_MEMBERS, seed=seed))


def _proc_status(pid: int, field: str) -> float:
    """A ``kB`` figure of ``/proc/<pid>/status``, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} missing from /proc/{pid}/status")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / 100  # USER_HZ is 100 on Linux


def _graphql(http: httpx.Client, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(f"Socle refused an import step: {body['errors']}")
    data: dict[str, Any] = body["data"]
    return data


def _import(origin: str, token: str, path: Path) -> tuple[float, dict[str, Any]]:
    """Import ``path`` as a client does; the seconds from the start to the job
    done, and the job."""
    content = path.read_bytes()
    with httpx.Client(base_url=origin, timeout=120) as http:
        started = time.perf_counter()
        answer = _graphql(
            http, token, _START, input={"fileName": path.name, "contentType": "text/csv", "size": len(content)}
        )
        form = answer["memberImportStart"]
        if form["__typename"] != "MemberImportUpload":
            raise RuntimeError(f"memberImportStart refused: {form}")
        fields = {field["name"]: field["value"] for field in form["fields"]}
        uploaded = http.post(urlsplit(form["url"]).path, data=fields, files={"file": (path.name, content, "text/csv")})
        uploaded.raise_for_status()
        job_id = form["job"]["id"]
        submitted = _graphql(http, token, _SUBMIT, id=job_id)["memberImportSubmit"]
        if submitted["__typename"] != "Job":
            raise RuntimeError(f"memberImportSubmit refused: {submitted}")
        deadline = started + TIMEOUT_SECONDS
        while True:
            job: dict[str, Any] = _graphql(http, token, _JOB, id=job_id)["job"]
            if job["status"] in ("DONE", "FAILED"):
                return time.perf_counter() - started, job
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the import of {path.name} was not done within {TIMEOUT_SECONDS} s: {job}")
            time.sleep(POLL_SECONDS)


def run_one(
    database: stack.Database, environment: Mapping[str, str], template: Dataset, rows: int, *, seed: int, root: Path
) -> ImportRun:
    """Import a file of ``rows`` rows into a fresh copy of the template, with a
    worker started for it; then COPY the same file."""
    name = f"bench_imports_{rows}"
    asyncio.run(_execute(database.owner_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                         f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))  # fmt: skip
    tenant = template.largest
    path = root / f"import-{rows}.csv"
    write_import_csv(path, rows, seed=seed, tenant=tenant)
    port = stack.free_port()
    served = {**_database_environment(environment, database, name), "SOCLE_HTTP_PORT": str(port)}
    origin = f"http://{stack.HOST}:{port}"
    logs = root / "logs"
    try:
        with (
            stack.running(stack.socle_serve_command(), environment=served, log=logs / "imports-socle.log",
                          ready_url=f"{origin}/health/ready") as web,
            stack.running(stack.socle_worker_command(), environment=served, log=logs / "imports-worker.log") as worker,
        ):  # fmt: skip
            token = client.sign_in(f"{origin}/graphql", tenant.manager_email, template.password)
            web_before, worker_before = _cpu_seconds(web.pid), _cpu_seconds(worker.pid)
            seconds, job = _import(origin, token, path)
            peak = _proc_status(worker.pid, "VmHWM")
            web_cpu, worker_cpu = _cpu_seconds(web.pid) - web_before, _cpu_seconds(worker.pid) - worker_before
        if job["status"] != "DONE" or job["rowsImported"] != rows:
            raise RuntimeError(f"the import of {rows} rows did not import them all: {job}")
        copied = asyncio.run(copy_import_rows(_on(database.owner_url, name), path))
    finally:
        asyncio.run(_execute(database.owner_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        path.unlink(missing_ok=True)
    return ImportRun(
        rows=rows,
        seconds=round(seconds, 3),
        rows_per_second=round(rows / seconds, 1),
        imported=job["rowsImported"],
        existing=job["rowsExisting"],
        failed=job["rowsFailed"],
        worker_peak_rss_mib=round(peak, 1),
        worker_cpu_seconds=round(worker_cpu, 2),
        web_cpu_seconds=round(web_cpu, 2),
        copy_seconds=round(copied.seconds, 4),
        copy_rows_per_second=round(copied.rows / copied.seconds, 1),
    )


def benchmark(database: stack.Database, environment: Mapping[str, str], sizes: tuple[int, ...], *, seed: int,
              root: Path) -> dict[str, Any]:  # fmt: skip
    """Every size's run, the largest's rows/s over COPY's, and the peak RSS of
    the largest over the smallest's."""
    template = prepare(database, environment, seed)
    try:
        runs = [run_one(database, environment, template, rows, seed=seed, root=root) for rows in sorted(sizes)]
    finally:
        asyncio.run(_execute(database.owner_url, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
    largest, smallest = runs[-1], runs[0]
    return {
        "tenant": template.largest.slug,
        "runs": [asdict(run) for run in runs],
        "ratio_to_copy": round(largest.rows_per_second / largest.copy_rows_per_second, 4),
        "rss_ratio": round(largest.worker_peak_rss_mib / smallest.worker_peak_rss_mib, 3),
    }
