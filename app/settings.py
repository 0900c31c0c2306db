"""Settings read from the environment (``SOCLE_*``), validated once at start-up.

Every setting has a default that runs the embedded demo: an embedded PostgreSQL
under ``var/``, an in-process job broker and a local storage folder. Production
(``SOCLE_ENV=production``) requires the external services to be named.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "SOCLE_"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SettingsError(Exception):
    """A setting has a wrong value; the message is one line naming it."""


def _check_url(value: str | None, schemes: tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ValueError(f"must be a {what} URL starting with {' or '.join(s + '://' for s in schemes)}")
    return value


class Settings(BaseSettings):
    """Socle's configuration. Each field is read from `SOCLE_<FIELD NAME>`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore", use_attribute_docstrings=True)

    env: Environment = Environment.DEVELOPMENT
    """`development` (default), `test` or `production`. Production requires
    an external database, a Redis broker, S3 storage and a secret key, and turns
    GraphQL introspection off unless asked for."""

    data_dir: Path = Path("var")
    """Folder for local state: the embedded PostgreSQL, local storage, the
    development secret key."""

    database_url: str | None = None
    """PostgreSQL URL the application connects with. Its role must not own the
    tables nor bypass row-level security. Unset: the embedded PostgreSQL under
    `var/pgdata`."""

    database_owner_url: str | None = None
    """PostgreSQL URL of the role that owns the schema, used only by
    `socle migrate`, which also creates the application role of
    `SOCLE_DATABASE_URL`. Unset with the embedded database: its superuser."""

    database_pool_min_size: Annotated[int, Field(ge=1, le=100)] = 2
    """Connections kept open per process and event loop."""

    database_pool_max_size: Annotated[int, Field(ge=1, le=500)] = 10
    """Most connections per process and event loop."""

    broker_url: str | None = None
    """Redis URL for dramatiq (`redis://host:6379/0`). Unset: an in-process
    broker and worker, for the demo."""

    storage_url: str = "file://var/storage"
    """Where files go: `file://<folder>` or `s3://<bucket>[/<prefix>]`."""

    storage_endpoint_url: str | None = None
    """S3-compatible endpoint (MinIO, Ceph, OVH...). Unset: AWS. Credentials come
    from boto3's usual sources (`AWS_ACCESS_KEY_ID`, instance roles...)."""

    storage_region: str | None = None
    """S3 region name."""

    document_max_bytes: Annotated[int, Field(ge=1024, le=1_073_741_824)] = 10_485_760
    """Largest document (photo, scan) a client may upload, in bytes (10 MiB
    by default); the storage refuses a larger file."""

    import_max_bytes: Annotated[int, Field(ge=1024, le=1_073_741_824)] = 52_428_800
    """Largest import file (CSV or XLSX of members) a client may upload, in
    bytes (50 MiB by default: about 300,000 rows)."""

    secret_key: SecretStr | None = None
    """At least 32 characters; encrypts the token signing keys and signs
    cookies. Unset outside production: a random key kept in `var/secret_key`."""

    http_host: str = "127.0.0.1"
    """Address `socle serve` listens on."""

    http_port: Annotated[int, Field(ge=1, le=65535)] = 8000
    """Port `socle serve` listens on."""

    http_workers: Annotated[int, Field(ge=1, le=64)] = 1
    """Processes `socle serve` starts."""

    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    """Comma-separated addresses or CIDR networks of the reverse proxies and
    load balancers in front of Socle (`10.0.0.0/8,192.0.2.7`). A request from
    one of them comes from the right-most address of its `X-Forwarded-For`
    that is not one of them; that address is the one throttled and audited.
    Unset: none, `X-Forwarded-For` is ignored."""

    http_max_body_bytes: Annotated[int, Field(ge=1024, le=1_073_741_824)] = 1_048_576
    """Largest request body accepted, in bytes (1 MiB by default); a larger
    one is refused with a 413 before it is parsed."""

    sms_sender: Literal["log"] = "log"
    """How SMS (sign-in codes, invitations, password resets) are sent: `log`
    writes them to the log, and is refused in production."""

    mail_sender: Literal["log"] = "log"
    """How emails (invitations, password resets) are sent: `log` writes them
    to the log, and is refused in production."""

    public_url: str | None = None
    """The address people reach Socle at (`https://socle.example.sn`); links in
    messages start with it. Unset: `http://localhost:<SOCLE_HTTP_PORT>`, except
    in production, where it is required."""

    wave_api_url: str = "https://api.wave.com"
    """Wave's checkout API; each tenant sets its own keys (`configurePaymentGateway`)."""

    stripe_api_url: str = "https://api.stripe.com"
    """Stripe's API; each tenant sets its own keys (`configurePaymentGateway`)."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Lowest level written to the log."""

    log_format: Literal["json", "console"] = "json"
    """`json`: one JSON object per line; `console`: readable, for a terminal."""

    graphql_introspection: bool | None = None
    """Allow schema introspection (GraphiQL needs it). Unset: on, except in production."""

    graphql_max_depth: Annotated[int, Field(ge=2, le=50)] = 12
    """Deepest selection a query may nest."""

    graphql_max_tokens: Annotated[int, Field(ge=100, le=100_000)] = 5000
    """Most tokens one GraphQL document may have."""

    graphql_max_aliases: Annotated[int, Field(ge=1, le=1000)] = 30
    """Most aliases one GraphQL document may use."""

    outbox_relay_interval: Annotated[float, Field(gt=0, le=3600)] = 5.0
    """Seconds between two sweeps of the job outbox for jobs not relayed at commit."""

    outbox_relay_grace: Annotated[float, Field(ge=0, le=3600)] = 30.0
    """Age in seconds after which a committed job is taken as not relayed by its
    own process (which died) and is relayed by the sweep."""

    worker_threads: Annotated[int, Field(ge=1, le=64)] = 4
    """Threads of each `socle worker` process (and of the in-process worker)."""

    @field_validator("database_url", "database_owner_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        return _check_url(value, ("postgresql", "postgres"), "PostgreSQL")

    @field_validator("broker_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        return _check_url(value, ("redis", "rediss"), "Redis")

    @field_validator("storage_url")
    @classmethod
    def _storage_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme == "s3" and parts.netloc:
            return value
        if parts.scheme == "file" and (parts.netloc or parts.path):
            return value
        raise ValueError("must be file://<folder> or s3://<bucket>[/<prefix>]")

    @field_validator("storage_endpoint_url", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _check_url(value, ("http", "https"), "HTTP")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return tuple(ip_network(part.strip()) for part in value.split(",") if part.strip())

    @field_validator("secret_key")
    @classmethod
    def _secret_key_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters long")
        return value

    @model_validator(mode="after")
    def _production_requirements(self) -> Settings:
        if self.database_pool_min_size > self.database_pool_max_size:
            raise ValueError(f"{ENV_PREFIX}DATABASE_POOL_MIN_SIZE: must not exceed {ENV_PREFIX}DATABASE_POOL_MAX_SIZE")
        if self.env is not Environment.PRODUCTION:
            return self
        required = {
            "database_url": self.database_url,
            "broker_url": self.broker_url,
            "secret_key": self.secret_key,
            "public_url": self.public_url,
        }
        for name, value in required.items():
            if value is None:
                raise ValueError(f"{ENV_PREFIX}{name.upper()}: required when {ENV_PREFIX}ENV=production")
        if not self.storage_url.startswith("s3://"):
            raise ValueError(f"{ENV_PREFIX}STORAGE_URL: must be an s3:// URL when {ENV_PREFIX}ENV=production")
        return self

    @property
    def upload_max_bytes(self) -> int:
        """The largest file of any kind a client may upload (document or import)."""
        return max(self.document_max_bytes, self.import_max_bytes)

    @property
    def introspection_enabled(self) -> bool:
        """Whether GraphQL introspection is allowed."""
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return self.env is not Environment.PRODUCTION

    @property
    def public_address(self) -> str:
        """Where links in messages point, without a trailing slash."""
        return (self.public_url or f"http://localhost:{self.http_port}").rstrip("/")

    @property
    def embedded_database(self) -> bool:
        """True when Socle runs its own PostgreSQL under ``data_dir``."""
        return self.database_url is None

    def secret(self) -> str:
        """The secret key; outside production, one made once under `data_dir`."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def settings_table() -> str:
    """The Markdown table of every setting, its default and its description,
    as README.md shows it."""
    rows = ["| Setting | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default
        value = default.value if isinstance(default, StrEnum) else default
        shown = "(unset)" if default is None or default == () else f"`{value}`"
        description = " ".join((field.description or "").split())
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | {shown} | {description} |")
    return "\n".join(rows) + "\n"


def describe_validation_error(error: ValidationError) -> str:
    """One line naming the first wrong setting and what is wrong with it."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["loc"]:
        name = f"{ENV_PREFIX}{str(first['loc'][0]).upper()}"
        return f"invalid setting {name}: {message}"
    return f"invalid setting {message}"


def load_settings() -> Settings:
    """Read and validate the settings; raise ``SettingsError`` with one clear line."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
