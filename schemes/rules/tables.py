"""Tables of scheme rules: the schemes (régimes) a tenant runs."""

from enum import StrEnum

from piccolo.columns import Timestamptz, Varchar
from piccolo.constraints import Unique

from tenants.tables import TenantTable


class SchemeKind(StrEnum):
    """The population a scheme covers."""

    HEALTH_MUTUAL = "health_mutual"
    """Community health mutual (mutuelle de santé)."""
    ARTISANS = "artisans"
    """Social mutual of artisans."""
    INFORMAL_WORKERS = "informal_workers"
    """Precarious and non-permanent workers."""
    EMPLOYER_IPM = "employer_ipm"
    """Salaried employees of affiliated employers, through an IPM."""


class SchemeStatus(StrEnum):
    """Whether a scheme enrols members."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class Scheme(TenantTable, tablename="schemes"):
    """A scheme (régime) of one tenant: whom it covers, under which code."""

    code = Varchar(length=32)
    name = Varchar(length=200)
    kind = Varchar(length=32, choices=SchemeKind)
    status = Varchar(length=16, choices=SchemeStatus, default=SchemeStatus.DRAFT)
    created_at = Timestamptz()

    schemes_tenant_id_code_key = Unique(["tenant_id", "code"])
