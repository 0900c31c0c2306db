"""Errors of the tenants registry."""

from tenants.errors import DomainError


class RegistryError(DomainError):
    """Base of the registry's errors."""


class InvalidSlug(RegistryError):
    code = "tenants.INVALID_SLUG"


class SlugTaken(RegistryError):
    code = "tenants.SLUG_TAKEN"


class UnknownCountry(RegistryError):
    code = "tenants.UNKNOWN_COUNTRY"


class UnsupportedCurrency(RegistryError):
    code = "tenants.UNSUPPORTED_CURRENCY"


class MinistryExists(RegistryError):
    code = "tenants.MINISTRY_EXISTS"


class TenantNotFound(RegistryError):
    code = "tenants.TENANT_NOT_FOUND"
