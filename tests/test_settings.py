"""Settings are validated at start-up, with one line naming the wrong setting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.runtime import Runtime
from app.settings import Settings, SettingsError, load_settings


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"SOCLE_HTTP_PORT": "quatre-vingts"},
            "invalid setting SOCLE_HTTP_PORT: Input should be a valid integer, unable to parse string as an integer",
        ),
        ({"SOCLE_HTTP_PORT": "70000"}, "invalid setting SOCLE_HTTP_PORT: Input should be less than or equal to 65535"),
        (
            {"SOCLE_DATABASE_URL": "mysql://db/socle"},
            "invalid setting SOCLE_DATABASE_URL: must be a PostgreSQL URL starting with postgresql:// or postgres://",
        ),
        (
            {"SOCLE_BROKER_URL": "amqp://rabbit"},
            "invalid setting SOCLE_BROKER_URL: must be a Redis URL starting with redis:// or rediss://",
        ),
        (
            {"SOCLE_STORAGE_URL": "ftp://files"},
            "invalid setting SOCLE_STORAGE_URL: must be file://<folder> or s3://<bucket>[/<prefix>]",
        ),
        ({"SOCLE_SECRET_KEY": "court"}, "invalid setting SOCLE_SECRET_KEY: must be at least 32 characters long"),
        (
            {"SOCLE_PUBLIC_URL": "socle.example.sn"},
            "invalid setting SOCLE_PUBLIC_URL: must be a HTTP URL starting with http:// or https://",
        ),
        (
            {"SOCLE_TRUSTED_PROXIES": "10.0.0.0/8,proxy"},
            "invalid setting SOCLE_TRUSTED_PROXIES: 'proxy' does not appear to be an IPv4 or IPv6 network",
        ),
        ({"SOCLE_LOG_FORMAT": "xml"}, "invalid setting SOCLE_LOG_FORMAT: Input should be 'json' or 'console'"),
        (
            {"SOCLE_ENV": "production"},
            "invalid setting SOCLE_DATABASE_URL: required when SOCLE_ENV=production",
        ),
        (
            {
                "SOCLE_ENV": "production",
                "SOCLE_DATABASE_URL": "postgresql://app@db/socle",
                "SOCLE_BROKER_URL": "redis://redis:6379/0",
                "SOCLE_SECRET_KEY": "s" * 32,
            },
            "invalid setting SOCLE_PUBLIC_URL: required when SOCLE_ENV=production",
        ),
        (
            {
                "SOCLE_ENV": "production",
                "SOCLE_DATABASE_URL": "postgresql://app@db/socle",
                "SOCLE_BROKER_URL": "redis://redis:6379/0",
                "SOCLE_SECRET_KEY": "s" * 32,
                "SOCLE_PUBLIC_URL": "https://socle.example.sn",
            },
            "invalid setting SOCLE_STORAGE_URL: must be an s3:// URL when SOCLE_ENV=production",
        ),
        (
            {"SOCLE_DATABASE_POOL_MIN_SIZE": "20", "SOCLE_DATABASE_POOL_MAX_SIZE": "5"},
            "invalid setting SOCLE_DATABASE_POOL_MIN_SIZE: must not exceed SOCLE_DATABASE_POOL_MAX_SIZE",
        ),
    ],
)
def test_wrong_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], message: str
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value) == message


def test_defaults_run_the_embedded_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SOCLE_"):
            monkeypatch.delenv(name)
    settings = load_settings()
    assert (
        settings.embedded_database,
        settings.broker_url,
        settings.storage_url,
        settings.introspection_enabled,
        settings.public_address,
    ) == (True, None, "file://var/storage", True, "http://localhost:8000")


def test_production_turns_introspection_off() -> None:
    settings = Settings(
        env="production",
        database_url="postgresql://app@db/socle",
        broker_url="redis://redis:6379/0",
        secret_key="s" * 32,
        storage_url="s3://socle-files",
        public_url="https://socle.example.sn/",
    )
    assert (settings.introspection_enabled, settings.public_address) == (False, "https://socle.example.sn")


def test_command_stops_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        env={**os.environ, "SOCLE_HTTP_PORT": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "socle: invalid setting SOCLE_HTTP_PORT: Input should be greater than or equal to 1\n",
    )


SENDER_REFUSED = (
    "invalid setting SOCLE_SMS_SENDER: `log` writes sign-in codes and links to the log and is refused "
    "when SOCLE_ENV=production; Socle has no other sender yet: plug an operator's gateway into "
    "workers/messaging.py"
)


def test_serve_refuses_the_log_senders_in_production() -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("SOCLE_")}
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve"],
        env={
            **environment,
            "SOCLE_ENV": "production",
            "SOCLE_DATABASE_URL": "postgresql://app@db/socle",
            "SOCLE_BROKER_URL": "redis://redis:6379/0",
            "SOCLE_SECRET_KEY": "s" * 32,
            "SOCLE_STORAGE_URL": "s3://socle-files",
            "SOCLE_PUBLIC_URL": "https://socle.example.sn",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"socle: {SENDER_REFUSED}\n")


def test_every_process_refuses_the_log_senders_in_production() -> None:
    settings = Settings(
        env="production",
        database_url="postgresql://app@db/socle",
        broker_url="redis://redis:6379/0",
        secret_key="s" * 32,
        storage_url="s3://socle-files",
        public_url="https://socle.example.sn",
    )
    with pytest.raises(SettingsError) as raised:
        Runtime.from_settings(settings)
    assert str(raised.value) == SENDER_REFUSED
