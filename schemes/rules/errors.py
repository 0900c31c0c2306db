"""Errors of scheme rules."""

from tenants.errors import DomainError


class SchemeError(DomainError):
    """Base of the scheme rules' errors."""


class InvalidSchemeCode(SchemeError):
    code = "schemes.INVALID_SCHEME_CODE"


class SchemeCodeTaken(SchemeError):
    code = "schemes.SCHEME_CODE_TAKEN"


class InvalidSchemeName(SchemeError):
    code = "schemes.INVALID_SCHEME_NAME"
