"""The ``socle`` command."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from uuid import UUID

import asyncpg
import click

from app import db
from app.graphiql.assets import MissingAssets, load_assets
from app.i18n import translate
from app.settings import Environment, Settings, SettingsError, get_settings
from tenants.errors import DomainError

T = TypeVar("T")

SCHEMA_PATH = Path("graphql/schema.graphql")


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"socle: {message}", err=True)
    sys.exit(code)


def _command(function: Callable[..., T]) -> Callable[..., T]:
    """Run a command with validated settings; turn setting and input errors
    into one line on standard error."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return function(get_settings(), *args, **kwargs)
        except SettingsError as error:
            _fail(str(error), 2)
        except DomainError as error:
            field = ".".join(error.path[1:]) or "-"
            _fail(f"{field}: {translate(error.code, **error.params)}", 1)
        except (OSError, asyncpg.PostgresError) as error:
            _fail(f"database error: {type(error).__name__}: {error}", 1)

    return wrapper


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@asynccontextmanager
async def _application_database(settings: Settings) -> AsyncIterator[None]:
    from tenants import outbox as jobs
    from workers.actors import ACTORS

    # A command sends no job itself: what it writes in the outbox (a payment's
    # receipt) is sent by the relay of the serving processes.
    jobs.hold(actor.actor_name for actor in ACTORS)
    urls = await asyncio.to_thread(db.database_urls, settings)
    await db.check_server(urls.app, application_role=True)
    db.connect(urls.app, settings)
    await db.open_pool()
    try:
        yield
    finally:
        await db.close_pool()


@click.group()
def main() -> None:
    """Socle: social protection schemes, their members, contributions and benefits."""


@main.command()
@_command
def serve(settings: Settings) -> None:
    """Serve the web application and GraphQL API."""
    import uvicorn

    from app.logs import configure_logging
    from workers.messaging import check_senders

    check_senders(settings)  # here, as one line, rather than once per web process under uvicorn
    configure_logging(settings)
    if settings.introspection_enabled:
        try:
            load_assets()
        except MissingAssets as error:
            _fail(str(error), 1)
    if settings.embedded_database:
        db.database_urls(settings)  # start the embedded server once, before the workers
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        workers=settings.http_workers,
        # libuv's event loop and the C HTTP parser: the pure-Python ones cost
        # a measurable share of each request (docs/benchmarks.md).
        loop="uvloop",
        http="httptools",
        log_config=None,
        # Socle reads X-Forwarded-For itself, from SOCLE_TRUSTED_PROXIES only.
        proxy_headers=False,
        server_header=False,
    )


@main.command()
@_command
def worker(settings: Settings) -> None:
    """Run background jobs from the Redis broker, and the outbox relay."""
    from app.logs import configure_logging
    from app.runtime import Runtime

    if settings.broker_url is None:
        raise SettingsError(
            "invalid setting SOCLE_BROKER_URL: required by socle worker (without it, socle serve runs jobs)"
        )
    configure_logging(settings)

    async def run() -> None:
        runtime = Runtime.from_settings(settings)
        await runtime.start(run_worker=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runtime.stop()

    _run(run())


@main.command()
@_command
def migrate(settings: Settings) -> None:
    """Apply database migrations as the owner and prepare the application role."""
    from app.migrate import migrate as run_migrations

    click.echo(f"socle: {_run(run_migrations(settings))}")


@main.command()
@_command
def demo(settings: Settings) -> None:
    """Load the demo data (a ministry, two mutuals, an IPM) and print its accounts."""
    from app.demo import DEMO_PASSWORD, load_demo

    if settings.env is Environment.PRODUCTION:
        raise SettingsError("invalid setting SOCLE_ENV: socle demo does not run in production")

    async def run() -> list[Any]:
        async with _application_database(settings):
            return await load_demo()

    accounts = _run(run())
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}; a member signs in with a code sent by SMS, in the log)")
    for account in accounts:
        click.echo(f"  {account.identifier:<42} {account.role.value:<18} {account.tenant}")


@main.group()
def schema() -> None:
    """The GraphQL schema."""


