"""The benchmark's country: the reference day, the ministry and its 20
tenants (a few large, many small, as real mutuals are), their schemes and
the share of the members each one holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from app.demo_rules import CMU_VERSIONS, IPM_VERSIONS
from schemes.rules.model import MemberCategory, RuleDocument
from tenants.roles import TenantKind

DAY = date(2026, 11, 1)
"""The reference day: every date of the data set is on or before it."""
LOADED_AT = datetime.combine(DAY, time(6, 0), UTC)
"""When the data set was loaded, as its rows and events say."""
FIRST_ENROLMENT = date(2019, 1, 1)
CHUNK = 20_000
"""Members generated and copied per transaction: memory stays bounded."""
COUNTRY, CURRENCY = "SN", "XOF"


@dataclass(frozen=True)
class SchemeSpec:
    """A scheme every tenant of a kind runs, with the categories of its members and their weights."""

    code: str
    name: str
    categories: tuple[tuple[MemberCategory, int], ...]
    versions: tuple[tuple[date, RuleDocument], ...]


CMU = SchemeSpec(
    "CMU",
    "Régime communautaire de la couverture maladie universelle",
    ((MemberCategory.PRECARIOUS_WORKER, 45), (MemberCategory.SELF_EMPLOYED, 40), (MemberCategory.MIGRANT, 15)),
    CMU_VERSIONS,
)
ARTISANS = SchemeSpec("ARTISANS", "Régime des artisans", ((MemberCategory.ARTISAN, 1),), CMU_VERSIONS)
SALARIED = SchemeSpec("SALARIES", "Régime des salariés", ((MemberCategory.SALARIED, 1),), IPM_VERSIONS)


@dataclass(frozen=True)
class TenantSpec:
    """One tenant of the country."""

    kind: TenantKind
    slug: str
    name: str
    weight: int
    """Share of the members."""
    scheme: SchemeSpec
    regions: tuple[str, ...]
    """Regions the members live in (their departments drawn among the region's)."""
    prefix: str
    """Prefix of the membership numbers."""
    employers: int = 0


def _cmu(slug: str, name: str, weight: int, region: str, prefix: str) -> TenantSpec:
    return TenantSpec(TenantKind.MUTUAL, slug, f"Mutuelle de santé {name}", weight, CMU, (region,), prefix, employers=4)


def _ipm(slug: str, name: str, weight: int, region: str, prefix: str, employers: int) -> TenantSpec:
    return TenantSpec(TenantKind.IPM, slug, name, weight, SALARIED, (region,), prefix, employers=employers)


SPECS: tuple[TenantSpec, ...] = (
    TenantSpec(
        TenantKind.MUTUAL,
        "artisans-senegal",
        "Mutuelle sociale des artisans du Sénégal",
        200,
        ARTISANS,
        ("SN-DK", "SN-DK", "SN-DK", "SN-TH", "SN-TH", "SN-DB", "SN-KL", "SN-SL", "SN-ZG"),
        "MSA",
    ),
    _cmu("cmu-dakar", "de Dakar", 140, "SN-DK", "DKR"),
    _cmu("cmu-pikine", "de Pikine", 120, "SN-DK", "PIK"),
    _cmu("cmu-mbacke", "de Touba Mbacké", 90, "SN-DB", "MBK"),
    _cmu("cmu-thies", "de Thiès", 70, "SN-TH", "THS"),
    _cmu("cmu-mbour", "de Mbour", 60, "SN-TH", "MBR"),
    _cmu("cmu-kaolack", "de Kaolack", 50, "SN-KL", "KLK"),
    _cmu("cmu-rufisque", "de Rufisque", 40, "SN-DK", "RUF"),
    _cmu("cmu-guediawaye", "de Guédiawaye", 40, "SN-DK", "GDW"),
    _cmu("cmu-saint-louis", "de Saint-Louis", 30, "SN-SL", "STL"),
    _cmu("cmu-ziguinchor", "de Ziguinchor", 25, "SN-ZG", "ZIG"),
    _cmu("cmu-louga", "de Louga", 20, "SN-LG", "LGA"),
    _cmu("cmu-tivaouane", "de Tivaouane", 20, "SN-TH", "TIV"),
    _cmu("cmu-tambacounda", "de Tambacounda", 15, "SN-TC", "TBC"),
    _ipm("ipm-cap-vert", "IPM interentreprises du Cap-Vert", 30, "SN-DK", "IPMCV", 12),
    _ipm("ipm-petite-cote", "IPM interentreprises de la Petite-Côte", 15, "SN-TH", "IPMPC", 6),
    _ipm("ipm-sine-saloum", "IPM interentreprises du Sine-Saloum", 10, "SN-KL", "IPMSS", 5),
    _ipm("ipm-fleuve", "IPM interentreprises du Fleuve", 10, "SN-SL", "IPMFL", 4),
    _ipm("ipm-transports", "IPM des transports routiers", 8, "SN-DK", "IPMTR", 3),
    _ipm("ipm-casamance", "IPM interentreprises de Casamance", 7, "SN-ZG", "IPMCA", 3),
)
"""The ministry's 20 tenants, a few large and many small, as real mutuals are."""

MINISTRY_SLUG = "dps-senegal"
NUMBER_WIDTH = 7


def email_of(role: str, slug: str) -> str:
    """The address of a benchmark account."""
    return f"{role}@{slug}.bench.socle.sn"


def shares(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, the remainder to the first."""
    parts = [total * weight // sum(weights) for weight in weights]
    parts[0] += total - sum(parts)
    return parts
