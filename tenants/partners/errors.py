"""Errors of partner applications."""

from tenants.errors import DomainError


class PartnerError(DomainError):
    """Base of the partner applications' errors."""


class InvalidClientName(PartnerError):
    code = "tenants.INVALID_CLIENT_NAME"


class InvalidScopes(PartnerError):
    code = "tenants.INVALID_SCOPES"


class ClientNotFound(PartnerError):
    code = "tenants.CLIENT_NOT_FOUND"


class ClientRevoked(PartnerError):
    code = "tenants.CLIENT_REVOKED"