@schema.command("export")
@click.option("--output", type=click.Path(path_type=Path), default=SCHEMA_PATH, show_default=True)
@_command
def schema_export(settings: Settings, output: Path) -> None:
    """Write the schema in SDL, as committed in graphql/schema.graphql."""
    from app.api.schema import export_sdl

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(export_sdl(settings))
    click.echo(f"socle: wrote {output}")


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@click.option("--tenant", "slug", default=None, help="Slug of the tenant whose chain to check; default: every chain.")
@_command
def audit_verify(settings: Settings, slug: str | None) -> None:
    """Recompute the audit hash chains; exit 1 if one is broken, naming where."""
    from tenants.audit import service as audit_log
    from tenants.registry.tables import Tenant
    from tenants.tx import platform_tx

    async def run() -> list[tuple[str, audit_log.ChainReport]]:
        async with _application_database(settings), platform_tx() as tx:
            tenants = await Tenant.select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
            if slug is not None:
                tenants = [row for row in tenants if row["slug"] == slug]
                if not tenants:
                    raise SettingsError(f"no tenant has the slug {slug!r}")
            chains: list[tuple[str, Any, int]] = [(row["slug"], row["id"], 0) for row in tenants]
            if slug is None:
                chains[:0] = [(f"(platform {chain})", None, chain) for chain in audit_log.chains_of(None)]
            return [(name, await audit_log.verify_chain(tx, tenant_id, chain)) for name, tenant_id, chain in chains]

    broken = False
    for name, report in _run(run()):
        if report.intact:
            click.echo(f"{name}: intact ({report.checked} events)")
        else:
            broken = True
            click.echo(f"{name}: BROKEN at event {report.broken_at_seq} ({report.checked} events before it check out)")
    if broken:
        sys.exit(1)


@main.group()
def keys() -> None:
    """The keys that sign access tokens."""


@keys.command("rotate")
@_command
def keys_rotate(settings: Settings) -> None:
    """Start signing with a new key; tokens signed with the old one stay valid until they expire."""
    from tenants.identity import keys as signing_keys
    from tenants.tx import platform_tx

    async def run() -> None:
        async with _application_database(settings), platform_tx() as tx:
            await signing_keys.rotate(tx, settings.secret())

    _run(run())
    click.echo("socle: new signing key in use; every process picks it up within 5 minutes")


@main.group()
def outbox() -> None:
    """The job outbox: jobs the relay sweep gave up on."""


@outbox.command("parked")
@_command
def outbox_parked(settings: Settings) -> None:
    """List the parked jobs, oldest parked first, with their last error."""
    from tenants.relay import ParkedJob, parked_jobs
    from tenants.tx import platform_tx

    async def run() -> list[ParkedJob]:
        async with _application_database(settings), platform_tx() as tx:
            return await parked_jobs(tx)

    jobs = _run(run())
    for job in jobs:
        tenant_id = job.tenant_id or "-"
        click.echo(
            f"{job.id}  {job.actor_name}  tenant {tenant_id}  {job.attempts} attempts"
            f"  parked {job.parked_at.isoformat()}  {job.last_error}"
        )
    click.echo(f"socle: {len(jobs)} parked jobs")


@outbox.command("retry")
@click.argument("job_id", type=click.UUID, required=False)
@click.option("--all", "every", is_flag=True, help="Re-queue every parked job.")
@_command
def outbox_retry(settings: Settings, job_id: UUID | None, every: bool) -> None:
    """Give a parked job (or, with --all, every one) back to the relay sweep."""
    from app.logs import configure_logging
    from tenants.relay import requeue
    from tenants.tx import platform_tx

    if (job_id is not None) == every:
        raise click.UsageError("give the id of a parked job or --all")
    configure_logging(settings)

    async def run() -> list[UUID]:
        async with _application_database(settings), platform_tx() as tx:
            return await requeue(tx, [job_id] if job_id is not None else None)

    requeued = _run(run())
    if job_id is not None and not requeued:
        _fail(f"no parked job has the id {job_id}", 1)
    click.echo(f"socle: {len(requeued)} jobs re-queued; the next sweep sends them")


@main.group()
def reference() -> None:
    """Reference data: administrative divisions."""


@reference.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_command
def reference_load(settings: Settings, file: Path) -> None:
    """Add or update administrative divisions from a CSV file (code,country,parent_code,level,name)."""
    from schemes.reference import service as reference_service
    from tenants.context import PlatformContext
    from tenants.tx import platform_tx

    with file.open(encoding="utf-8-sig", newline="") as lines:
        divisions = reference_service.read_divisions(lines)

    async def run() -> reference_service.LoadReport:
        async with _application_database(settings), platform_tx() as tx:
            return await reference_service.load_divisions(tx, PlatformContext(), divisions)

    report = _run(run())
    click.echo(f"socle: {report.added} divisions added, {report.changed} changed, {report.unchanged} unchanged")


