"""Errors of addresses checked against the administrative divisions."""

from tenants.errors import DomainError


class DivisionError(DomainError):
    """Base of the reference data's errors."""


class UnknownRegion(DivisionError):
    code = "schemes.UNKNOWN_REGION"


class UnknownDepartment(DivisionError):
    code = "schemes.UNKNOWN_DEPARTMENT"


class InvalidDivisionFile(DivisionError):
    """A line of a file of divisions an operator loads is wrong."""

    code = "schemes.INVALID_DIVISION_FILE"
