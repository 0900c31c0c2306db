"""Amounts in figures and in words, as receipts and pages write them."""

from __future__ import annotations

import pytest

from tenants.formats import in_words, money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (3_500, "XOF", "fr", "3\u202f500\u00a0F CFA"),
        (-5_500, "XOF", "fr", "-5\u202f500\u00a0F CFA"),
        (1_250_000, "XAF", "en", "1,250,000\u00a0F CFA"),
        (1_250, "EUR", "fr", "12,50\u00a0EUR"),
        (0, "XOF", "fr", "0\u00a0F CFA"),
    ],
)
def test_money_in_figures(amount: int, currency: str, locale: str, expected: str) -> None:
    assert money(amount, currency, locale) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (1, "XOF", "fr", "un franc CFA"),
        (80, "XOF", "fr", "quatre-vingts francs CFA"),
        (3_500, "XOF", "fr", "trois mille cinq cents francs CFA"),
        (21_000, "XAF", "fr", "vingt et un mille francs CFA"),
        (-5_500, "XOF", "fr", "cinq mille cinq cents francs CFA"),
        (1_250_000, "XOF", "fr", "un million deux cent cinquante mille francs CFA"),
        (2_000, "XOF", "en", "two thousand CFA francs"),
        (1_250, "EUR", "fr", "douze euros et cinquante centimes"),
        (101, "EUR", "en", "one euro and one cent"),
        (7_000, "GNF", "fr", "sept mille GNF"),
    ],
)
def test_money_in_words(amount: int, currency: str, locale: str, expected: str) -> None:
    assert in_words(amount, currency, locale) == expected
