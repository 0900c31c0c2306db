"""Tables of employers: the registry of a tenant's employers."""

from enum import StrEnum

from piccolo.columns import Timestamptz, Varchar
from piccolo.constraints import Unique

from tenants.tables import TenantTable


class EmployerStatus(StrEnum):
    """Whether an employer still declares employees."""

    ACTIVE = "active"
    CLOSED = "closed"


class Employer(TenantTable, tablename="employers"):
    """An employer registered with one tenant (an IPM's member companies, the
    employers of a precarious workers' mutual's members)."""

    name = Varchar(length=200)
    registration_number = Varchar(length=64)
    """NINEA in Senegal (its nine digits, compact), else the country's identifier as given, trimmed."""
    trade_register = Varchar(length=64, null=True, default=None)
    """Registre du commerce et du crédit mobilier (RCCM), e.g. SN-DKR-2015-B-12345."""
    sector = Varchar(length=100, default="")
    region = Varchar(length=8, null=True, default=None)
    """ISO 3166-2 code of the region of its address (SN-DK)."""
    address = Varchar(length=300, default="")
    contact_name = Varchar(length=200, default="")
    contact_phone = Varchar(length=16, null=True, default=None)
    """E.164."""
    contact_email = Varchar(length=254, null=True, default=None)
    status = Varchar(length=16, choices=EmployerStatus, default=EmployerStatus.ACTIVE)
    created_at = Timestamptz()
    updated_at = Timestamptz()

    employers_tenant_id_registration_number_key = Unique(["tenant_id", "registration_number"])
