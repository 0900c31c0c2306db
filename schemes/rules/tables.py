"""Tables of scheme rules: the schemes (régimes) a tenant runs and the
versions of their rules."""

from enum import StrEnum

from piccolo.columns import JSONB, UUID, Array, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique

from schemes.rules.model import Branch
from tenants.tables import TenantTable


class SchemeStatus(StrEnum):
    """Whether a scheme enrols members."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class Scheme(TenantTable, tablename="schemes"):
    """A scheme (régime) of one tenant: its branch, the member categories it
    admits, under which code."""

    code = Varchar(length=32)
    name = Varchar(length=200)
    branch = Varchar(length=32, choices=Branch, default=Branch.HEALTH)
    categories = Array(base_column=Varchar(length=32), default=list)
    """The member categories the scheme admits (:class:`schemes.rules.model.MemberCategory` values)."""
    status = Varchar(length=16, choices=SchemeStatus, default=SchemeStatus.DRAFT)
    created_at = Timestamptz()

    schemes_tenant_id_code_key = Unique(["tenant_id", "code"])


class SchemeRuleVersion(TenantTable, tablename="scheme_rule_versions"):
    """One version of a scheme's rules, in force from ``effective_from`` until
    the next version's date. ``document`` is the whole
    :class:`schemes.rules.model.RuleDocument`, read and written whole."""

    scheme = ForeignKey(Scheme, on_delete=OnDelete.restrict, null=False, index=False)
    number = Integer()
    """1 for a scheme's first version, then 2, 3..."""
    effective_from = Date()
    document = JSONB()
    used_through = Date(null=True, default=None)
    """The end of the last period the version was used for (contributions
    called under it); None while unused. A used version is never edited."""
    created_at = Timestamptz()
    created_by = UUID(null=True, default=None)
    """The user or partner application that created the version; None for Socle itself."""

    scheme_rule_versions_scheme_number_key = Unique(["tenant_id", "scheme", "number"])
    scheme_rule_versions_scheme_effective_from_key = Unique(["tenant_id", "scheme", "effective_from"])