@main.group()
def tenant() -> None:
    """Tenants: ministries, mutuals and IPMs."""


@tenant.command("create")
@click.option("--kind", type=click.Choice(["ministry", "mutual", "ipm"]), required=True)
@click.option("--name", required=True, help="Official name.")
@click.option("--slug", required=True, help="Short unique identifier: lower-case letters, digits, hyphens.")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. SN.")
@click.option("--currency", required=True, help="ISO 4217 code, e.g. XOF.")
@click.option(
    "--status",
    type=click.Choice(["pending", "approved", "suspended", "withdrawn"]),
    default="pending",
    show_default=True,
)
@_command
def tenant_create(
    settings: Settings, kind: str, name: str, slug: str, country: str, currency: str, status: str
) -> None:
    """Register a tenant."""
    from tenants.registry import service as tenant_service
    from tenants.roles import TenantKind, TenantStatus
    from tenants.tx import platform_tx

    data = tenant_service.NewTenant(
        kind=TenantKind(kind),
        name=name,
        slug=slug,
        country=country,
        currency=currency,
        status=TenantStatus(status),
    )

    async def run() -> Any:
        async with _application_database(settings), platform_tx() as tx:
            return await tenant_service.create_tenant(tx, data)

    created = _run(run())
    click.echo(f"socle: created tenant {created.slug} ({created.id})")


@main.group()
def contributions() -> None:
    """Contribution calls and members' rights."""


@contributions.command("call")
@_command
def contributions_call(settings: Settings) -> None:
    """Call, in every tenant, the periods under way or starting within ten
    days, then draw up the State's subsidy statements due; run daily (a cron
    job). Calls already made are left as they are."""
    from app.logs import configure_logging
    from workers import contributions as daily

    configure_logging(settings)

    async def run() -> list[Any]:
        async with _application_database(settings):
            return [run for tenant_id in await daily.calling_tenants() for run in await daily.call_tenant(tenant_id)]

    runs = _run(run())
    created = sum(run.created for run in runs)
    click.echo(f"socle: {len(runs)} scheme periods called, {created} calls created")


@contributions.command("rights")
@_command
def contributions_rights(settings: Settings) -> None:
    """Suspend, in every tenant, the members whose dues are unpaid past their
    scheme's grace and limit, and reinstate those Socle suspended who have
    paid since; run daily, after the calls (a cron job)."""
    from app.logs import configure_logging
    from workers import contributions as daily

    configure_logging(settings)

    async def run() -> list[Any]:
        async with _application_database(settings):
            return [await daily.apply_rights_tenant(tenant_id) for tenant_id in await daily.calling_tenants()]

    passes = _run(run())
    suspended, reinstated = sum(p.suspended for p in passes), sum(p.reinstated for p in passes)
    click.echo(f"socle: {len(passes)} tenants, {suspended} members suspended, {reinstated} reinstated")


@contributions.command("remind")
@_command
def contributions_remind(settings: Settings) -> None:
    """Remind by SMS, in every tenant, the members whose calls are due within
    a week or unpaid since less than a month; run daily (a cron job). Each
    call is reminded once per stage, however often this runs."""
    from app.logs import configure_logging
    from workers import contributions as daily

    configure_logging(settings)

    async def run() -> int:
        async with _application_database(settings):
            return sum([await daily.remind_tenant(tenant_id) for tenant_id in await daily.calling_tenants()])

    written = _run(run())
    click.echo(f"socle: {written} reminders to send")


@contributions.command("poll")
@_command
def contributions_poll(settings: Settings) -> None:
    """Ask the payment providers about online payments still open after two
    minutes, for the events that never came; run every few minutes (a cron
    job). A payment the provider says was received is recorded, once."""
    from datetime import UTC, datetime

    from app.logs import configure_logging
    from app.runtime import make_gateways
    from workers import gateways as online

    configure_logging(settings)

    async def run() -> int:
        async with _application_database(settings):
            return await online.poll_all(make_gateways(settings), datetime.now(UTC))

    asked = _run(run())
    click.echo(f"socle: {asked} online payments asked about")
