"""The deployment files give every Socle process the settings it needs."""

from __future__ import annotations

import os
import re
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import Settings, load_settings

COMPOSE = Path(__file__).parent.parent / "infra" / "compose.yaml"

# What an operator exports before `docker compose up`, as the file's header says.
OPERATOR_ENVIRONMENT = {"SOCLE_SECRET_KEY": "k" * 48, "SOCLE_PUBLIC_URL": "http://localhost:8000"}

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::(?P<kind>[-?])(?P<default>[^}]*))?\}")


def _interpolate(value: str) -> str:
    """Compose's `${NAME:-default}` and `${NAME:?message}`, from the operator's environment."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name in OPERATOR_ENVIRONMENT:
            return OPERATOR_ENVIRONMENT[name]
        if match["kind"] == "-":
            return match["default"]
        pytest.fail(f"compose.yaml needs {name} from the operator: {match['default']}")

    return _VARIABLE.sub(replace, value)


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def _environments() -> dict[str, dict[str, str]]:
    services = _services()
    return {
        name: {key: _interpolate(str(value)) for key, value in services[name]["environment"].items()}
        for name in ("migrate", "web", "worker")
    }


def _settings(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> Settings:
    for name in list(os.environ):
        if name.startswith("SOCLE_"):
            monkeypatch.delenv(name)
    # The image sets SOCLE_ENV=production (infra/Containerfile).
    monkeypatch.setenv("SOCLE_ENV", "production")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def test_compose_services_share_the_settings_and_web_adds_its_own() -> None:
    environments = _environments()
    assert environments["migrate"] == environments["worker"]
    assert environments["web"] == {
        **environments["worker"],
        "SOCLE_HTTP_WORKERS": "2",
        "SOCLE_TRUSTED_PROXIES": _services()["proxy"]["networks"]["edge"]["ipv4_address"],
    }


@pytest.mark.parametrize("service", ["migrate", "web", "worker"])
def test_compose_services_have_what_production_requires(monkeypatch: pytest.MonkeyPatch, service: str) -> None:
    settings = _settings(monkeypatch, _environments()[service])
    web = service == "web"
    assert (
        settings.broker_url,
        settings.storage_url,
        settings.public_address,
        settings.http_workers,
        settings.trusted_proxies,
    ) == (
        "redis://redis:6379/0",
        "s3://socle-files",
        "http://localhost:8000",
        2 if web else 1,
        (ip_network("172.30.80.2"),) if web else (),
    )


@pytest.mark.parametrize("service", ["migrate", "web", "worker"])
def test_compose_services_wait_for_the_database_and_the_broker(service: str) -> None:
    depends_on = _services()[service]["depends_on"]
    assert {"postgres": {"condition": "service_healthy"}, "redis": {"condition": "service_started"}}.items() <= (
        depends_on.items()
    )
    if service != "migrate":
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
