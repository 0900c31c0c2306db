"""A country's regions: its first-level ISO 3166-2 subdivisions, from pycountry."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry


@dataclass(frozen=True)
class Region:
    """A first-level subdivision: its ISO 3166-2 code (SN-DK) and its name."""

    code: str
    name: str


@cache
def regions_of(country: str) -> tuple[Region, ...]:
    """The regions of ``country`` (ISO 3166-1 alpha-2), by name; none for an unknown country."""
    found = pycountry.subdivisions.get(country_code=country.upper()) or []  # type: ignore[no-untyped-call]
    top = [s for s in found if s.parent_code is None]
    return tuple(sorted((Region(code=s.code, name=s.name) for s in top), key=lambda r: r.name))


def region(country: str, code: str) -> Region | None:
    """The region of ``country`` with ISO 3166-2 ``code``, if there is one."""
    return next((r for r in regions_of(country) if r.code == code.strip().upper()), None)


def region_named(country: str, text: str) -> Region | None:
    """The region of ``country`` a person wrote: its code (SN-TH) or its name,
    accents and case aside (Thiès, THIES)."""
    wanted = plain_name(text)
    return region(country, text) or next((r for r in regions_of(country) if plain_name(r.name) == wanted), None)


def plain_name(text: str) -> str:
    """A division's name as people type it: accents, case, hyphens and extra
    spaces aside (Saint-Louis, saint louis and SAINT LOUIS are one)."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(bare.replace("-", " ").casefold().split())
