"""Messages in French (the default) and English, looked up by error code."""

from __future__ import annotations

from string import Formatter
from typing import Any

from litestar import Request

from app.i18n.catalog import MESSAGES

DEFAULT_LOCALE = "fr"
LOCALES = ("fr", "en")

LANGUAGE_COOKIE = "socle_lang"
"""The language a person chose with the pages' switch."""


def negotiate(accept_language: str | None) -> str:
    """The best of Socle's locales for an ``Accept-Language`` header."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        language = tag.split("-")[0].strip().lower()
        if language in LOCALES:
            ranked.append((weight, language))
    return max(ranked, key=lambda item: item[0])[1] if ranked else DEFAULT_LOCALE


def chosen_locale(request: Request) -> str:  # type: ignore[type-arg]
    """The language chosen with the pages' switch, else the client's best of
    Socle's: the pages' links (a CSV report) answer in the pages' language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LOCALES:
        return chosen
    return negotiate(request.headers.get("accept-language"))


def translate(code: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """The message for ``code`` in ``locale`` with ``params`` filled in; the
    code itself when no message exists (a test keeps that from happening)."""
    messages = MESSAGES.get(code)
    if messages is None:
        return code
    template = messages.get(locale) or messages[DEFAULT_LOCALE]
    return template.format(**{name: _worded(name, value, locale) for name, value in params.items()})


def _worded(param: str, value: Any, locale: str) -> Any:
    """A parameter's value in words, when the catalogue has words for it (``label.<param>.<value>``)."""
    label = MESSAGES.get(f"label.{param}.{value}") if isinstance(value, str) else None
    if label is None:
        return value
    return label.get(locale) or label[DEFAULT_LOCALE]


def placeholders(template: str) -> set[str]:
    """Names a message template expects."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}
