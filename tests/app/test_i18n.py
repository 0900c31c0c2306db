"""Every error code has a French and an English message with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import schemes
import tenants
from app.i18n import LOCALES, negotiate, placeholders, translate
from app.i18n.catalog import MESSAGES
from tenants.errors import DomainError


def _error_classes() -> list[type[DomainError]]:
    for package in (tenants, schemes):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if module.name.endswith(".errors"):
                importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    pending = list(DomainError.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "code" in cls.__dict__:
            found.append(cls)
    return sorted(found, key=lambda cls: cls.code)


@pytest.mark.parametrize("error", _error_classes(), ids=lambda cls: cls.code)
def test_every_error_code_has_both_languages(error: type[DomainError]) -> None:
    assert set(MESSAGES[error.code]) == set(LOCALES)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_languages_share_placeholders(code: str) -> None:
    assert placeholders(MESSAGES[code]["fr"]) == placeholders(MESSAGES[code]["en"])


def test_translate_in_both_languages() -> None:
    assert translate("tenants.SLUG_TAKEN", slug="mutuelle-thies") == "L'identifiant « mutuelle-thies » est déjà pris."
    assert (
        translate("tenants.SLUG_TAKEN", "en", slug="mutuelle-thies")
        == "The identifier “mutuelle-thies” is already taken."
    )


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "fr"),
        ("", "fr"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("wo-SN,fr;q=0.8,en;q=0.5", "fr"),
        ("de-DE,de;q=0.9", "fr"),
        ("fr;q=0.4,en;q=0.6", "en"),
        ("en;q=abc", "fr"),
    ],
)
def test_negotiate(header: str | None, locale: str) -> None:
    assert negotiate(header) == locale


def test_a_field_and_a_category_are_named_in_words() -> None:
    assert translate("members.FIELD_REQUIRED", "en", field="tradesRegisterNumber", category="precarious_worker") == (
        "The field “Trades register number” is required for the category “precarious worker”."
    )
    # An import names the column as its file heads it: already in words, it stays as it is.
    assert translate("members.FIELD_REQUIRED", field="Métier", category="artisan") == (
        "Le champ « Métier » est obligatoire pour la catégorie « artisan »."
    )
