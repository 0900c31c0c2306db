"""Errors of the employers' registry."""

from tenants.errors import DomainError


class EmployerError(DomainError):
    """Base of the employers' errors."""


class InvalidEmployerName(EmployerError):
    code = "schemes.INVALID_EMPLOYER_NAME"


class InvalidRegistrationNumber(EmployerError):
    """Empty, too long, or holding characters no registration number has."""

    code = "schemes.INVALID_REGISTRATION_NUMBER"


class InvalidNinea(EmployerError):
    """Not a NINEA (Senegal): seven or nine digits with a valid check digit,
    optionally followed by the three characters of the COFI."""

    code = "schemes.INVALID_NINEA"


class RegistrationNumberTaken(EmployerError):
    code = "schemes.REGISTRATION_NUMBER_TAKEN"


class InvalidTradeRegister(EmployerError):
    code = "schemes.INVALID_TRADE_REGISTER"


class TextTooLong(EmployerError):
    code = "schemes.TEXT_TOO_LONG"


class InvalidContactPhone(EmployerError):
    code = "schemes.INVALID_CONTACT_PHONE"


class InvalidContactEmail(EmployerError):
    code = "schemes.INVALID_CONTACT_EMAIL"


class EmployerNotFound(EmployerError):
    code = "schemes.EMPLOYER_NOT_FOUND"
