"""Amounts as the tenants' people write them, in figures and in words, for
pages and printed receipts alike. Amounts are integers in the currency's
minor unit."""

from __future__ import annotations

from num2words import num2words

from tenants.registry.currencies import MINOR_UNITS

CURRENCY_SIGNS = {"XOF": "F CFA", "XAF": "F CFA"}
"""How people write the currencies whose code they do not use."""

CURRENCY_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {"XOF": ("franc CFA", "francs CFA"), "XAF": ("franc CFA", "francs CFA"), "EUR": ("euro", "euros")},
    "en": {"XOF": ("CFA franc", "CFA francs"), "XAF": ("CFA franc", "CFA francs"), "EUR": ("euro", "euros")},
}
"""A currency's name in words, singular and plural: a receipt's amount is
written out in full (arrêté à la somme de …)."""
CENTS = {"fr": ("centime", "centimes"), "en": ("cent", "cents")}


def thousands(value: int, locale: str) -> str:
    """A count with its thousands apart, as each language writes them: ``20 000``, ``20,000``."""
    grouped = f"{value:,}"
    return grouped.replace(",", "\u202f") if locale == "fr" else grouped


def currency_sign(currency: str) -> str:
    """The currency as its users write it next to an amount: ``F CFA``, ``EUR``."""
    return CURRENCY_SIGNS.get(currency, currency)


def money(amount: int | None, currency: str, locale: str) -> str:
    """An amount in the currency's minor unit, as its users write it: ``3 500 F CFA``."""
    if amount is None:
        return ""
    digits = MINOR_UNITS.get(currency, 2)
    sign = "-" if amount < 0 else ""
    whole = thousands(abs(amount) // 10**digits, locale)
    cents = f"{',' if locale == 'fr' else '.'}{abs(amount) % 10**digits:0{digits}d}" if digits else ""
    return f"{sign}{whole}{cents}\u00a0{currency_sign(currency)}"


def _counted(count: int, names: tuple[str, str], locale: str) -> str:
    return f"{num2words(count, lang=locale)} {names[0] if count == 1 else names[1]}"


def in_words(amount: int, currency: str, locale: str) -> str:
    """An amount written out in the page's language: ``3500`` XOF is
    « trois mille cinq cents francs CFA »; a reversal's amount is negative
    and is written as its size."""
    digits = MINOR_UNITS.get(currency, 2)
    whole, cents = divmod(abs(amount), 10**digits)
    language = "fr" if locale == "fr" else "en"
    names = CURRENCY_NAMES[language].get(currency, (currency, currency))
    words = _counted(whole, names, language)
    if cents:
        words += f" {'et' if language == 'fr' else 'and'} {_counted(cents, CENTS[language], language)}"
    return words
